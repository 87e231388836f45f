package server_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/uri"

	"github.com/doxls/doxls/auth/uaatest"
)

// A token of the same client id issued by another UAA (another subaccount,
// or a test emulator) is never taken for this key's token.
func TestTokenOfAnotherIssuerIsNotAdopted(t *testing.T) {
	other := newEnv(t, uaatest.Options{})
	oc := other.session(nil)
	foreign := oc.token(nil)

	e := newEnv(t, uaatest.Options{})
	c := e.session(nil)
	c.open(filepath.Join(e.dir, "a.http"), "GET "+e.apiURL()+"/capabilities\nAuthorization: Bearer "+foreign.AccessToken+"\n")
	tok := c.token(nil)
	if tok.FromCache || tok.AccessToken == foreign.AccessToken {
		t.Errorf("the other UAA's token was adopted (fromCache %v)", tok.FromCache)
	}
	if n := e.uaa.TokenRequests(); n != 1 {
		t.Errorf("this UAA saw %d token requests, want 1", n)
	}
}

// The flow: requests.http holds a valid token, dox.serviceKey
// switches to a copy of the key with a wrong secret, Clear Token, Get
// Token. Clear means the next token comes from UAA, which refuses it: one
// error line and an error status, not the document's token "(cached)".
func TestClearThenWrongSecretAsksUAA(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(nil)
	tok := c.token(nil)
	c.open(filepath.Join(e.dir, "requests.http"), "GET "+e.apiURL()+"/capabilities\nAuthorization: Bearer "+tok.AccessToken+"\n")
	bad := uaatest.Client{ID: uaatest.DefaultClient.ID, Secret: "wrong+secret/$=!|"}
	e.write("bad-key.json", string(e.uaa.KeyJSON(bad)))
	if err := c.conn.Notify(context.Background(), "workspace/didChangeConfiguration",
		map[string]any{"settings": map[string]any{"dox": map[string]any{"serviceKey": "bad-key.json"}}}); err != nil {
		t.Fatal(err)
	}
	var cleared struct{ Cleared int }
	if err := c.command("doxls.clearToken", nil, &cleared); err != nil {
		t.Fatalf("clearToken: %v", err)
	}
	var res tokenResult
	err := c.command("doxls.getToken", nil, &res)
	if err == nil {
		t.Fatalf("getToken after clear with a wrong secret succeeded (fromCache %v, same token %v)", res.FromCache, res.AccessToken == tok.AccessToken)
	}
	msg := err.Error()
	if !strings.Contains(msg, "bad-key.json") || !strings.Contains(msg, "401") || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want one line naming bad-key.json and the 401", msg)
	}
	if strings.Contains(msg, bad.Secret) || strings.Contains(msg, tok.AccessToken) {
		t.Error("the error holds the secret or the token (not shown)")
	}
	st := c.waitStatus("error")
	if st.Key != "bad-key.json" {
		t.Errorf("error status for %q", st.Key)
	}
	if n := e.uaa.TokenRequests(); n != 2 {
		t.Errorf("UAA saw %d token requests, want 2 (the first token, then the refused one)", n)
	}
}

// A key file whose secret changes on disk is a new key: the token cached
// for the old credentials is not served, nor is the document's adopted.
func TestChangedKeyFileIsANewKey(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(nil)
	tok := c.token(nil)
	c.open(filepath.Join(e.dir, "requests.http"), "GET "+e.apiURL()+"/capabilities\nAuthorization: Bearer "+tok.AccessToken+"\n")
	bad := uaatest.Client{ID: uaatest.DefaultClient.ID, Secret: "rotated+secret/$=!|"}
	e.write("dox-key.json", string(e.uaa.KeyJSON(bad)))
	if err := c.conn.Notify(context.Background(), "workspace/didChangeWatchedFiles", map[string]any{
		"changes": []any{map[string]any{"uri": uri.File(e.key), "type": 2}},
	}); err != nil {
		t.Fatal(err)
	}
	var res tokenResult
	err := c.command("doxls.getToken", nil, &res)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("getToken with the changed key: err %v (fromCache %v)", err, res.FromCache)
	}
	if n := e.uaa.TokenRequests(); n != 2 {
		t.Errorf("UAA saw %d token requests, want 2", n)
	}
}
