package httpfile

import (
	"bytes"
	"sort"
	"strings"
)

// The grammar, as VS Code REST Client, JetBrains HTTP Client and httpyac
// read it (where they differ, the reading that can never put a header into
// a body or into another request wins):
//
//   - A line whose text starts with ### (after optional white space, as
//     httpyac has it) separates request blocks; the rest of it is a title.
//   - Before the request line: blank lines, comments (# or //, with
//     "# @name x" metadata), "@name = value" file variables, httpyac
//     "{{ … }}" script blocks and JetBrains "< {% … %}" pre-request scripts.
//   - The request line: [METHOD ]URL[ HTTP/x.y].
//   - Then continuation lines of the URL: text starting with ? or & or /, or
//     any indented line that is not a header.
//   - Then header lines "Name: value" (name: RFC 9110 token characters),
//     with comment lines among them, up to a blank line or the first line
//     that is neither.
//   - Then the body, up to the next separator. Nothing in a body is ever a
//     header or a request line: a "< ./file" body, a multipart body with its
//     part headers, a "> {% … %}" response handler are all body.

// header is a parsed header line, as byte offsets: thousands of them are
// made per parse, and a struct without pointers costs the garbage
// collector nothing.
type header struct {
	Line               int
	nameStart, nameEnd int
	colon              int // just after the colon
	valStart, valEnd   int // the trimmed value
}

func (p *parsed) headerValue(h *header) string { return p.sub(h.valStart, h.valEnd) }

// varDef is a parsed @name = value line.
type varDef struct {
	Variable
	valStart, valEnd int // byte offsets of the trimmed value

	// Resolution memo: its value with file variables substituted.
	state    uint8 // 0 not yet, 1 resolving (a cycle when met again), 2 done
	resolved string
	missing  string // first variable that could not be resolved, "" if none
}

// request is a parsed request block.
type request struct {
	Request
	hdrs        []header
	hdrFrom     int    // hdrs is parsed.hdrs[hdrFrom:] until the block ends
	insertAfter int    // the line a new header line goes after
	continues   bool   // continuation lines join the URL
	firstLine   string // then: the URL on the request line alone
}

// parsed is the full parse of a source, with the byte offsets that edit
// planning needs.
type parsed struct {
	*source
	vars   []*varDef
	byName map[string][]*varDef // in line order
	reqs   []request
	hdrs   []header // the headers of all requests, in order

	// Variables doxls cannot know the values of (see opaque): scripted,
	// when a script or an import can set any of them; setBy, names that
	// a @loop or a response (a request's @name) sets.
	scripted bool
	setBy    map[string]bool

	vbuf  []hostVar   // the requests' hostVars
	multi int8        // redefines: 0 not yet known, 1 no, 2 yes
	alt   *altReading // while reading with one definition per variable
	alts  [2]*altReading
}

// Parse parses src; it never fails: what it cannot read it leaves out.
func Parse(src []byte) *Document {
	return parse(src).document()
}

// RequestAt returns the request whose block holds line, or nil.
func (d *Document) RequestAt(line int) *Request {
	i := sort.Search(len(d.Requests), func(i int) bool { return d.Requests[i].EndLine >= line })
	if i < len(d.Requests) && d.Requests[i].StartLine <= line {
		return &d.Requests[i]
	}
	return nil
}

func (p *parsed) document() *Document {
	d := &Document{Requests: make([]Request, len(p.reqs)), Variables: make([]Variable, len(p.vars))}
	str := p.str // header names and values are slices of one string
	if str == "" {
		str = string(p.src)
	}
	for i, v := range p.vars {
		d.Variables[i] = v.Variable
	}
	for i := range p.reqs {
		r := p.reqs[i].Request
		r.Headers = make([]Header, len(p.reqs[i].hdrs))
		for j := range p.reqs[i].hdrs {
			h := &p.reqs[i].hdrs[j]
			r.Headers[j] = Header{Name: str[h.nameStart:h.nameEnd], Value: str[h.valStart:h.valEnd], Line: h.Line,
				ValueRange: Range{p.pos(h.Line, h.valStart), p.pos(h.Line, h.valEnd)}}
		}
		d.Requests[i] = r
	}
	return d
}

// exported is h as the exported type.
func (p *parsed) exported(h *header) Header {
	return Header{Name: p.sub(h.nameStart, h.nameEnd), Value: p.headerValue(h), Line: h.Line,
		ValueRange: Range{p.pos(h.Line, h.valStart), p.pos(h.Line, h.valEnd)}}
}

