package doxcomplete

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/doxapi"
)

var optionValue = regexp.MustCompile(`"(clientId|documentType)"\s*:\s*"([^"\\]*)"`)

// DocumentType is the top-level documentType of an options JSON text,
// read leniently: the text may be half written.
func DocumentType(options []byte) string {
	for _, m := range optionValue.FindAllSubmatchIndex(options, -1) {
		if string(options[m[2]:m[3]]) != "documentType" {
			continue
		}
		if at, ok := locate(options, m[0]); ok && len(at.path) == 0 {
			return string(options[m[4]:m[5]])
		}
	}
	return ""
}

// Problem is a value the instance does not have.
type Problem struct {
	Range   httpfile.Range // the value, without quotes
	Field   string         // clientId or documentType
	Value   string
	Known   []string // the values the instance has
	Closest string   // the known value nearest to Value
	Message string
}

// Check flags clientId and documentType values in req (the options of an
// upload, clientId= in the query) that the instance does not have. With no
// data about a field (an empty list), it says nothing about it.
func Check(src []byte, req *httpfile.Request, data doxapi.Data) []Problem {
	ls := lines(src)
	var clients []string
	for _, c := range data.Clients {
		clients = append(clients, c.ID)
	}
	var out []Problem
	check := func(field, value string, line int, text []byte, from, to int) {
		known := clients
		if field == "documentType" {
			known = data.Capabilities.DocumentTypes
		}
		if len(known) == 0 || value == "" || strings.Contains(value, "{{") || contains(known, value) {
			return
		}
		closest := nearest(value, known)
		out = append(out, Problem{
			Range: rng(line, text, from, to), Field: field, Value: value, Known: known, Closest: closest,
			Message: field + " \"" + value + "\" is not " + what(field) + " of this DOX instance; it has " + list(known),
		})
	}
	for line := req.Line; line < len(ls) && (line == req.Line || isQueryLine(ls, req, line)); line++ {
		text := ls[line]
		for _, m := range queryClientAll.FindAllSubmatchIndex(text, -1) {
			check("clientId", string(text[m[2]:m[3]]), line, text, m[2], m[3])
		}
	}
	p, ok := optionsPart(req, ls)
	if !ok {
		return out
	}
	var buf []byte
	starts := make([]int, 0, p.to-p.from)
	for i := p.from; i < p.to; i++ {
		starts = append(starts, len(buf))
		buf = append(buf, ls[i]...)
		buf = append(buf, '\n')
	}
	for i := p.from; i < p.to; i++ {
		text := ls[i]
		for _, m := range optionValue.FindAllSubmatchIndex(text, -1) {
			if at, ok := locate(buf, starts[i-p.from]+m[0]); !ok || len(at.path) != 0 {
				continue
			}
			check(string(text[m[2]:m[3]]), string(text[m[4]:m[5]]), i, text, m[4], m[5])
		}
	}
	return out
}

var queryClientAll = regexp.MustCompile(`[?&]clientId=([^&#\s]*)`)

func what(field string) string {
	if field == "clientId" {
		return "a client"
	}
	return "a document type"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// list names up to ten values.
func list(vals []string) string {
	if len(vals) > 10 {
		return strings.Join(vals[:10], ", ") + " and " + strconv.Itoa(len(vals)-10) + " more"
	}
	return strings.Join(vals, ", ")
}

// nearest is the known value with the smallest edit distance to v
// (case-insensitive), the first of equals in the instance's order.
func nearest(v string, known []string) string {
	type cand struct {
		s string
		d int
	}
	cs := make([]cand, len(known))
	for i, k := range known {
		cs[i] = cand{k, distance(strings.ToLower(v), strings.ToLower(k))}
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].d < cs[b].d })
	return cs[0].s
}

// distance is the Levenshtein distance in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
