package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

// The credentials of the keys in testdata/keys: the secret holds $ + / =.
const (
	testClientID = "sb-3f1c9a2e-7d4b-4c1a-9e0f-2b6d8a1c5e7f!b48751|dox-xsuaa-std-trial!b10844"
	testSecret   = "0f5b8c2d-1e4a-4b7f-9c3d-6a2e8f1b0c4d$Xk2+Qz/9a="
)

// noSecret fails when text holds one of secrets, without printing either.
func noSecret(t testing.TB, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains a secret or whole token (%d chars; not shown)", what, len(s))
		}
	}
}

// sameToken compares tokens printing only redacted forms.
func sameToken(t testing.TB, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("token = %s, want %s", Redact(got), Redact(want))
	}
}

// testCert makes a self-signed client certificate and its key in the
// given PEM encoding: "pkcs1", "pkcs8" or "ec".
func testCert(t testing.TB, notBefore, notAfter time.Time, enc string) (certPEM, keyPEM string) {
	t.Helper()
	var pub, priv any
	var keyBlock *pem.Block
	switch enc {
	case "pkcs1", "pkcs8":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		pub, priv = &k.PublicKey, k
		keyBlock = &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
	case "ec":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		pub, priv = &k.PublicKey, k
		keyBlock = &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
	}
	if enc == "pkcs8" {
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		keyBlock = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "sb-x509-client!b48751|dox-xsuaa-std-trial!b10844"},
		NotBefore:    notBefore, NotAfter: notAfter,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), string(pem.EncodeToMemory(keyBlock))
}

// x509Key is a cockpit key JSON for an x509 client with the given uaa fields.
func x509Key(t testing.TB, uaa map[string]any) []byte {
	t.Helper()
	u := map[string]any{
		"clientid": "sb-x509-client!b48751|dox-xsuaa-std-trial!b10844", "credential-type": "x509",
		"url": "https://mysub.authentication.us10.hana.ondemand.com", "certurl": "https://mysub.authentication.cert.us10.hana.ondemand.com",
	}
	for k, v := range uaa {
		if v == nil {
			delete(u, k)
		} else {
			u[k] = v
		}
	}
	b, err := json.Marshal(map[string]any{"url": "https://aiservices-trial-dox.cfapps.us10.hana.ondemand.com", "uaa": u})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
