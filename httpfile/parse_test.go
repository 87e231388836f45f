package httpfile

import (
	"strconv"
	"strings"
	"testing"
)

// summary returns "start line method url host headers…" for each request,
// a compact form to compare parses.
func summary(d *Document) []string {
	var out []string
	for _, r := range d.Requests {
		s := []string{strconv.Itoa(r.StartLine), strconv.Itoa(r.Line), r.Method, r.URL, r.Host}
		for _, h := range r.Headers {
			s = append(s, strconv.Itoa(h.Line)+":"+h.Name+"="+h.Value+"@"+fmtRange(h.ValueRange))
		}
		out = append(out, strings.Join(s, " "))
	}
	return out
}

func TestLineEndingsGiveTheSameParse(t *testing.T) {
	lf := "@h = https://" + doxHost + "\n\n### one\nGET {{h}}/document-information-extraction/v1/capabilities\nAccept: application/json\n\n###\nPOST {{h}}/x\n\n{}\n"
	want := summary(Parse([]byte(lf)))
	if len(want) != 2 {
		t.Fatalf("LF file: %d requests, want 2", len(want))
	}
	for name, src := range map[string]string{
		"CRLF":    strings.ReplaceAll(lf, "\n", "\r\n"),
		"CR":      strings.ReplaceAll(lf, "\n", "\r"),
		"BOM+LF":  bom + lf,
		"mixed":   strings.Replace(strings.ReplaceAll(lf, "\n", "\r\n"), "\r\n", "\n", 3),
		"no tail": strings.TrimSuffix(lf, "\n"),
	} {
		got := summary(Parse([]byte(src)))
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", name, got, want)
		}
	}
}

func TestPositionsCountUTF16AndSkipTheBOM(t *testing.T) {
	src := bom + "@tok = abc\nGET https://" + doxHost + "/x\nX-Emoji: 🧾ä b\n"
	d := Parse([]byte(src))
	if got := fmtRange(d.Variables[0].ValueRange); got != "0:7-0:10" {
		t.Errorf("variable on the BOM line: range %s, want 0:7-0:10 (the BOM is no character)", got)
	}
	h := d.Requests[0].Headers[0]
	// "🧾" is two UTF-16 code units, "ä" one.
	if got := fmtRange(h.ValueRange); got != "2:9-2:14" {
		t.Errorf("header value range %s, want 2:9-2:14", got)
	}
}

func TestRequestAt(t *testing.T) {
	src := "# intro\n@v = 1\n\n### a\n# @name first\nGET https://a.example/\n\n{}\n###\n\n### only a comment\n# nothing\n###\nhttps://b.example/ HTTP/1.1\n"
	d := Parse([]byte(src))
	for line, want := range map[int]string{
		4: "https://a.example/", 5: "https://a.example/", 7: "https://a.example/",
		0: "", 2: "", 3: "", 8: "", 9: "", 10: "", 11: "", 12: "",
		13: "https://b.example/", 14: "https://b.example/", 99: "",
	} {
		got := ""
		if r := d.RequestAt(line); r != nil {
			got = r.URL
		}
		if got != want {
			t.Errorf("RequestAt(%d) = %q, want %q", line, got, want)
		}
	}
	if r := d.RequestAt(5); r == nil || r.Name != "first" || r.Title != "a" || r.StartLine != 4 || r.EndLine != 7 {
		t.Errorf("first request: %+v", r)
	}
	if r := d.RequestAt(13); r == nil || r.Method != "GET" || r.Version != "HTTP/1.1" {
		t.Errorf("a request line with no method and a version: %+v", r)
	}
}

func TestRequestLines(t *testing.T) {
	tests := []struct{ src, method, raw string }{
		{"GET https://x.example/a", "GET", "https://x.example/a"},
		{"post https://x.example/a HTTP/2", "POST", "https://x.example/a"},
		{"https://x.example/a", "GET", "https://x.example/a"},
		{"  PATCH\thttps://x.example/a  ", "PATCH", "https://x.example/a"},
		{"GET https://x.example/a\n  ?b=1\n  &c=2", "GET", "https://x.example/a?b=1&c=2"},
		{"GET https://x.example\n    /api\n    /get\n    ?id=42", "GET", "https://x.example/api/get?id=42"},
		{"GET https://x.example/a\n# a comment\n?b=1\nAccept: */*", "GET", "https://x.example/a?b=1"},
		{"GET https://x.example/a\n/b\nAccept: */*\n?c=3", "GET", "https://x.example/a/b"},
		{"GRAPHQL https://x.example/graphql", "GRAPHQL", "https://x.example/graphql"},
	}
	for _, tt := range tests {
		d := Parse([]byte(tt.src))
		if len(d.Requests) != 1 {
			t.Errorf("%q: %d requests", tt.src, len(d.Requests))
			continue
		}
		if r := d.Requests[0]; r.Method != tt.method || r.RawURL != tt.raw {
			t.Errorf("%q: %s %q, want %s %q", tt.src, r.Method, r.RawURL, tt.method, tt.raw)
		}
	}
}

func TestHeadersStopAtTheBody(t *testing.T) {
	src := "POST https://x.example/\nContent-Type: text/plain\n  Indented: header\n# a comment\nX-A: 1\nnot a header\nX-B: 2\n\nGET https://evil.example/\nAuthorization: Basic eA==\n"
	d := Parse([]byte(src))
	var names []string
	for _, h := range d.Requests[0].Headers {
		names = append(names, h.Name)
	}
	if got := strings.Join(names, ","); got != "Content-Type,Indented,X-A" {
		t.Errorf("headers %s, want Content-Type,Indented,X-A: nothing in the body is a header", got)
	}
	if len(d.Requests) != 1 {
		t.Errorf("%d requests: a request line in a body is body", len(d.Requests))
	}
}