// Authorization returns the first Authorization header of r, or nil.
func (r *Request) Authorization() *Header {
	for i := range r.Headers {
		if strings.EqualFold(r.Headers[i].Name, "Authorization") {
			return &r.Headers[i]
		}
	}
	return nil
}

func parse(src []byte) *parsed { return parseSource(newSource(src)) }

// parseSource parses the indexed text s; a Text's line index serves every
// parse of it.
func parseSource(s *source) *parsed {
	p := &parsed{source: s, byName: map[string][]*varDef{}}
	n := len(p.lines)
	var seps []int
	for i := 0; i < n; i++ {
		b := p.lineText(i)
		if rest := b[leadingSpace(b):]; bytes.HasPrefix(rest, []byte("###")) {
			seps = append(seps, i)
		} else if !p.scripted && isScript(rest) {
			p.scripted = true
		}
	}
	// At most one request per block: allocate them all at once; and room
	// for headers on a quarter of the lines, about what request files have.
	p.reqs = make([]request, 0, len(seps)+1)
	p.hdrs = make([]header, 0, n/4)
	from, title := 0, ""
	for _, i := range seps {
		p.block(from, i-1, title)
		b := p.lineText(i)
		from, title = i+1, separatorTitle(b[leadingSpace(b):])
	}
	p.block(from, n-1, title)
	for i := range p.reqs {
		p.resolveRequest(&p.reqs[i])
	}
	return p
}

func separatorTitle(b []byte) string {
	b = bytes.TrimLeft(b, "#")
	from, to := trimBounds(b)
	return string(b[from:to])
}

// Where the parser is inside a block.
const (
	beforeRequest = iota
	inURL         // after the request line: continuations, then headers
	inHeaders
	inBody
)

// block parses the lines [from, to] between two separators.
func (p *parsed) block(from, to int, title string) {
	var r *request
	name := ""
	state := beforeRequest
	closer := "" // the end of a multi-line script before the request
	frozen := false
	afterURL := 0 // the spot for a new header when headers are ambiguous
	for i := from; i <= to; i++ {
		b := p.lineText(i)
		ws := leadingSpace(b)
		rest := b[ws:]
		switch state {
		case beforeRequest:
			if closer != "" {
				if closer == "}}" && string(bytes.TrimRight(rest, " \t")) == "}}" ||
					closer == "%}" && bytes.Contains(rest, []byte("%}")) {
					closer = ""
				}
				continue
			}
			switch {
			case len(rest) == 0:
			case rest[0] == '#' || bytes.HasPrefix(rest, []byte("//")):
				if v, ok := metaValue(rest, "name"); ok {
					name = v
					p.sets(v)
				}
				p.meta(rest)
			case rest[0] == '@':
				p.variable(i, ws)
			case rest[0] == '<':
				// JetBrains pre-request script: "< {% … %}" or "< script.js".
				if j := bytes.Index(rest, []byte("{%")); j >= 0 && !bytes.Contains(rest[j:], []byte("%}")) {
					closer = "%}"
				}
			case rest[0] == '>':
				// A response handler with no request: nothing to send.
			case bytes.HasPrefix(rest, []byte("{{")) && !bytes.Contains(rest, []byte("}}")):
				closer = "}}" // httpyac script block "{{ … }}"
			case bytes.HasPrefix(rest, []byte("HTTP/")):
				// A response pasted below a request (REST Client keeps them).
			default:
				p.reqs = append(p.reqs, request{Request: Request{
					StartLine: from, EndLine: to, Line: i, Name: name, Title: title,
				}, insertAfter: i, hdrFrom: len(p.hdrs)})
				r = &p.reqs[len(p.reqs)-1]
				r.Method, r.RawURL = p.splitRequestLine(p.lines[i].start+ws, p.lines[i].end)
				state = inURL
			}
		case inURL, inHeaders:
			switch {
			case len(rest) == 0:
				state = inBody
			case rest[0] == '#' || bytes.HasPrefix(rest, []byte("//")):
				// REST Client and JetBrains skip any comment among the
				// headers; httpyac only "# text" and "// text" and reads
				// what follows "#text" as body, so nothing goes below that.
				frozen = frozen || !isHeaderComment(rest)
			case state == inURL && (rest[0] == '?' || rest[0] == '&'):
				r.continued()
				r.RawURL += string(bytes.TrimRight(rest, " \t"))
				r.advance(i, frozen)
			case p.header(i, ws):
				if state == inURL {
					afterURL = r.insertAfter
				}
				state = inHeaders
				r.advance(i, frozen)
			case state == inURL && (rest[0] == '/' || ws > 0):
				r.continued()
				r.RawURL += string(bytes.TrimRight(rest, " \t"))
				r.advance(i, frozen)
			case ws > 0:
				// JetBrains reads an indented line below a header as more
				// of its value, httpyac as the body: a header added below
				// the last one would get a tail in one of them. Right below
				// the URL, it is a header in all three.
				r.insertAfter = afterURL
				state = inBody
			default:
				state = inBody
			}
		}
	}
	if r != nil {
		r.RawURL, r.Version = splitVersion(r.RawURL)
		r.RawURL = strings.TrimSpace(r.RawURL)
		if r.continues {
			r.firstLine, _ = splitVersion(r.firstLine)
			r.firstLine = strings.TrimSpace(r.firstLine)
		}
		r.hdrs = p.hdrs[r.hdrFrom:len(p.hdrs):len(p.hdrs)]
	}
}

