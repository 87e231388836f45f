package httpfile

import (
	"strings"
	"testing"
)

const tenantHost = "mysub.eu10.doc.cloud.sap"

// TestWhereTheTokenGoes: where the token goes, request by request (issue 12: the
// URL read as clients read it, https only, the tenant UI host).
func TestWhereTheTokenGoes(t *testing.T) {
	dox := "/document-information-extraction/v1/capabilities"
	tests := []struct {
		url, reason string // reason "" means the request gets the token
	}{
		{"https://" + doxHost + dox, ""},
		{"https://" + strings.ToUpper(doxHost) + ":443" + dox, ""},
		{"https://user:pa$$@" + doxHost + dox, ""},
		// httpyac, REST Client and browsers read "\" as the end of the
		// authority: this request goes to evil.example.
		{`https://evil.example\@` + doxHost + dox, "foreign host evil.example"},
		{`http://evil.example\@` + doxHost + dox, "foreign host evil.example"},
		{"https://evil.example%5C@" + doxHost + dox, ""}, // an escaped "\" is userinfo
		{"https://evil.example#@" + doxHost + dox, "foreign host evil.example"},
		{"https://evil.example?@" + doxHost + dox, "foreign host evil.example"},
		{"https://ev\til.example/@" + doxHost + dox, "foreign host evil.example"},
		{"https://" + doxHost + ".evil.example" + dox, "foreign host " + doxHost + ".evil.example"},
		// Clear text: http:// and no scheme at all (REST Client and
		// JetBrains put http:// in front of it).
		{"http://" + doxHost + dox, "the URL is http://, the token would travel in clear text: write https://"},
		{doxHost + dox, "no https:// in the URL: REST Client and JetBrains send a URL without a scheme over plain http"},
		{doxHost + ":443" + dox, "no https:// in the URL: REST Client and JetBrains send a URL without a scheme over plain http"},
		{"wss://" + doxHost + dox, "the URL is wss://, the token goes only over https"},
		// The key's Swagger UI host (tenantuiurl) is its own too.
		{"https://" + tenantHost + "/swagger/index.html", ""},
		{"http://" + tenantHost + "/swagger/index.html", "the URL is http://, the token would travel in clear text: write https://"},
		{"https://" + doxHost + ":8443" + dox, "foreign host " + doxHost + ":8443"},
		{"https://ex%00.com/", "the URL is not one an HTTP client can send"},
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

// TestLoopbackOverHTTP: a key whose API runs on this machine (the tests'
// UAA emulator, a local mock) takes the token over http, in each form the
// standard reads as loopback; another host does not.
func TestLoopbackOverHTTP(t *testing.T) {
	tests := map[string]struct {
		api, url string
		ok       bool
	}{
		"ipv4":          {"127.0.0.1:8080", "http://127.0.0.1:8080/x", true},
		"short ipv4":    {"127.0.0.1:8080", "http://127.1:8080/x", true},
		"hex ipv4":      {"127.0.0.1:8080", "http://0x7f.1:8080/x", true},
		"integer ipv4":  {"127.0.0.1:8080", "http://2130706433:8080/x", true},
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
		{"the chosen environment is not", envs, "evil", "with environment evil: foreign host evil.example"},
		{"unknown environment: every one must agree", envs, "", "with environment evil: foreign host evil.example"},
		{"unknown environment, all agree", map[string]map[string]string{"dev": {"host": doxHost}, "prod": {"host": doxHost + ":443"}}, "", ""},
		{"from $shared", map[string]map[string]string{"$shared": {"host": "evil.example"}, "dev": {}}, "dev", "with environment dev: foreign host evil.example"},
		{"a value with a backslash", map[string]map[string]string{"dev": {"host": `evil.example\@` + doxHost}}, "dev", "with environment dev: foreign host evil.example"},
		{"a value with a slash", map[string]map[string]string{"dev": {"host": "evil.example/"}}, "", "with environment dev: foreign host evil.example"},
		{"defined nowhere: the path rule", map[string]map[string]string{"dev": {"x": "y"}}, "", ""},
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
	// A scheme from the environment counts too.
	plan := PlanEdits([]byte("GET {{base}}/document-information-extraction/v1/x\n"), Options{Token: tokenA, APIHost: doxHost, Line: -1,
		Environments: map[string]map[string]string{"dev": {"base": "http://" + doxHost}}})
	if len(plan.Skipped) != 1 || !strings.Contains(plan.Skipped[0].Reason, "clear text") {
		t.Errorf("http:// from the environment: %v", plan.Skipped)
	}
}
