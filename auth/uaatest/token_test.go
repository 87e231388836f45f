package uaatest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
)

// The default client's secret holds every character that breaks naive
// clients; these are the ways a client can present it.
func TestSecretClientRoutes(t *testing.T) {
	c := uaatest.DefaultClient
	enc := url.QueryEscape
	tests := []struct {
		name         string
		alwaysDecode bool
		req          func(t *testing.T, base string) *http.Request
		wantOK       bool
	}{
		{"verbatim Basic, compatibility mode", false, func(t *testing.T, base string) *http.Request {
			r := tokenRequest(t, base, clientCredentials)
			r.Header.Set("Authorization", basic(c.ID, c.Secret))
			return r
		}, true},
		{"URL-encoded Basic with X-CF-ENCODED-CREDENTIALS", false, func(t *testing.T, base string) *http.Request {
			r := tokenRequest(t, base, clientCredentials)
			r.Header.Set("Authorization", basic(enc(c.ID), enc(c.Secret)))
			r.Header.Set("X-CF-ENCODED-CREDENTIALS", "true")
			return r
		}, true},
		{"URL-encoded Basic without the header is taken verbatim", false, func(t *testing.T, base string) *http.Request {
			r := tokenRequest(t, base, clientCredentials)
			r.Header.Set("Authorization", basic(enc(c.ID), enc(c.Secret)))
			return r
		}, false},
		{"form body credentials", false, func(t *testing.T, base string) *http.Request {
			return tokenRequest(t, base, url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ID}, "client_secret": {c.Secret}})
		}, true},
		{"browser GET with Basic", false, func(t *testing.T, base string) *http.Request {
			r, err := http.NewRequest(http.MethodGet, base+"/oauth/token?grant_type=client_credentials", nil)
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Authorization", basic(c.ID, c.Secret))
			return r
		}, true},
		{"verbatim Basic with + when UAA always decodes", true, func(t *testing.T, base string) *http.Request {
			r := tokenRequest(t, base, clientCredentials)
			r.Header.Set("Authorization", basic(c.ID, c.Secret))
			return r
		}, false},
		{"URL-encoded Basic when UAA always decodes", true, func(t *testing.T, base string) *http.Request {
			r := tokenRequest(t, base, clientCredentials)
			r.Header.Set("Authorization", basic(enc(c.ID), enc(c.Secret)))
			return r
		}, true},
		{"URL-encoded Basic with the header when UAA always decodes", true, func(t *testing.T, base string) *http.Request {
			r := tokenRequest(t, base, clientCredentials)
			r.Header.Set("Authorization", basic(enc(c.ID), enc(c.Secret)))
			r.Header.Set("X-Cf-Encoded-Credentials", "TRUE")
			return r
		}, true},
		{"form body credentials when UAA always decodes", true, func(t *testing.T, base string) *http.Request {
			return tokenRequest(t, base, url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ID}, "client_secret": {c.Secret}})
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, uaatest.Options{AlwaysDecode: tt.alwaysDecode})
			a := do(t, nil, tt.req(t, s.URL))
			if tt.wantOK {
				wantToken(t, a)
			} else {
				wantUnauthorized(t, a, "Bad credentials")
			}
			if n := s.TokenRequests(); n != 1 {
				t.Errorf("TokenRequests %d, want 1", n)
			}
		})
	}
}

func TestClientAuthenticationFailures(t *testing.T) {
	s := start(t, uaatest.Options{})
	c := uaatest.DefaultClient
	cases := []struct {
		name, auth  string
		form        url.Values
		description string
	}{
		{"wrong secret", basic(c.ID, c.Secret+"x"), clientCredentials, "Bad credentials"},
		{"unknown client", basic("sb-unknown!b1|dox!b2", c.Secret), clientCredentials, "Bad credentials"},
		{"Basic without a colon", "Basic " + "c2ItdW5rbm93bg==", clientCredentials, "Bad credentials"},
		{"Basic that is not base64", "Basic %%%", clientCredentials, "Bad credentials"},
		{"form secret wrong", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ID}, "client_secret": {"nope"}}, "Bad credentials"},
		{"form without secret", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ID}}, "Bad credentials"},
		{"no credentials", "", clientCredentials, "Full authentication is required to access this resource"},
		{"Bearer instead of Basic", "Bearer abc", clientCredentials, "Full authentication is required to access this resource"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tokenRequest(t, s.URL, tc.form)
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			wantUnauthorized(t, do(t, nil, r), tc.description)
		})
	}
}