func TestScriptsBeforeTheRequestAreNotRequests(t *testing.T) {
	src := "{{\n  exports.x = 1\n  GET https://not.a.request/\n}}\n< {%\n  request.variables.set('a', 'b')\n  https://nor.this/\n%}\nGET https://x.example/\n"
	d := Parse([]byte(src))
	if len(d.Requests) != 1 || d.Requests[0].Line != 8 {
		t.Fatalf("requests %q, want the one on line 8", summary(d))
	}
}

func TestVariables(t *testing.T) {
	src := strings.Join([]string{
		"@scheme = https",
		"@host = {{ scheme }}://{{name}}.example.com:{{port}}",
		"@name = API",
		"@port = 443",
		"@a = {{b}}",
		"@b = {{a}}",
		"@lazy := https://lazy.example",
		"###",
		"GET {{host}}/v1",
		"###",
		"GET {{a}}/v1",
		"###",
		"GET {{$dotenv HOST}}/document-information-extraction/v1/x",
		"###",
		"@name = other",
		"GET {{host}}/v2",
		"###",
		"GET {{lazy}}/v3",
	}, "\n")
	d := Parse([]byte(src))
	want := []struct{ url, host string }{
		{"https://API.example.com:443/v1", "api.example.com"},
		{"{{a}}/v1", ""},
		{"{{$dotenv HOST}}/document-information-extraction/v1/x", ""},
		// Nested references resolve from the variable's own line.
		{"https://API.example.com:443/v2", "api.example.com"},
		{"https://lazy.example/v3", "lazy.example"},
	}
	if len(d.Requests) != len(want) {
		t.Fatalf("%d requests, want %d", len(d.Requests), len(want))
	}
	for i, w := range want {
		if r := d.Requests[i]; r.URL != w.url || r.Host != w.host {
			t.Errorf("request %d: URL %q host %q, want %q %q", i, r.URL, r.Host, w.url, w.host)
		}
	}
}

func TestHostOfURL(t *testing.T) {
	tests := map[string]string{
		"https://API.Example.com/x":           "api.example.com",
		"https://api.example.com:443/x":       "api.example.com",
		"http://api.example.com:80":           "api.example.com",
		"http://api.example.com:443/":         "api.example.com:443",
		"https://api.example.com:8443?x=1":    "api.example.com:8443",
		"wss://api.example.com:443/socket":    "api.example.com",
		"http://user:p%40ss@127.0.0.1:4711/a": "127.0.0.1:4711",
		"http://[::1]:8080/x":                 "[::1]:8080",
		"https://[::1]/x":                     "[::1]",
		// No scheme: "localhost:" is one to the standard, and a client
		// sends neither to a host over https.
		"localhost:8080/api":     "",
		"api.example.com/x#frag": "",
		// As the standard reads it: slashes after the scheme are skipped.
		"https:///x":                             "x",
		"http://evil.example\\@api.example.com/": "evil.example",
		"https://0x7f.1:443/":                    "127.0.0.1",
		"https://{{tenant}}.example.com/x":       "",
		"{{scheme}}://api.example.com/x":         "",
		"https://api.example.com/{{unknown}}/x":  "api.example.com",
		"https://api.example.com?next=https://a": "api.example.com",
	}
	for url, want := range tests {
		d := Parse([]byte("GET " + url))
		if got := d.Requests[0].Host; got != want {
			t.Errorf("host of %s = %q, want %q", url, got, want)
		}
	}
}

func TestHostOfOriginForm(t *testing.T) {
	tests := map[string]string{
		"GET /x\nHost: API.example.com:443":                  "api.example.com",
		"GET /x\nHost: http://localhost:8080":                "", // REST Client and httpyac: http://http://localhost:8080/x
		"GET /x\nHost: a.example\nHost: b.example":           "", // httpyac uses neither
		"@host = https://h.example:4443\n\nGET /x":           "h.example:4443",
		"@h = a.example\nGET /x\nHost: {{h}}":                "a.example",
		"GET /document-information-extraction/v1/x":          "",
		"GET /x\nHost: {{unknown}}":                          "",
		"@host = https://h.example\nGET /x\nHost: b.example": "b.example",
	}
	for src, want := range tests {
		d := Parse([]byte(src))
		if got := d.Requests[0].Host; got != want {
			t.Errorf("%q: host %q, want %q", src, got, want)
		}
	}
}

func TestParseNeverFailsOnOddInput(t *testing.T) {
	for _, src := range []string{"", bom, "\r", "\n\n\r\n", "###", "GET", "@", "@=", "@a=", "{{", "}}", "< {%", "Authorization: Bearer x", "\xff\xfe\x00GET http://x/\n\xc3"} {
		d := Parse([]byte(src))
		for _, r := range d.Requests {
			if r.Line < r.StartLine || r.Line > r.EndLine {
				t.Errorf("%q: request line %d outside its block %d-%d", src, r.Line, r.StartLine, r.EndLine)
			}
		}
		_ = Tokens([]byte(src))
		_ = PlanEdits([]byte(src), Options{Token: tokenA, APIHost: "x", Line: -1})
	}
}
