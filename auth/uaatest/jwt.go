package uaatest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// signer holds the RSA key tokens are signed with. Generating a 2048-bit key
// takes long under the race detector, so one key serves every Server of the
// process; each Server still only accepts tokens with its own issuer.
type signer struct {
	key    *rsa.PrivateKey
	kid    string
	pubPEM string
}

var (
	signerOnce sync.Once
	theSigner  *signer
	signerErr  error
)

func processSigner() (*signer, error) {
	signerOnce.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			signerErr = fmt.Errorf("uaatest: generate token signing key: %w", err)
			return
		}
		der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			signerErr = fmt.Errorf("uaatest: encode token signing key: %w", err)
			return
		}
		sum := sha256.Sum256(der)
		theSigner = &signer{
			key:    key,
			kid:    "default-jwt-key-" + hex.EncodeToString(sum[:5]),
			pubPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
		}
	})
	return theSigner, signerErr
}

type jwtHeader struct {
	Alg string `json:"alg"`
	JKU string `json:"jku"`
	KID string `json:"kid"`
	Typ string `json:"typ"`
}

// claims is the payload of an XSUAA client-credentials token.
type claims struct {
	JTI         string   `json:"jti"`
	ExtAttr     extAttr  `json:"ext_attr"`
	Sub         string   `json:"sub"`
	Authorities []string `json:"authorities"`
	Scope       []string `json:"scope"`
	ClientID    string   `json:"client_id"`
	CID         string   `json:"cid"`
	AZP         string   `json:"azp"`
	GrantType   string   `json:"grant_type"`
	RevSig      string   `json:"rev_sig"`
	IAT         int64    `json:"iat"`
	Exp         int64    `json:"exp"`
	Iss         string   `json:"iss"`
	ZID         string   `json:"zid"`
	Aud         []string `json:"aud"`
}

type extAttr struct {
	Enhancer          string `json:"enhancer"`
	SubaccountID      string `json:"subaccountid"`
	ZDN               string `json:"zdn"`
	ServiceInstanceID string `json:"serviceinstanceid"`
}

// scopes of a DOX binding's client-credentials token.
var scopes = []string{"uaa.resource", "xs_user.read", "xs_user.write"}

const serviceInstanceID = "9d2c4b1e-5f7a-4e3c-b8d6-0a1f2e3c4d5b"

// issue makes the token answer for an authenticated client.
func (s *Server) issue(clientID string) (tokenAnswer, error) {
	jti := randomHex(16)
	ttl := int64(math.Ceil(s.opts.TokenTTL.Seconds()))
	iat := s.now().Unix()
	rev := sha256.Sum256([]byte(clientID))
	c := claims{
		JTI: jti,
		ExtAttr: extAttr{
			Enhancer:          "XSUAA",
			SubaccountID:      s.opts.Zone,
			ZDN:               subdomain,
			ServiceInstanceID: serviceInstanceID,
		},
		Sub:         clientID,
		Authorities: scopes,
		Scope:       scopes,
		ClientID:    clientID,
		CID:         clientID,
		AZP:         clientID,
		GrantType:   grantClientCredentials,
		RevSig:      hex.EncodeToString(rev[:4]),
		IAT:         iat,
		// UAA signs for 43200 s and answers expires_in 43199: the answer
		// counts down the second it took.
		Exp: iat + ttl + 1,
		Iss: s.issuer(),
		ZID: s.opts.Zone,
		Aud: []string{"uaa", "xs_user", clientID},
	}
	tok, err := s.signer.sign(jwtHeader{Alg: "RS256", JKU: s.URL + "/token_keys", KID: s.signer.kid, Typ: "JWT"}, c)
	if err != nil {
		return tokenAnswer{}, err
	}
	return tokenAnswer{
		AccessToken: tok,
		TokenType:   "bearer",
		ExpiresIn:   &ttl,
		Scope:       strings.Join(scopes, " "),
		JTI:         jti,
	}, nil
}

func (k *signer) sign(h jwtHeader, c claims) (string, error) {
	hj, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	cj, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	input := b64(hj) + "." + b64(cj)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return input + "." + b64(sig), nil
}

// VerifyToken reports whether token is an unexpired RS256 token issued by
// this emulator, as a resource server (the DOX API) checks it. The error
// never contains the token.
func (s *Server) VerifyToken(token string) error {
	_, err := s.verify(token)
	return err
}

func (s *Server) verify(token string) (claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims{}, errors.New("not a JWT: want 3 dot-separated parts")
	}
	var h jwtHeader
	if err := decodeSegment(parts[0], &h); err != nil {
		return claims{}, fmt.Errorf("JWT header: %w", err)
	}
	if h.Alg != "RS256" || h.KID != s.signer.kid {
		return claims{}, fmt.Errorf("JWT header: alg %q kid %q is not this emulator's key", h.Alg, h.KID)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return claims{}, errors.New("JWT signature is not base64url")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&s.signer.key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		return claims{}, errors.New("JWT signature does not verify")
	}
	var c claims
	if err := decodeSegment(parts[1], &c); err != nil {
		return claims{}, fmt.Errorf("JWT payload: %w", err)
	}
	if c.Iss != s.issuer() {
		return claims{}, fmt.Errorf("JWT issuer %q is not %q", c.Iss, s.issuer())
	}
	if now := s.now(); now.Unix() >= c.Exp {
		return claims{}, fmt.Errorf("JWT expired at %s", time.Unix(c.Exp, 0).UTC().Format(time.RFC3339))
	}
	return c, nil
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return errors.New("not base64url")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return errors.New("not JSON")
	}
	return nil
}

// handleTokenKeys serves the JWKS that resource servers verify tokens with.
func (s *Server) handleTokenKeys(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeJSON(w, http.StatusMethodNotAllowed, oauthError{"method_not_allowed", "Request method '" + r.Method + "' not supported"})
		return
	}
	pub := s.signer.key.PublicKey
	key := map[string]string{
		"kty":   "RSA",
		"e":     b64(big.NewInt(int64(pub.E)).Bytes()),
		"use":   "sig",
		"kid":   s.signer.kid,
		"alg":   "RS256",
		"value": s.signer.pubPEM,
		"n":     b64(pub.N.Bytes()),
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{key}})
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// randomHex is n random bytes in hex; crypto/rand.Read never fails.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
