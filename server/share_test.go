package server

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	fastjson "github.com/segmentio/encoding/json"
	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/httpfile"
)

// BenchmarkServerShare is the server's own part of doxls.insertBearer on a
// document of 500, 1,000, 5,000 and 50,000 requests, in process, without a
// client or a pipe: parse and plan the edit, encode the workspace/applyEdit
// params, then decode the didChange VS Code answers with (one change per
// edit, last to first) and apply it. ns/op is the sum; the phases are
// reported as ms-plan, ms-encode and ms-apply.
//
//	go test -run '^$' -bench ServerShare -benchmem ./server
func BenchmarkServerShare(b *testing.B) {
	token := "eyJhbGciOiJSUzI1NiIsImprdSI6Imh0dHBzOi8vZXhhbXBsZSJ9." + strings.Repeat("eyJjbGllbnRfaWQiOiJzYi1kb3gh", 50) + ".c2ln"
	for _, mode := range []httpfile.Mode{httpfile.ModeHeader, httpfile.ModeVariable} {
		for _, n := range []int{500, 1000, 5000, 50000} {
			b.Run(fmt.Sprintf("mode=%s/requests=%d", mode, n), func(b *testing.B) {
				var src strings.Builder
				for i := range n {
					fmt.Fprintf(&src, "### job %d\nGET https://api.example.com/document-information-extraction/v1/document/jobs/%d\nAccept: application/json\nX-Trace: %d\n\n", i, i, i)
				}
				opts := httpfile.Options{Token: token, APIHost: "api.example.com", Mode: mode, Line: -1}
				const uri = protocol.DocumentURI("file:///w/big.http")
				raw := vscodeDidChange(uri, httpfile.NewBuffer([]byte(src.String())).PlanEdits(opts).Edits)
				var plan, encode, apply time.Duration
				cpu := startCPU()
				for b.Loop() {
					t0 := time.Now()
					doc := commands.OpenDocument(uri, 1, httpfile.NewBuffer([]byte(src.String())))
					edits := doc.Source().PlanEdits(opts).Edits
					t1 := time.Now()
					params, err := encodeEdit(doc, edits)
					if err != nil {
						b.Fatal(err)
					}
					t2 := time.Now()
					_, changes, err := decodeChange(raw)
					if err != nil {
						b.Fatal(err)
					}
					after := httpfile.ApplyChanges(doc.Source(), changes)
					t3 := time.Now()
					plan, encode, apply = plan+t1.Sub(t0), encode+t2.Sub(t1), apply+t3.Sub(t2)
					if len(edits) < n || len(params) < len(token) || len(after.Bytes()) <= src.Len() {
						b.Fatalf("%d edits, %d bytes of params, %d bytes after", len(edits), len(params), len(after.Bytes()))
					}
				}
				per := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
				b.ReportMetric(per(plan), "ms-plan")
				b.ReportMetric(per(encode), "ms-encode")
				b.ReportMetric(per(apply), "ms-apply")
				cpu.report(b)
			})
		}
	}
}

// encodeEdit encodes the applyEdit params for edits as the server does
// (commands builds the versioned edit, lspconn encodes it into a buffer of
// editSize).
func encodeEdit(doc commands.Document, edits []httpfile.Edit) ([]byte, error) {
	te := make([]protocol.TextEdit, len(edits))
	for i, e := range edits {
		te[i] = protocol.TextEdit{Range: commands.Range(e.Range), NewText: e.NewText}
	}
	v := doc.Version
	edit := protocol.WorkspaceEdit{DocumentChanges: []protocol.TextDocumentEdit{{
		TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{
			TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: doc.URI}, Version: &v},
		Edits: te,
	}}}
	return fastjson.Append(make([]byte, 0, editSize(edit)), struct {
		Label string `json:"label,omitempty"`
		Edit  any    `json:"edit"`
	}{"Insert DOX token", edit}, fastjson.SortMapKeys)
}

// vscodeDidChange is the didChange VS Code sends once it applied edits:
// one change per edit, last to first.
func vscodeDidChange(uri protocol.DocumentURI, edits []httpfile.Edit) []byte {
	type change struct {
		Range       protocol.Range `json:"range"`
		RangeLength int            `json:"rangeLength"`
		Text        string         `json:"text"`
	}
	changes := make([]change, len(edits))
	for i, e := range edits {
		changes[len(edits)-1-i] = change{Range: commands.Range(e.Range), RangeLength: e.End - e.Start, Text: e.NewText}
	}
	raw, err := fastjson.Marshal(map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": 2},
		"contentChanges": changes,
	})
	if err != nil {
		panic(err)
	}
	return raw
}

// BenchmarkLenses is the code lens work in process: the lenses of a
// 5,000-request document with a token in every request, on the version's
// shared parse (cached) or on a new version (parsed), and their encoding.
//
//	go test -run '^$' -bench Lenses -benchmem ./server
func BenchmarkLenses(b *testing.B) {
	s := newServer(Options{Getenv: os.Getenv}, zap.NewNop())
	defer s.stop()
	token := "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(`{"client_id":"sb-dox!b1|dox!b2","zid":"z","exp":4102444800,"iat":1700000000,"scope":["dox.Extract"],"grant_type":"client_credentials","pad":"`+strings.Repeat("x", 1200)+`"}`)) + ".c2ln"
	var src strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&src, "### job %d\nGET https://api.example.com/document-information-extraction/v1/document/jobs/%d\nAccept: application/json\nAuthorization: Bearer %s\n\n", i, i, token)
	}
	rule := httpfile.NewRule(httpfile.Options{APIHost: "api.example.com"})
	const uri = protocol.DocumentURI("file:///w/big.http")
	for _, fresh := range []bool{false, true} {
		b.Run(map[bool]string{false: "cached", true: "parsed"}[fresh], func(b *testing.B) {
			doc := commands.OpenDocument(uri, 1, httpfile.NewBuffer([]byte(src.String())))
			cpu := startCPU()
			for b.Loop() {
				if fresh {
					doc = commands.OpenDocument(uri, 1, httpfile.NewBuffer(doc.Text))
				}
				lenses := s.lenses(doc, rule)
				if len(lenses) != 5000 || !strings.HasPrefix(lenses[0].Command.Title, "DOX token expires") {
					b.Fatalf("%d lenses, first %+v", len(lenses), lenses[0].Command)
				}
				if _, err := fastjson.Marshal(lenses); err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b)
		})
	}
}

// ProcessCPU is the processor time, user and system, that process pid has
// used so far, from /proc (Linux; in clock ticks of 10 ms, so a figure over
// many iterations). On a shared machine it moves less than wall time.
func ProcessCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses.
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short %s/stat", strconv.Itoa(pid))
	}
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// cpuMeter reports the processor time of this process per iteration as
// cpu-ms, where /proc has it.
type cpuMeter struct {
	start time.Duration
	err   error
}

func startCPU() cpuMeter {
	d, err := ProcessCPU(os.Getpid())
	return cpuMeter{d, err}
}

func (m cpuMeter) report(b *testing.B) {
	end, err := ProcessCPU(os.Getpid())
	if m.err == nil && err == nil {
		b.ReportMetric(float64((end-m.start).Microseconds())/1000/float64(b.N), "cpu-ms")
	}
}
