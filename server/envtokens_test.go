package server_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
)

// A token kept in the environment file (envFile mode) is shown like one
// written in the request file: hover and code lens on the header that names
// it, and a restarted server adopts it.
func TestEnvFileTokenIsHoveredCountedAndAdopted(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(map[string]any{"insertMode": "envFile"})
	src := "GET " + e.apiURL() + "/capabilities\n"
	u := c.open(filepath.Join(e.dir, "dox.http"), src)
	if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, nil); err != nil {
		t.Fatal(err)
	}
	tok := c.token(nil)
	if got := c.text(u); !strings.HasSuffix(got, "Authorization: Bearer {{doxToken}}\n") {
		t.Fatalf("request file: %q", redactJWTs(got))
	}

	var hover struct {
		Contents struct{ Value string } `json:"contents"`
	}
	c.must("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": u}, "position": map[string]any{"line": 1, "character": 25}}, &hover)
	if !strings.Contains(hover.Contents.Value, uaatest.DefaultClient.ID) || strings.Contains(hover.Contents.Value, tok.AccessToken) {
		t.Errorf("hover on {{doxToken}}: %q", redactIn(hover.Contents.Value, tok.AccessToken))
	}
	var lenses []struct {
		Command struct{ Title string } `json:"command"`
	}
	c.must("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": u}}, &lenses)
	if len(lenses) != 1 || !strings.HasPrefix(lenses[0].Command.Title, "DOX token expires in 1") {
		t.Errorf("code lenses: %+v", lenses)
	}
	c.shutdown()

	again := e.session(map[string]any{"insertMode": "envFile"})
	again.open(filepath.Join(e.dir, "dox.http"), c.text(u))
	adopted := again.token(nil)
	if !adopted.FromCache || adopted.AccessToken != tok.AccessToken || e.uaa.TokenRequests() != 1 {
		t.Errorf("after a restart: fromCache %v, same token %v, UAA requests %d", adopted.FromCache, adopted.AccessToken == tok.AccessToken, e.uaa.TokenRequests())
	}
}