// An x509 client has no secret, so the secret route must never let it in,
// not even with an empty secret.
func TestX509ClientCannotUseSecretRoute(t *testing.T) {
	s := start(t, uaatest.Options{})
	s.X509KeyJSON("sb-cert-client!b1|dox!b2", 0)
	r := tokenRequest(t, s.URL, url.Values{"grant_type": {"client_credentials"}, "client_id": {"sb-cert-client!b1|dox!b2"}, "client_secret": {""}})
	wantUnauthorized(t, do(t, nil, r), "Bad credentials")
}

func TestRequestErrors(t *testing.T) {
	s := start(t, uaatest.Options{})
	c := uaatest.DefaultClient
	cases := []struct {
		name       string
		method     string
		target     string
		body       string
		wantStatus int
		wantError  string
	}{
		{"missing grant_type", "POST", "/oauth/token", "", 400, "invalid_request"},
		{"password grant", "POST", "/oauth/token", "grant_type=password&username=a&password=b", 400, "unsupported_grant_type"},
		{"grant_type in the query of a POST", "POST", "/oauth/token?grant_type=client_credentials", "", 406, "query_string_not_allowed"},
		{"PUT", "PUT", "/oauth/token", "grant_type=client_credentials", 405, "method_not_allowed"},
		{"GET without grant_type", "GET", "/oauth/token", "", 400, "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest(tc.method, s.URL+tc.target, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Authorization", basic(c.ID, c.Secret))
			a := do(t, nil, r)
			if a.status != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", a.status, tc.wantStatus, a.body)
			}
			if ct := a.header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if got := a.json(t)["error"]; got != tc.wantError {
				t.Errorf("error %v, want %s", got, tc.wantError)
			}
		})
	}
}

// The key JSON has the cockpit shape, and its own credentials work.
func TestKeyJSON(t *testing.T) {
	s := start(t, uaatest.Options{})
	var key struct {
		URL       string `json:"url"`
		Swagger   string `json:"swagger"`
		Endpoints struct {
			Backend struct {
				URL string `json:"url"`
			} `json:"backend"`
		} `json:"endpoints"`
		UAA map[string]string `json:"uaa"`
	}
	if err := json.Unmarshal(s.KeyJSON(uaatest.DefaultClient), &key); err != nil {
		t.Fatalf("KeyJSON is not JSON: %v", err)
	}
	if key.URL != s.APIURL || key.Endpoints.Backend.URL != s.APIURL {
		t.Errorf("url %q, endpoints.backend.url %q, want %q", key.URL, key.Endpoints.Backend.URL, s.APIURL)
	}
	if key.Swagger != "/document-information-extraction/v1/" {
		t.Errorf("swagger %q", key.Swagger)
	}
	want := map[string]string{
		"url":             s.URL,
		"clientid":        uaatest.DefaultClient.ID,
		"credential-type": "binding-secret",
		"identityzone":    "mysub",
		"uaadomain":       "authentication.us10.hana.ondemand.com",
		"xsappname":       strings.TrimPrefix(uaatest.DefaultClient.ID, "sb-"),
	}
	for k, v := range want {
		if key.UAA[k] != v {
			t.Errorf("uaa.%s = %q, want %q", k, key.UAA[k], v)
		}
	}
	if key.UAA["clientsecret"] != uaatest.DefaultClient.Secret {
		t.Errorf("uaa.clientsecret is %s, want the client's secret", redact(key.UAA["clientsecret"]))
	}
	if !strings.HasPrefix(key.UAA["verificationkey"], "-----BEGIN PUBLIC KEY-----") {
		t.Errorf("uaa.verificationkey is not a PEM public key")
	}
	r := tokenRequest(t, key.UAA["url"], clientCredentials)
	r.Header.Set("Authorization", basic(key.UAA["clientid"], key.UAA["clientsecret"]))
	wantToken(t, do(t, nil, r))
}

// Clients given in Options replace the default one.
func TestCustomClients(t *testing.T) {
	other := uaatest.Client{ID: "sb-other!b9|dox-xsuaa-std-trial!b10844", Secret: "a+b/c=d$e:f!g|h"}
	s := start(t, uaatest.Options{Clients: []uaatest.Client{other}})
	r := tokenRequest(t, s.URL, clientCredentials)
	r.Header.Set("Authorization", basic(other.ID, other.Secret))
	wantToken(t, do(t, nil, r))
	r = tokenRequest(t, s.URL, clientCredentials)
	r.Header.Set("Authorization", basic(uaatest.DefaultClient.ID, uaatest.DefaultClient.Secret))
	wantUnauthorized(t, do(t, nil, r), "Bad credentials")
}
