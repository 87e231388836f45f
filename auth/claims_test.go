package auth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// jwt builds an unsigned-looking JWT with the given payload.
func jwt(t testing.TB, payload any) string {
	t.Helper()
	p, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","jku":"https://mysub.authentication.us10.hana.ondemand.com/token_keys","kid":"default-jwt-key-1","typ":"JWT"}`)) +
		"." + enc(p) + "." + enc([]byte("signature-bytes-not-checked"))
}

func TestParseClaims(t *testing.T) {
	iat := time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)
	uaaToken := jwt(t, map[string]any{
		"jti": "8f2e…", "ext_attr": map[string]any{"enhancer": "XSUAA", "subaccountid": "7d0f"},
		"sub": testClientID, "scope": []string{"uaa.resource", "dox-xsuaa-std-trial!b10844.Callback"},
		"client_id": testClientID, "cid": testClientID, "azp": testClientID, "grant_type": "client_credentials",
		"rev_sig": "1a2b", "iat": iat.Unix(), "exp": iat.Unix() + 43199,
		"iss": "https://mysub.authentication.us10.hana.ondemand.com/oauth/token", "zid": "a1b2c3d4-e5f6-4789-8abc-def012345678",
		"aud": []string{"uaa", "dox-xsuaa-std-trial!b10844"},
	})
	want := Claims{
		ClientID: testClientID, ZoneID: "a1b2c3d4-e5f6-4789-8abc-def012345678",
		Scopes:   []string{"uaa.resource", "dox-xsuaa-std-trial!b10844.Callback"},
		IssuedAt: iat, ExpiresAt: iat.Add(43199 * time.Second),
		Issuer: "https://mysub.authentication.us10.hana.ondemand.com/oauth/token", GrantType: "client_credentials",
	}
	for name, tok := range map[string]string{"plain": uaaToken, "with Bearer": "Bearer " + uaaToken + "\r\n", "padded": strings.Replace(uaaToken, ".", "==.", 1)} {
		c, err := ParseClaims(tok)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(c, want) {
			t.Errorf("%s: claims = %+v\nwant %+v", name, c, want)
		}
	}
	// cid when client_id is absent; scope as a string; fractional times.
	c, err := ParseClaims(jwt(t, map[string]any{"cid": "c1", "scope": "a b", "iat": 1700000000.5, "exp": "soon", "iss": 5}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientID != "c1" || !reflect.DeepEqual(c.Scopes, []string{"a", "b"}) || c.IssuedAt.UnixMilli() != 1700000000500 || !c.ExpiresAt.IsZero() || c.Issuer != "" {
		t.Errorf("claims = %+v", c)
	}
}

func TestParseClaimsErrors(t *testing.T) {
	secretish := "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln" // payload "not json"
	for tok, want := range map[string]string{
		"":                   "not a JWT: it does not have three dot-separated parts",
		"opaque-token-value": "not a JWT: it does not have three dot-separated parts",
		"a.!!!.c":            "not a JWT: its payload is not base64url",
		secretish:            "not a JWT: its payload is not a JSON object",
		"a." + base64.RawURLEncoding.EncodeToString([]byte(`["exp"]`)) + ".c": "not a JWT: its payload is not a JSON object",
	} {
		_, err := ParseClaims(tok)
		if err == nil || err.Error() != want || !errors.Is(err, ErrNotJWT) {
			t.Errorf("ParseClaims(%s) error = %v, want %s", Redact(tok), err, want)
		}
		noSecret(t, "error", err.Error(), tok)
	}
}

func TestRedact(t *testing.T) {
	tok := jwt(t, map[string]any{"client_id": testClientID})
	r := Redact(tok)
	if !strings.HasPrefix(r, "eyJhbGciOi…(") || !strings.HasSuffix(r, " chars)") || len(r) > 30 {
		t.Errorf("Redact = %q", r)
	}
	if Redact("") != "(empty token)" || Redact("abc") != "(3 chars)" || Redact("0123456789") != "01…(10 chars)" {
		t.Errorf("short tokens: %q %q %q", Redact(""), Redact("abc"), Redact("0123456789"))
	}
}
