package server_test

import (
	"path/filepath"
	"testing"

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