// continued notes that a continuation line joins the URL: the request
// line's URL alone is kept, as httpyac reads some continuations as the
// start of the body (see resolveRequest).
func (r *request) continued() {
	if !r.continues {
		r.continues, r.firstLine = true, r.RawURL
	}
}

// advance moves the spot for a new header line down to line i, unless a
// line above ended httpyac's header section.
func (r *request) advance(i int, frozen bool) {
	if !frozen {
		r.insertAfter = i
	}
}

// isHeaderComment reports a comment line among headers: httpyac only takes
// "# text" (with white space) and "// text" there; "#text" ends its headers.
func isHeaderComment(rest []byte) bool {
	if bytes.HasPrefix(rest, []byte("//")) {
		return true
	}
	return len(rest) > 1 && rest[0] == '#' && leadingSpace(rest[1:]) > 0
}

// metaValue returns the value of a "# @key value" (or "// @key value",
// "# @key = value") comment line.
func metaValue(rest []byte, key string) (string, bool) {
	rest = bytes.TrimLeft(rest, "#/")
	rest = rest[leadingSpace(rest):]
	if len(rest) < len(key)+1 || rest[0] != '@' || string(rest[1:1+len(key)]) != key {
		return "", false
	}
	rest = rest[1+len(key):]
	ws := leadingSpace(rest)
	if ws == 0 && (len(rest) == 0 || rest[0] != '=') {
		return "", false // "@names" is another key
	}
	rest = rest[ws:]
	if len(rest) > 0 && rest[0] == '=' {
		rest = rest[1:]
	}
	from, to := trimBounds(rest)
	return string(rest[from:to]), true
}

// isScript reports a line that opens a script, which can set any variable
// before a request goes: an httpyac "{{" block (or "{{@response" hook)
// without its "}}" on the line, a JetBrains "< {%" pre-request or "> {%"
// response handler, or either as a .js file.
func isScript(rest []byte) bool {
	if len(rest) == 0 {
		return false
	}
	switch rest[0] {
	case '{':
		return bytes.HasPrefix(rest, []byte("{{")) && !bytes.Contains(rest[2:], []byte("}}"))
	case '<', '>':
		r := bytes.TrimSpace(rest[1:])
		return bytes.HasPrefix(r, []byte("{%")) || bytes.HasSuffix(r, []byte(".js"))
	}
	return false
}

// meta notes what a metadata line before a request lets set: httpyac's
// "# @import file" any variable (the file's, which doxls does not read),
// "# @loop for name of …" the variable name.
func (p *parsed) meta(rest []byte) {
	if _, ok := metaValue(rest, "import"); ok {
		p.scripted = true
	}
	if v, ok := metaValue(rest, "loop"); ok {
		if f := strings.Fields(v); len(f) >= 3 && f[0] == "for" {
			p.sets(strings.TrimSuffix(f[1], ","))
			if len(f) >= 4 && f[2] != "of" && f[2] != "in" {
				p.sets(f[2]) // "for key, value of …"
			}
		}
	}
}

// sets notes a variable that something other than its definitions sets.
func (p *parsed) sets(name string) {
	if p.setBy == nil {
		p.setBy = map[string]bool{}
	}
	p.setBy[name] = true
}

// opaque reports a variable whose value doxls cannot know: any when a
// script or an import can set it, else one a @loop or a response sets
// (httpyac reads {{upload}} and {{upload.id}} from the response of the
// request named upload, REST Client {{upload.response.…}}).
func (p *parsed) opaque(name string) bool {
	if p.scripted {
		return true
	}
	head, _, _ := strings.Cut(name, ".")
	return p.setBy[head]
}

