package auth

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseKey: any input gives a key or a one-line error, never a panic,
// and a secret the input holds never shows up in the error.
func FuzzParseKey(f *testing.F) {
	files, _ := filepath.Glob("testdata/keys/*")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKey("fuzz.json", data)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.json") || strings.Contains(msg, "\n") {
				t.Fatalf("error is not one line naming the input: %q", msg)
			}
			if s := inputSecret(data); len(s) >= 8 && strings.ContainsAny(s, "$|") {
				noSecret(t, "error", msg, s)
			}
			return
		}
		if k.UAA.ClientID == "" || (k.UAA.ClientSecret == "" && !k.IsX509()) {
			t.Fatalf("key without client id or secret accepted")
		}
		if !strings.HasSuffix(k.TokenURL(), "/oauth/token") {
			t.Fatalf("token URL %q", k.TokenURL())
		}
		_ = k.APIHost()
	})
}

// inputSecret is uaa.clientsecret of a cockpit-shaped input, if any.
func inputSecret(data []byte) string {
	var k struct {
		UAA struct {
			Secret string `json:"clientsecret"`
		} `json:"uaa"`
	}
	if i := strings.IndexByte(string(data), '{'); i >= 0 {
		_ = json.Unmarshal(data[i:], &k)
	}
	return k.UAA.Secret
}

// FuzzParseClaims: any text gives claims or an error that does not repeat it.
func FuzzParseClaims(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJjbGllbnRfaWQiOiJzYi14IWIxfGRveCFiMiIsInNjb3BlIjpbImEiLCJiIl0sImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDQzMjAwLCJ6aWQiOiJ6In0.c2ln")
	f.Add("Bearer eyJhbGciOiJIUzI1NiJ9.eyJjaWQiOiJjIiwic2NvcGUiOiJhIGIiLCJleHAiOjEuNWU5fQ.")
	f.Add("a.b.c")
	f.Add("not a token")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := ParseClaims(tok)
		if err != nil {
			if len(tok) >= 12 && strings.Contains(err.Error(), tok) {
				t.Fatal("error repeats the token")
			}
			return
		}
		for _, s := range c.Scopes {
			if s == "" && !utf8.ValidString(s) {
				t.Fatalf("bad scope")
			}
		}
		if !c.ExpiresAt.IsZero() && c.ExpiresAt.Year() > 5000 {
			t.Fatalf("absurd expiry %v", c.ExpiresAt)
		}
		_ = Redact(tok)
	})
}
