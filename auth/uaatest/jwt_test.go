package uaatest_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
)

// verifyRS256 checks a JWT's signature with pub the way a resource server
// does, independently of the emulator's own code, and returns its parts.
func verifyRS256(t *testing.T, token string, pub *rsa.PublicKey) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %s has %d parts", redact(token), len(parts))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatalf("signature of %s: %v", redact(token), err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("signature of %s does not verify: %v", redact(token), err)
	}
	return segment(t, parts[0]), segment(t, parts[1])
}

func segment(t *testing.T, seg string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("JWT segment is not base64url: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("JWT segment is not JSON: %v", err)
	}
	return m
}

// verificationKey is the RSA public key from a service key's uaa.verificationkey.
func verificationKey(t *testing.T, s *uaatest.Server) *rsa.PublicKey {
	t.Helper()
	var key struct {
		UAA struct {
			VerificationKey string `json:"verificationkey"`
		} `json:"uaa"`
	}
	if err := json.Unmarshal(s.KeyJSON(uaatest.DefaultClient), &key); err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(key.UAA.VerificationKey))
	if block == nil {
		t.Fatal("uaa.verificationkey is not PEM")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatalf("uaa.verificationkey: %v", err)
	}
	return pub.(*rsa.PublicKey)
}

func fetchToken(t *testing.T, s *uaatest.Server) (token string, answer map[string]any) {
	t.Helper()
	a := do(t, nil, goodRequest(t, s))
	return wantToken(t, a), a.json(t)
}

func TestJWTClaims(t *testing.T) {
	now := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	zone := "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e"
	s := start(t, uaatest.Options{Now: func() time.Time { return now }, Zone: zone})
	token, ans := fetchToken(t, s)
	if ans["expires_in"] != float64(43199) {
		t.Errorf("expires_in %v, want 43199", ans["expires_in"])
	}
	header, c := verifyRS256(t, token, verificationKey(t, s))

	if header["alg"] != "RS256" || header["typ"] != "JWT" || header["jku"] != s.URL+"/token_keys" {
		t.Errorf("header %v", header)
	}
	if kid, _ := header["kid"].(string); !strings.HasPrefix(kid, "default-jwt-key-") {
		t.Errorf("kid %q", kid)
	}
	id := uaatest.DefaultClient.ID
	want := map[string]any{
		"client_id":  id,
		"cid":        id,
		"azp":        id,
		"sub":        id,
		"grant_type": "client_credentials",
		"zid":        zone,
		"iss":        s.URL + "/oauth/token",
		"iat":        float64(now.Unix()),
		"exp":        float64(now.Unix() + 43200),
		"jti":        ans["jti"],
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("claim %s = %v, want %v", k, c[k], v)
		}
	}
	ext, _ := c["ext_attr"].(map[string]any)
	if ext["enhancer"] != "XSUAA" || ext["subaccountid"] != zone || ext["zdn"] != "mysub" {
		t.Errorf("ext_attr %v", ext)
	}
	var scope []string
	for _, v := range c["scope"].([]any) {
		scope = append(scope, v.(string))
	}
	if strings.Join(scope, " ") != ans["scope"] {
		t.Errorf("scope claim %v differs from the answer's scope %q", scope, ans["scope"])
	}
	aud, _ := c["aud"].([]any)
	if !slices.Contains(aud, any(id)) {
		t.Errorf("aud %v lacks the client id", aud)
	}
	if rs, _ := c["rev_sig"].(string); rs == "" {
		t.Error("rev_sig missing")
	}
	// Expiry is judged by the emulator's clock, which still reads now.
	if err := s.VerifyToken(token); err != nil {
		t.Errorf("VerifyToken: %v", err)
	}
}

func TestTokenTTL(t *testing.T) {
	s := start(t, uaatest.Options{TokenTTL: 90 * time.Second})
	token, ans := fetchToken(t, s)
	if ans["expires_in"] != float64(90) {
		t.Errorf("expires_in %v, want 90", ans["expires_in"])
	}
	_, c := verifyRS256(t, token, verificationKey(t, s))
	if d := c["exp"].(float64) - c["iat"].(float64); d != 91 {
		t.Errorf("exp - iat = %v, want 91 (expires_in + the second UAA counts down)", d)
	}
}

// /token_keys publishes the key as a JWK that verifies the tokens.
func TestTokenKeys(t *testing.T) {
	s := start(t, uaatest.Options{})
	token, _ := fetchToken(t, s)
	req, err := http.NewRequest(http.MethodGet, s.URL+"/token_keys", nil)
	if err != nil {
		t.Fatal(err)
	}
	var jwks struct {
		Keys []struct{ Kty, Kid, Alg, N, E string }
	}
	if err := json.Unmarshal(do(t, nil, req).body, &jwks); err != nil || len(jwks.Keys) != 1 {
		t.Fatalf("token_keys: %v, %d keys", err, len(jwks.Keys))
	}
	k := jwks.Keys[0]
	n, errN := base64.RawURLEncoding.DecodeString(k.N)
	e, errE := base64.RawURLEncoding.DecodeString(k.E)
	if k.Kty != "RSA" || k.Alg != "RS256" || errN != nil || errE != nil {
		t.Fatalf("JWK %s/%s, n %v, e %v", k.Kty, k.Alg, errN, errE)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	header, _ := verifyRS256(t, token, pub)
	if header["kid"] != k.Kid {
		t.Errorf("token kid %v, JWK kid %q", header["kid"], k.Kid)
	}
}
