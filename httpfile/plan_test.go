package httpfile

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// edit plans with opts and returns the new text and the plan.
func edit(t *testing.T, src string, opts Options) (string, Plan) {
	t.Helper()
	plan := PlanEdits([]byte(src), opts)
	out := string(Apply([]byte(src), plan.Edits))
	if again := PlanEdits([]byte(out), opts); len(again.Edits) != 0 {
		t.Errorf("planning again with the same token gives %d edits:\n%s", len(again.Edits), dumpPlan([]byte(out), again))
	}
	return out, plan
}

func reasons(p Plan) string {
	var s []string
	for _, k := range p.Skipped {
		s = append(s, "L"+strconv.Itoa(k.Line)+" "+k.Reason)
	}
	return strings.Join(s, "; ")
}

func TestHeaderModeEditsExactly(t *testing.T) {
	opts := Options{Token: tokenA, APIHost: doxHost, Line: -1}
	dox := "https://" + doxHost + "/document-information-extraction/v1"
	tests := []struct{ name, src, want string }{
		{"no headers, LF", "GET " + dox + "/capabilities\n",
			"GET " + dox + "/capabilities\nAuthorization: Bearer " + tokenA + "\n"},
		{"no final newline", "GET " + dox + "/capabilities",
			"GET " + dox + "/capabilities\nAuthorization: Bearer " + tokenA},
		{"CRLF, after the last header", "GET " + dox + "/x\r\nAccept: */*\r\n\r\n",
			"GET " + dox + "/x\r\nAccept: */*\r\nAuthorization: Bearer " + tokenA + "\r\n\r\n"},
		{"CR only", "GET " + dox + "/x\rAccept: */*\r\r{}",
			"GET " + dox + "/x\rAccept: */*\rAuthorization: Bearer " + tokenA + "\r\r{}"},
		{"after continuations", "GET " + dox + "/x\n  ?a=1\n  &b=2\n\n",
			"GET " + dox + "/x\n  ?a=1\n  &b=2\nAuthorization: Bearer " + tokenA + "\n\n"},
		{"CRLF file, last line without newline", "# c\r\nGET " + dox + "/x\r\nAccept: */*",
			"# c\r\nGET " + dox + "/x\r\nAccept: */*\r\nAuthorization: Bearer " + tokenA},
		{"literal replaced, trailing blanks kept", "GET " + dox + "/x\nAuthorization:   bearer   old.token.value \t\n",
			"GET " + dox + "/x\nAuthorization:   bearer   " + tokenA + " \t\n"},
		{"Bearer with nothing after it", "GET " + dox + "/x\nAuthorization: Bearer\n",
			"GET " + dox + "/x\nAuthorization: Bearer " + tokenA + "\n"},
		{"empty Authorization", "GET " + dox + "/x\nAuthorization:\n",
			"GET " + dox + "/x\nAuthorization: Bearer " + tokenA + "\n"},
		{"token through a variable", "@tok = old\n\n###\nGET " + dox + "/x\nAuthorization: Bearer {{ tok }}\n",
			"@tok = " + tokenA + "\n\n###\nGET " + dox + "/x\nAuthorization: Bearer {{ tok }}\n"},
		{"empty variable", "@tok =\nGET " + dox + "/x\nAuthorization: Bearer {{tok}}\n",
			"@tok =" + tokenA + "\nGET " + dox + "/x\nAuthorization: Bearer {{tok}}\n"},
		{"one variable, two requests, one edit", "@tok = old\n###\nGET " + dox + "/a\nAuthorization: Bearer {{tok}}\n###\nGET " + dox + "/b\nAuthorization: Bearer {{tok}}\n",
			"@tok = " + tokenA + "\n###\nGET " + dox + "/a\nAuthorization: Bearer {{tok}}\n###\nGET " + dox + "/b\nAuthorization: Bearer {{tok}}\n"},
		{"tabs and non-ASCII around", "# Grüße\tà tous 🚀\nGET " + dox + "/x\nX-A:\tö \n",
			"# Grüße\tà tous 🚀\nGET " + dox + "/x\nX-A:\tö \nAuthorization: Bearer " + tokenA + "\n"},
		{"BOM", bom + "GET " + dox + "/x\n", bom + "GET " + dox + "/x\nAuthorization: Bearer " + tokenA + "\n"},
		{"indented line below a header", "GET " + dox + "/x\n  ?a=1\nX-Long: one\n  two\n",
			"GET " + dox + "/x\n  ?a=1\nAuthorization: Bearer " + tokenA + "\nX-Long: one\n  two\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, plan := edit(t, tt.src, opts)
			if got != tt.want {
				t.Errorf("result:\n%q\nwant:\n%q\nskipped: %s", redact(got), redact(tt.want), reasons(plan))
			}
		})
	}
}