// methods are the request methods the three clients know, plus the other
// protocols httpyac sends from the same files.
var methods = map[string]string{}

// maxMethod is the length of the longest method name.
const maxMethod = len("BASELINE-CONTROL")

func init() {
	for _, m := range strings.Fields(`GET POST PUT DELETE PATCH HEAD OPTIONS CONNECT TRACE
		PROPFIND PROPPATCH MKCOL COPY MOVE LOCK UNLOCK CHECKOUT CHECKIN REPORT MERGE MKACTIVITY
		MKWORKSPACE VERSION-CONTROL BASELINE-CONTROL MKCALENDAR ACL SEARCH GRAPHQL
		GRPC SSE EVENTSOURCE WS WEBSOCKET MQTT AMQP`) {
		methods[m] = m
	}
}

// splitRequestLine splits the source bytes [from, to), "[METHOD ]URL"
// (version still attached).
func (p *parsed) splitRequestLine(from, to int) (method, url string) {
	to -= trailingSpace(p.src[from:to])
	rest := p.src[from:to]
	i := 0
	for i < len(rest) && rest[i] != ' ' && rest[i] != '\t' {
		i++
	}
	if i < len(rest) && i <= maxMethod {
		var up [maxMethod]byte
		for j, c := range rest[:i] {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			up[j] = c
		}
		if m, ok := methods[string(up[:i])]; ok {
			return m, p.sub(from+i+leadingSpace(rest[i:]), to)
		}
	}
	return "GET", p.sub(from, to)
}

// splitVersion takes a trailing " HTTP/x.y" off a URL.
func splitVersion(url string) (string, string) {
	i := strings.LastIndexAny(url, " \t")
	if i < 0 {
		return url, ""
	}
	v := url[i+1:]
	if len(v) > 5 && strings.EqualFold(v[:5], "HTTP/") {
		return strings.TrimRight(url[:i], " \t"), v
	}
	return url, ""
}

// isTokenChar reports the characters of an HTTP header name (RFC 9110 tchar).
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// header parses line i as "Name: value" into p.hdrs, if it is one.
func (p *parsed) header(i, ws int) bool {
	l := p.lines[i]
	b := p.src[l.start:l.end]
	j := ws
	for j < len(b) && isTokenChar(b[j]) {
		j++
	}
	if j == ws {
		return false
	}
	nameEnd := j
	j += leadingSpace(b[j:])
	if j >= len(b) || b[j] != ':' {
		return false
	}
	colon := j + 1
	from := colon + leadingSpace(b[colon:])
	to := len(b) - trailingSpace(b[from:])
	p.hdrs = append(p.hdrs, header{
		Line:      i,
		nameStart: l.start + ws, nameEnd: l.start + nameEnd,
		colon:    l.start + colon,
		valStart: l.start + from, valEnd: l.start + to,
	})
	return true
}

// variable parses line i as "@name = value" (or httpyac's lazy
// "@name := value"), if it is one.
func (p *parsed) variable(i, ws int) {
	l := p.lines[i]
	b := p.src[l.start:l.end]
	j := ws + 1
	for j < len(b) && b[j] != '=' && b[j] != ':' && leadingSpace(b[j:]) == 0 {
		j++
	}
	name := p.sub(l.start+ws+1, l.start+j)
	j += leadingSpace(b[j:])
	if j < len(b) && b[j] == ':' {
		j++
	}
	if name == "" || j >= len(b) || b[j] != '=' {
		return
	}
	j++
	from := j + leadingSpace(b[j:])
	to := len(b) - trailingSpace(b[from:])
	v := &varDef{
		Variable: Variable{Name: name, Value: p.sub(l.start+from, l.start+to), Line: i},
		valStart: l.start + from,
		valEnd:   l.start + to,
	}
	v.ValueRange = Range{p.pos(i, v.valStart), p.pos(i, v.valEnd)}
	p.vars = append(p.vars, v)
	p.byName[name] = append(p.byName[name], v)
}

// authHeaders returns the Authorization headers of r.
func (p *parsed) authHeaders(r *request) []*header {
	var out []*header
	for i := range r.hdrs {
		if p.isHeader(&r.hdrs[i], "Authorization") {
			out = append(out, &r.hdrs[i])
		}
	}
	return out
}

// isHeader reports whether h is named name, case-insensitively.
func (p *parsed) isHeader(h *header, name string) bool {
	return h.nameEnd-h.nameStart == len(name) && bytes.EqualFold(p.src[h.nameStart:h.nameEnd], []byte(name))
}
