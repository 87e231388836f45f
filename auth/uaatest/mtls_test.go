package uaatest_test

import (
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
)

const certClientID = "sb-7a2b9c4d-1e3f-4a5b-8c6d-0e1f2a3b4c5d!b48751|dox-xsuaa-std-trial!b10844"

// x509Key is the uaa object of an x509 service key.
type x509Key struct {
	URL            string `json:"url"`
	CertURL        string `json:"certurl"`
	ClientID       string `json:"clientid"`
	CredentialType string `json:"credential-type"`
	Certificate    string `json:"certificate"`
	Key            string `json:"key"`
}

func parseX509Key(t *testing.T, data []byte) x509Key {
	t.Helper()
	var k struct {
		UAA x509Key `json:"uaa"`
	}
	if err := json.Unmarshal(data, &k); err != nil {
		t.Fatalf("x509 key JSON: %v", err)
	}
	var raw struct {
		UAA map[string]any `json:"uaa"`
	}
	_ = json.Unmarshal(data, &raw)
	if _, ok := raw.UAA["clientsecret"]; ok {
		t.Error("x509 key has a clientsecret")
	}
	return k.UAA
}

// mtlsClient trusts the emulator's CA and presents cert/key when given.
func mtlsClient(t *testing.T, s *uaatest.Server, k *x509Key) *http.Client {
	t.Helper()
	conf := &tls.Config{RootCAs: s.CAPool}
	if k != nil {
		pair, err := tls.X509KeyPair([]byte(k.Certificate), []byte(k.Key))
		if err != nil {
			t.Fatalf("uaa.certificate/uaa.key: %v", err)
		}
		conf.Certificates = []tls.Certificate{pair}
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: conf}}
}

func certRequest(t *testing.T, certURL, clientID string) *http.Request {
	t.Helper()
	return tokenRequest(t, certURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}})
}

func TestX509KeyJSON(t *testing.T) {
	s := start(t, uaatest.Options{})
	k := parseX509Key(t, s.X509KeyJSON(certClientID, time.Hour))
	if k.CredentialType != "x509" || k.CertURL != s.CertURL || k.URL != s.URL || k.ClientID != certClientID {
		t.Errorf("uaa: credential-type %q, certurl %q, url %q, clientid %q", k.CredentialType, k.CertURL, k.URL, k.ClientID)
	}
	if n := strings.Count(k.Certificate, "-----BEGIN CERTIFICATE-----"); n != 2 {
		t.Errorf("uaa.certificate holds %d certificates, want the chain of 2", n)
	}
	if b, _ := pem.Decode([]byte(k.Key)); b == nil || b.Type != "PRIVATE KEY" {
		t.Errorf("uaa.key is not a PKCS#8 PEM key")
	}
}

func TestMutualTLSToken(t *testing.T) {
	s := start(t, uaatest.Options{})
	k := parseX509Key(t, s.X509KeyJSON(certClientID, time.Hour))
	token := wantToken(t, do(t, mtlsClient(t, s, &k), certRequest(t, k.CertURL, k.ClientID)))
	_, claims := verifyRS256(t, token, verificationKey(t, s))
	if claims["client_id"] != certClientID {
		t.Errorf("client_id claim %v, want %s", claims["client_id"], certClientID)
	}
	if n := s.TokenRequests(); n != 1 {
		t.Errorf("TokenRequests %d, want 1", n)
	}
}

// The key formats BTP and tools produce all work.
func TestMutualTLSKeyFormats(t *testing.T) {
	s := start(t, uaatest.Options{})
	for _, o := range []uaatest.X509Options{
		{KeyFormat: "pkcs1"},
		{ECDSA: true},
		{ECDSA: true, KeyFormat: "ec"},
	} {
		k := parseX509Key(t, s.X509Key(certClientID, o))
		wantToken(t, do(t, mtlsClient(t, s, &k), certRequest(t, k.CertURL, k.ClientID)))
	}
}

func TestMutualTLSRefusals(t *testing.T) {
	s := start(t, uaatest.Options{})
	good := parseX509Key(t, s.X509KeyJSON(certClientID, time.Hour))
	expired := parseX509Key(t, s.X509KeyJSON(certClientID, -time.Hour))
	other := start(t, uaatest.Options{})
	foreign := parseX509Key(t, other.X509KeyJSON(certClientID, time.Hour))
	c := uaatest.DefaultClient

	cases := []struct {
		name        string
		key         *x509Key
		req         *http.Request
		description string
	}{
		{"no client certificate", nil, certRequest(t, s.CertURL, certClientID), "Full authentication is required to access this resource"},
		{"expired certificate", &expired, certRequest(t, s.CertURL, certClientID), "Bad credentials"},
		{"certificate of another client id", &good, certRequest(t, s.CertURL, "sb-someone-else!b1|dox!b2"), "Bad credentials"},
		{"certificate without client_id", &good, tokenRequest(t, s.CertURL, clientCredentials), "Bad credentials"},
		// Both emulators' CAs have the same name, so the client sends the
		// certificate and the server must check the signature.
		{"certificate from another CA", &foreign, certRequest(t, s.CertURL, certClientID), "Bad credentials"},
		{"client secret instead of a certificate", nil, func() *http.Request {
			r := tokenRequest(t, s.CertURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ID}, "client_secret": {c.Secret}})
			r.Header.Set("Authorization", basic(c.ID, c.Secret))
			return r
		}(), "Full authentication is required to access this resource"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantUnauthorized(t, do(t, mtlsClient(t, s, tc.key), tc.req), tc.description)
		})
	}
	if n := s.TokenRequests(); n != len(cases) {
		t.Errorf("TokenRequests %d, want %d", n, len(cases))
	}
}

// The certurl serves a certificate for every loopback name, and only POST.
func TestCertURLServer(t *testing.T) {
	s := start(t, uaatest.Options{})
	k := parseX509Key(t, s.X509KeyJSON(certClientID, time.Hour))
	localhost := strings.Replace(s.CertURL, "127.0.0.1", "localhost", 1)
	wantToken(t, do(t, mtlsClient(t, s, &k), certRequest(t, localhost, certClientID)))

	get, err := http.NewRequest(http.MethodGet, s.CertURL+"/oauth/token?grant_type=client_credentials&client_id="+url.QueryEscape(certClientID), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := do(t, mtlsClient(t, s, &k), get); a.status != http.StatusMethodNotAllowed {
		t.Errorf("GET on certurl: status %d, want 405", a.status)
	}
	// A client that does not trust the emulator's CA fails the handshake.
	if _, err := http.DefaultClient.Do(certRequest(t, s.CertURL, certClientID)); err == nil {
		t.Error("certurl answered a client that does not trust its CA")
	}
}