func TestEditRangesMatchOffsets(t *testing.T) {
	src := bom + "# Grüße 🚀\r\n@tok = old\r\n###\r\nGET https://" + doxHost + "/x\r\nX-Receipt: 🧾\r\nAuthorization: Bearer {{tok}}\r\n###\r\nGET https://" + doxHost + "/y\r\nX-Emoji: 😀✓"
	plan := PlanEdits([]byte(src), Options{Token: tokenA, APIHost: doxHost, Line: -1})
	if len(plan.Edits) != 2 {
		t.Fatalf("%d edits, want 2:\n%s", len(plan.Edits), dumpPlan([]byte(src), plan))
	}
	for _, e := range plan.Edits {
		if got, want := fmtRange(e.Range), fmtRange(Range{lspPos(src, e.Start), lspPos(src, e.End)}); got != want {
			t.Errorf("edit at byte %d: range %s, want %s", e.Start, got, want)
		}
	}
	if got := fmtRange(plan.Edits[1].Range); got != "8:12-8:12" {
		t.Errorf("insertion after the last line: %s, want 8:12 (😀 is two UTF-16 units)", got)
	}
}

// lspPos computes an LSP position the slow, obvious way: what VS Code
// sees after stripping the BOM.
func lspPos(src string, off int) Position {
	before := strings.TrimPrefix(src[:off], bom)
	before = strings.ReplaceAll(before, "\r\n", "\n")
	before = strings.ReplaceAll(before, "\r", "\n")
	line := strings.Count(before, "\n")
	last := before[strings.LastIndexByte(before, '\n')+1:]
	n := 0
	for _, r := range last {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return Position{Line: line, Character: n}
}

func TestHostRule(t *testing.T) {
	src := strings.Join([]string{
		"GET http://127.0.0.1:4711/document-information-extraction/v1/capabilities",
		"###",
		"GET http://127.0.0.1:4712/document-information-extraction/v1/capabilities",
		"###",
		"GET https://extra.example/v1",
		"###",
		"GET https://EXTRA2.example:443/v1",
		"###",
		"GET {{baseUrl}}/document-information-extraction/v1/document/jobs",
		"###",
		"GET {{baseUrl}}/v1/users?path=/document-information-extraction/",
		"###",
		"GET /document-information-extraction/v1/capabilities",
		"Host: other.example",
	}, "\n")
	opts := Options{Token: tokenA, APIHost: "127.0.0.1:4711", ExtraHosts: []string{"extra.example", "https://extra2.example/"}, Line: -1}
	out, plan := edit(t, src, opts)
	var got []int
	for _, e := range plan.Edits {
		got = append(got, e.Range.Start.Line-1)
	}
	if want := []int{0, 4, 6, 8}; !slices.Equal(got, want) {
		t.Errorf("edited requests on lines %v, want %v\n%s", got, want, redact(out))
	}
	want := "L2 foreign host 127.0.0.1:4712; L10 unknown host: {{baseUrl}} is not defined in this file; L12 foreign host other.example"
	if got := reasons(plan); got != want {
		t.Errorf("skipped:\n %s\nwant\n %s", got, want)
	}
}

func TestSkipReasons(t *testing.T) {
	dox := "https://" + doxHost + "/document-information-extraction/v1"
	tests := []struct{ src, reason string }{
		{"GET https://api.example.com/x", "foreign host api.example.com"},
		{"GET " + dox + "/x\nAuthorization: Basic dTpw", "Authorization uses Basic"},
		{"GET " + dox + "/x\nAuthorization: Digest user pass", "Authorization uses Digest"},
		{"GET " + dox + "/x\nAuthorization: Bearer {{tok}}", "token variable {{tok}} is not defined in this file"},
		{"GET " + dox + "/x\nAuthorization: Bearer {{login.response.body.$.access_token}}", "Authorization takes its token from {{login.response.body.$.access_token}}"},
		{"@t = {{$dotenv TOKEN}}\nGET " + dox + "/x\nAuthorization: Bearer {{t}}", "token variable {{t}} takes its value from {{$dotenv TOKEN}}"},
		{"GET " + dox + "/x\nAuthorization: Bearer abc{{t}}", "Authorization mixes text and variables"},
		{"GET " + dox + "/x\nAuthorization: {{auth}}", "Authorization is set from {{auth}}"},
		{"GET " + dox + "/x\nAuthorization: Bearer old\nAuthorization: Basic dTpw", "Authorization uses Basic"},
		{"@t = old\nGET " + dox + "/x\nAuthorization: Bearer {{t}}\n###\nPOST https://log.example/\n\n{\"t\": \"{{t}}\"}", "token variable {{t}} is also sent to log.example"},
		{"@t = old\n@wrapped = Bearer {{t}}\n###\nGET " + dox + "/x\nAuthorization: Bearer {{t}}\n###\nGET https://log.example/\nAuthorization: {{wrapped}}", "token variable {{t}} is also sent to log.example"},
		{"GET /x", "no host: the URL is a path and no Host header or host variable gives one"},
		{"GET https:///x", "foreign host x"},
	}
	for _, tt := range tests {
		plan := PlanEdits([]byte(tt.src), Options{Token: tokenA, APIHost: doxHost, Line: -1})
		if len(plan.Skipped) == 0 || plan.Skipped[0].Reason != tt.reason {
			t.Errorf("%q:\n skipped %s\n want %q", tt.src, reasons(plan), tt.reason)
		}
		for _, e := range plan.Edits {
			if strings.Contains(e.NewText, tokenA) && e.Range.Start.Line == 0 {
				t.Errorf("%q: token written on line 0 of a skipped request", tt.src)
			}
		}
	}
}

func TestBadOptionsSkipEverything(t *testing.T) {
	src := "GET https://" + doxHost + "/x\n###\nGET https://" + doxHost + "/y\n"
	for _, tt := range []struct {
		opts   Options
		reason string
	}{
		{Options{APIHost: doxHost, Line: -1}, "no token"},
		{Options{Token: "abc def", APIHost: doxHost, Line: -1}, "the token contains white space, control characters or {{ }}"},
		{Options{Token: "abc\ndef", APIHost: doxHost, Line: -1}, "the token contains white space, control characters or {{ }}"},
		{Options{Token: tokenA, APIHost: doxHost, Line: -1, Mode: "cookie"}, `unknown insert mode "cookie"`},
		{Options{Token: tokenA, APIHost: doxHost, Line: -1, Mode: ModeEnvFile, VariableName: "a b"}, `"a b" cannot be a variable name`},
		{Options{Token: tokenA, APIHost: doxHost, Line: -1, Mode: ModeVariable, VariableName: "$bad name"}, `"$bad name" cannot be a variable name`},
	} {
		plan := PlanEdits([]byte(src), tt.opts)
		if len(plan.Edits) != 0 || len(plan.Skipped) != 2 || plan.Skipped[1].Reason != tt.reason {
			t.Errorf("%s: %d edits, skipped %s", tt.reason, len(plan.Edits), reasons(plan))
		}
	}
}

func TestLineOption(t *testing.T) {
	src := "# top\n###\n# @name a\nGET https://" + doxHost + "/a\n\n{}\n###\nGET https://" + doxHost + "/b\n"
	for line, want := range map[int]string{2: "/a", 3: "/a", 5: "/a", 7: "/b", 8: "/b"} {
		out, plan := edit(t, src, Options{Token: tokenA, APIHost: doxHost, Line: line})
		if len(plan.Edits) != 1 {
			t.Errorf("line %d: %d edits", line, len(plan.Edits))
			continue
		}
		if !strings.Contains(out, want+"\nAuthorization: Bearer "+tokenA) {
			t.Errorf("line %d: the request %s did not get the header:\n%s", line, want, redact(out))
		}
	}
	for _, line := range []int{0, 1, 6, 42} {
		plan := PlanEdits([]byte(src), Options{Token: tokenA, APIHost: doxHost, Line: line})
		if len(plan.Edits) != 0 || reasons(plan) != "L"+strconv.Itoa(line)+" no request at this line" {
			t.Errorf("line %d: %d edits, skipped %s", line, len(plan.Edits), reasons(plan))
		}
	}
}

func TestRefreshOnly(t *testing.T) {
	src := strings.Join([]string{
		"@tok = " + tokenA,
		"@same = " + tokenB,
		"###",
		"GET https://" + doxHost + "/none",
		"###",
		"GET https://" + doxHost + "/literal",
		"Authorization: Bearer " + tokenA,
		"###",
		"GET https://" + doxHost + "/var",
		"Authorization: Bearer {{tok}}",
		"###",
		"GET https://" + doxHost + "/current",
		"Authorization: Bearer {{same}}",
		"###",
		"GET https://" + doxHost + "/empty",
		"Authorization: Bearer",
		"###",
		"GET https://elsewhere.example/",
		"Authorization: Bearer " + tokenA,
	}, "\n")
	for _, mode := range []Mode{ModeHeader, ModeVariable} {
		out, plan := edit(t, src, Options{Token: tokenB, APIHost: doxHost, Line: -1, RefreshOnly: true, Mode: mode})
		// Everything to DOX now holds token B; the foreign request keeps A.
		want := strings.Replace(strings.ReplaceAll(src, tokenA, tokenB), "elsewhere.example/\nAuthorization: Bearer "+tokenB, "elsewhere.example/\nAuthorization: Bearer "+tokenA, 1)
		if out != want {
			t.Errorf("%s mode:\n%s\nwant\n%s", mode, redact(out), redact(want))
		}
		if len(plan.Edits) != 2 {
			t.Errorf("%s mode: %d edits, want 2 (the literal and @tok)", mode, len(plan.Edits))
		}
		wantSkips := "L3 no Bearer token to refresh; L14 no Bearer token to refresh; L17 foreign host elsewhere.example"
		if got := reasons(plan); got != wantSkips {
			t.Errorf("%s mode: skipped %s, want %s", mode, got, wantSkips)
		}
	}
}

func TestVariableMode(t *testing.T) {
	dox := "https://" + doxHost + "/document-information-extraction/v1"
	opts := Options{Token: tokenA, APIHost: doxHost, Line: -1, Mode: ModeVariable}
	tests := []struct{ name, src, want string }{
		{"comments, blank, then a separator",
			"# DOX\n// more\n\n### caps\nGET " + dox + "/capabilities\n",
			"# DOX\n// more\n@doxToken = " + tokenA + "\n\n### caps\nGET " + dox + "/capabilities\nAuthorization: Bearer {{doxToken}}\n"},
		{"request in the first block gets a separator above it",
			"GET " + dox + "/capabilities\n",
			"@doxToken = " + tokenA + "\n\n###\nGET " + dox + "/capabilities\nAuthorization: Bearer {{doxToken}}\n"},
		{"comments on top of the request stay with it",
			"# capabilities\n# @name caps\nGET " + dox + "/capabilities\n",
			"@doxToken = " + tokenA + "\n\n###\n# capabilities\n# @name caps\nGET " + dox + "/capabilities\nAuthorization: Bearer {{doxToken}}\n"},
		{"existing variable updated in place, literal turned into a reference",
			"@doxToken = old\r\n\r\n###\r\nGET " + dox + "/x\r\nAuthorization: Bearer old\r\n",
			"@doxToken = " + tokenA + "\r\n\r\n###\r\nGET " + dox + "/x\r\nAuthorization: Bearer {{doxToken}}\r\n"},
		{"BOM and CRLF", bom + "@host = " + dox + "\r\n###\r\nGET {{host}}/x",
			bom + "@doxToken = " + tokenA + "\r\n\r\n@host = " + dox + "\r\n###\r\nGET {{host}}/x\r\nAuthorization: Bearer {{doxToken}}"},
		{"nothing for DOX: no variable",
			"GET https://api.example.com/\n", "GET https://api.example.com/\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, plan := edit(t, tt.src, opts)
			if got != tt.want {
				t.Errorf("result:\n%q\nwant:\n%q\nskipped: %s", redact(got), redact(tt.want), reasons(plan))
			}
		})
	}
	custom := opts
	custom.VariableName = "dox.token"
	got, _ := edit(t, "GET "+dox+"/x\n", custom)
	if want := "@dox.token = " + tokenA + "\n\n###\nGET " + dox + "/x\nAuthorization: Bearer {{dox.token}}\n"; got != want {
		t.Errorf("custom variable name:\n%q\nwant\n%q", redact(got), redact(want))
	}
}

func TestApply(t *testing.T) {
	src := []byte("abcdef")
	got := Apply(src, []Edit{{Start: 4, End: 6, NewText: "XY"}, {Start: 0, End: 0, NewText: ">"}, {Start: 2, End: 2, NewText: "-"}})
	if string(got) != ">ab-cdXY" {
		t.Errorf("Apply = %q, want >ab-cdXY", got)
	}
	if string(src) != "abcdef" {
		t.Errorf("Apply changed its input")
	}
	for _, bad := range [][]Edit{{{Start: 1, End: 3}, {Start: 2, End: 4}}, {{Start: 5, End: 7}}, {{Start: 3, End: 2}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Apply(%v) did not panic", bad)
				}
			}()
			Apply(src, bad)
		}()
	}
}

func TestTokens(t *testing.T) {
	src := strings.Join([]string{
		"@tok = 🧾var.token",
		"@computed = {{tok}}",
		"###",
		"GET https://" + doxHost + "/a",
		"Authorization: Bearer {{tok}}",
		"###",
		"GET https://other.example/b",
		"authorization: bearer  literal.one ",
		"###",
		"GET https://" + doxHost + "/c",
		"Authorization: Bearer {{tok}}",
		"###",
		"GET https://" + doxHost + "/d",
		"Authorization: Basic dTpw",
		"###",
		"GET https://" + doxHost + "/e",
		"Authorization: Bearer {{computed}}",
	}, "\n")
	var got []string
	for _, tr := range Tokens([]byte(src)) {
		got = append(got, tr.Token+"@"+fmtRange(tr.Range)+"#"+strconv.Itoa(tr.Line))
	}
	// @tok once although two requests use it; @computed is no token.
	want := "🧾var.token@0:7-0:18#0 literal.one@7:23-7:34#7"
	if strings.Join(got, " ") != want {
		t.Errorf("Tokens = %q, want %q", strings.Join(got, " "), want)
	}
}

// Request.Allowed is the rule PlanEdits applies: the language server uses
// it for code lenses.
func TestAllowedIsThePlannersRule(t *testing.T) {
	opts := Options{Token: tokenA, APIHost: doxHost, ExtraHosts: []string{"https://localhost:8080"}, Line: -1}
	for _, file := range corpus(t) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		skips := map[Skip]bool{}
		for _, s := range PlanEdits(src, opts).Skipped {
			skips[s] = true
		}
		for _, r := range Parse(src).Requests {
			ok, reason := r.Allowed(opts)
			if ok == (reason != "") {
				t.Errorf("%s:%d: Allowed = %v, %q", file, r.Line, ok, reason)
			}
			if !ok && !skips[Skip{Line: r.Line, Reason: reason}] {
				t.Errorf("%s:%d: Allowed says %q, PlanEdits did not skip it so", file, r.Line, reason)
			}
		}
	}
}
