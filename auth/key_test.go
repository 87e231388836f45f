package auth

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	wantAPI  = "https://aiservices-trial-dox.cfapps.us10.hana.ondemand.com"
	wantUAA  = "https://mysub.authentication.us10.hana.ondemand.com"
	wantSwag = "https://mysub.aiservices-trial-dox.cfapps.us10.hana.ondemand.com/document-information-extraction/v1/"
)

func TestLoadKeyForms(t *testing.T) {
	for _, tc := range []struct{ file, api, swagger string }{
		{"cockpit.json", wantAPI, wantSwag},
		{"cf-v8.txt", wantAPI, wantSwag},        // header line, blank line, {"credentials": …}
		{"cf-v6.txt", wantAPI, wantSwag},        // header line, then the key itself
		{"uaa-only.json", "", ""},               // the uaa object alone: no API URL
		{"vcap.json", wantAPI, wantSwag},        // VCAP_SERVICES saved to a file
		{"default-env.json", wantAPI, wantSwag}, // {"VCAP_SERVICES": …} of CAP projects
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "keys", tc.file)
			k, err := LoadKey(path)
			if err != nil {
				t.Fatal(err)
			}
			abs, _ := filepath.Abs(path)
			if k.ID != path || k.Path != abs {
				t.Errorf("ID, Path = %q, %q; want %q, %q", k.ID, k.Path, path, abs)
			}
			if k.UAA.ClientID != testClientID || k.UAA.ClientSecret != testSecret {
				t.Errorf("client id %q or secret (%d chars) not read as in the file", k.UAA.ClientID, len(k.UAA.ClientSecret))
			}
			if k.UAA.URL != wantUAA || k.TokenURL() != wantUAA+"/oauth/token" {
				t.Errorf("uaa url %q, token url %q", k.UAA.URL, k.TokenURL())
			}
			if k.APIURL != tc.api || k.SwaggerURL != tc.swagger {
				t.Errorf("APIURL, SwaggerURL = %q, %q; want %q, %q", k.APIURL, k.SwaggerURL, tc.api, tc.swagger)
			}
			if k.UAA.IdentityZone != "mysub" || k.UAA.UAADomain != "authentication.us10.hana.ondemand.com" {
				t.Errorf("identityzone %q, uaadomain %q", k.UAA.IdentityZone, k.UAA.UAADomain)
			}
		})
	}
}

func TestKeysFromEnv(t *testing.T) {
	vcap, _ := os.ReadFile("testdata/keys/vcap.json")
	cockpit, _ := os.ReadFile("testdata/keys/cockpit.json")
	path := filepath.Join("testdata", "keys", "cf-v8.txt")
	for _, tc := range []struct {
		name string
		env  map[string]string
		ids  []string
	}{
		{"none", nil, nil},
		{"VCAP_SERVICES", map[string]string{"VCAP_SERVICES": string(vcap)}, []string{"env:VCAP_SERVICES"}},
		{"DOX_SERVICE_KEY json", map[string]string{"DOX_SERVICE_KEY": string(cockpit)}, []string{"env:DOX_SERVICE_KEY"}},
		{"DOX_SERVICE_KEY path", map[string]string{"DOX_SERVICE_KEY": path}, []string{"env:DOX_SERVICE_KEY"}},
		{"both", map[string]string{"VCAP_SERVICES": string(vcap), "DOX_SERVICE_KEY": path}, []string{"env:VCAP_SERVICES", "env:DOX_SERVICE_KEY"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := KeysFromEnv(func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, k := range keys {
				ids = append(ids, k.ID)
				if k.Path != "" || k.UAA.ClientID != testClientID || k.APIURL != wantAPI {
					t.Errorf("%s: Path %q, client %q, api %q", k.ID, k.Path, k.UAA.ClientID, k.APIURL)
				}
			}
			if fmt.Sprint(ids) != fmt.Sprint(tc.ids) {
				t.Errorf("ids = %v, want %v", ids, tc.ids)
			}
		})
	}
}

func TestKeysFromEnvErrors(t *testing.T) {
	for _, tc := range []struct{ name, vcap, dox, want string }{
		{"dox path missing", "", "nope/key.json", "nope/key.json: no such file (named by DOX_SERVICE_KEY)"},
		{"dox json broken", "", `{"uaa": {"clientid": "x",}}`, "DOX_SERVICE_KEY:1:26: invalid JSON: invalid character '}' looking for beginning of object key string"},
		{"vcap without dox", `{"xsuaa": [{"label": "xsuaa", "credentials": {"clientid": "a", "clientsecret": "b", "url": "https://x"}}]}`, "",
			"VCAP_SERVICES: has no document-information-extraction binding (found: xsuaa)"},
		{"vcap not vcap", `{"clientid": "x"}`, "", `VCAP_SERVICES: is not of the form {"label": [bindings…]}`},
		{"vcap dox field missing", `{"document-information-extraction": [{"label": "document-information-extraction", "credentials": {"url": "https://x", "uaa": {"clientid": "c", "url": "https://u"}}}]}`, "",
			"VCAP_SERVICES: document-information-extraction[0].credentials.uaa.clientsecret is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"VCAP_SERVICES": tc.vcap, "DOX_SERVICE_KEY": tc.dox}
			keys, err := KeysFromEnv(func(k string) string { return env[k] })
			if len(keys) != 0 || err == nil || err.Error() != tc.want {
				t.Errorf("got %d keys, error %v\nwant error %s", len(keys), err, tc.want)
			}
		})
	}
}

func TestVCAPPrefersDOXLabel(t *testing.T) {
	// Two bindings carry a uaa object; the DOX label decides.
	vcap := `{"user-provided": [{"label": "user-provided", "credentials": {"url": "https://other", "uaa": {"clientid": "other", "clientsecret": "s", "url": "https://u"}}}],
	  "document-information-extraction-trial": [{"label": "document-information-extraction-trial", "credentials": {"url": "https://dox", "uaa": {"clientid": "dox", "clientsecret": "s", "url": "https://u"}}}]}`
	keys, err := KeysFromEnv(func(k string) string { return map[string]string{"VCAP_SERVICES": vcap}[k] })
	if err != nil || len(keys) != 1 || keys[0].UAA.ClientID != "dox" {
		t.Fatalf("keys %v, err %v", keys, err)
	}
	// Without a DOX label, the one binding with a uaa object is taken.
	vcap = `{"xsuaa": [{"label": "xsuaa", "credentials": {"clientid": "a", "clientsecret": "b", "url": "https://x"}}],
	  "user-provided": [{"label": "user-provided", "credentials": {"url": "https://dox", "uaa": {"clientid": "ups", "clientsecret": "s", "url": "https://u"}}}]}`
	keys, err = KeysFromEnv(func(k string) string { return map[string]string{"VCAP_SERVICES": vcap}[k] })
	if err != nil || len(keys) != 1 || keys[0].UAA.ClientID != "ups" {
		t.Fatalf("keys %v, err %v", keys, err)
	}
}

func TestParseKeyErrors(t *testing.T) {
	valid := time.Now().Add(-time.Hour)
	cert, key := testCert(t, valid, valid.Add(365*24*time.Hour), "pkcs8")
	_, otherKey := testCert(t, valid, valid.Add(365*24*time.Hour), "ec")
	expired := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	oldCert, oldKey := testCert(t, expired.Add(-24*time.Hour), expired, "pkcs1")
	for _, tc := range []struct {
		name string
		data string
		want string
	}{
		{"syntax error", "{\n  \"uaa\": {\n    \"clientid\": \"x\",\n    \"url\" \"https://x\"\n  }\n}\n",
			`bad.json:4:11: invalid JSON: invalid character '"' after object key`},
		{"trailing comma", "{\n  \"uaa\": {\n    \"clientid\": \"x\",\n  }\n}",
			`bad.json:4:3: invalid JSON: invalid character '}' looking for beginning of object key string`},
		{"cf header then broken", "Getting key k for service instance dox as me...\n\n{\"credentials\": {\n \"uaa\": [}}",
			`bad.json:4:10: invalid JSON: invalid character '}' looking for beginning of value`},
		{"truncated", "{\n  \"uaa\": {\n    \"clientid\": \"x\"",
			`bad.json:3:20: invalid JSON: the file ends in the middle of the JSON (missing '}' or ']'?)`},
		{"no json", "just some notes\n", "bad.json: holds no JSON object: not a service key"},
		{"not a key", `{"name": "package", "version": "1.0.0"}`, "bad.json: has no uaa object and no clientid: not a service key"},
		{"clientid missing", `{"url": "https://api", "uaa": {"clientsecret": "s3cr3t$+/=", "url": "https://uaa"}}`, "bad.json: uaa.clientid is missing"},
		{"secret missing", `{"url": "https://api", "uaa": {"clientid": "c", "url": "https://uaa"}}`, "bad.json: uaa.clientsecret is missing"},
		{"url missing", `{"uaa": {"clientid": "c", "clientsecret": "s3cr3t$+/="}}`, "bad.json: uaa.url is missing"},
		{"bare uaa url missing", `{"clientid": "c", "clientsecret": "s3cr3t$+/="}`, "bad.json: url is missing"},
		{"cf v8 field missing", `{"credentials": {"uaa": {"clientsecret": "s3cr3t$+/=", "url": "https://uaa"}}}`, "bad.json: credentials.uaa.clientid is missing"},
		{"wrong type", `{"uaa": {"clientid": 42, "clientsecret": "s3cr3t$+/=", "url": "https://uaa"}}`, "bad.json: uaa.clientid must be a string, not a number"},
		{"uaa not object", `{"uaa": "https://uaa"}`, "bad.json: uaa must be an object, not a string"},
		{"bad url", `{"uaa": {"clientid": "c", "clientsecret": "s3cr3t$+/=", "url": "mysub.authentication.sap"}}`, `bad.json: uaa.url "mysub.authentication.sap" is not an http(s) URL`},
		{"secret pasted as url", `{"uaa": {"clientid": "c", "clientsecret": "s3cr3t$+/=", "url": "s3cr3t$+/="}}`, `bad.json: uaa.url (value hidden) is not an http(s) URL`},
		{"bad api url", `{"url": "aiservices", "uaa": {"clientid": "c", "clientsecret": "s3cr3t$+/=", "url": "https://uaa"}}`, `bad.json: url "aiservices" is not an http(s) URL`},
		{"unknown credential type", `{"uaa": {"clientid": "c", "clientsecret": "s3cr3t$+/=", "url": "https://uaa", "credential-type": "x509-attested"}}`,
			`bad.json: uaa.credential-type "x509-attested" is not one of binding-secret, instance-secret, x509`},
		{"x509 without certurl", string(x509Key(t, map[string]any{"certurl": nil, "certificate": cert, "key": key})), "bad.json: uaa.certurl is missing (x509 keys fetch tokens from certurl)"},
		{"x509 without certificate", string(x509Key(t, map[string]any{"key": key})), "bad.json: uaa.certificate is missing (x509 keys need a client certificate)"},
		{"x509 without key", string(x509Key(t, map[string]any{"certificate": cert})), "bad.json: uaa.key is missing (x509 keys need the certificate's private key)"},
		{"x509 certificate not PEM", string(x509Key(t, map[string]any{"certificate": "MIIDdummy", "key": key})), "bad.json: uaa.certificate does not parse: no PEM CERTIFICATE block found"},
		{"x509 certificate garbage", string(x509Key(t, map[string]any{"certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "key": key})),
			"bad.json: uaa.certificate does not parse: a CERTIFICATE block is not an X.509 certificate"},
		{"x509 key garbage", string(x509Key(t, map[string]any{"certificate": cert, "key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"})),
			"bad.json: uaa.key does not parse as a PRIVATE KEY (PKCS#1, PKCS#8 or EC)"},
		{"x509 key not PEM", string(x509Key(t, map[string]any{"certificate": cert, "key": "secret"})), "bad.json: uaa.key does not parse: no PEM PRIVATE KEY block found"},
		{"x509 key of another cert", string(x509Key(t, map[string]any{"certificate": cert, "key": otherKey})), "bad.json: uaa.key does not belong to uaa.certificate (the public keys differ)"},
		{"x509 expired", string(x509Key(t, map[string]any{"certificate": oldCert, "key": oldKey})), "bad.json: uaa.certificate expired on 2024-03-01 12:00 UTC; create a new service key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParseKey("bad.json", []byte(tc.data))
			if err == nil {
				t.Fatalf("no error; key %v", k)
			}
			if err.Error() != tc.want {
				t.Errorf("error:\n got %s\nwant %s", err, tc.want)
			}
			noSecret(t, "error", err.Error(), "s3cr3t$+/=", key, oldKey, otherKey)
		})
	}
}

func TestParseX509Key(t *testing.T) {
	now := time.Now()
	for _, enc := range []string{"pkcs1", "pkcs8", "ec"} {
		t.Run(enc, func(t *testing.T) {
			cert, key := testCert(t, now.Add(-time.Hour), now.Add(time.Hour), enc)
			// a chain: the leaf comes first, an intermediate may follow
			caCert, _ := testCert(t, now.Add(-time.Hour), now.Add(time.Hour), "ec")
			k, err := ParseKey("x509.json", x509Key(t, map[string]any{"certificate": cert + caCert, "key": key}))
			if err != nil {
				t.Fatal(err)
			}
			if !k.IsX509() || k.TokenURL() != "https://mysub.authentication.cert.us10.hana.ondemand.com/oauth/token" {
				t.Errorf("x509 %v, token url %q", k.IsX509(), k.TokenURL())
			}
		})
	}
	t.Run("newlines escaped twice", func(t *testing.T) {
		cert, key := testCert(t, now.Add(-time.Hour), now.Add(time.Hour), "ec")
		esc := func(s string) string { return strings.ReplaceAll(s, "\n", `\n`) }
		if _, err := ParseKey("x509.json", x509Key(t, map[string]any{"certificate": esc(cert), "key": esc(key)})); err != nil {
			t.Fatal(err)
		}
	})
}

func TestKeyFormatHidesSecrets(t *testing.T) {
	cert, key := testCert(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), "ec")
	k := &ServiceKey{ID: "dox.json", APIURL: wantAPI, UAA: UAA{URL: wantUAA, ClientID: testClientID, ClientSecret: testSecret, Certificate: cert, Key: key}}
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%100v", "%d"} {
		for _, v := range []any{k, *k, k.UAA, &k.UAA, []*ServiceKey{k}, map[string]ServiceKey{"a": *k}} {
			out := fmt.Sprintf(format, v)
			noSecret(t, fmt.Sprintf("Sprintf(%q, %T)", format, v), out, testSecret, key,
				fmt.Sprintf("%x", testSecret), fmt.Sprintf("%X", testSecret))
		}
	}
	// The rest is still there, and %#v names the real types.
	if out := fmt.Sprintf("%+v", *k); !strings.Contains(out, testClientID) || !strings.Contains(out, "ClientSecret:[hidden]") {
		t.Errorf("%%+v = %s", out)
	}
	if out := fmt.Sprintf("%#v", *k); !strings.HasPrefix(out, "auth.ServiceKey{ID:\"dox.json\"") || !strings.Contains(out, `UAA:auth.UAA{URL:"`+wantUAA) {
		t.Errorf("%%#v = %s", out)
	}
}

func TestAPIHost(t *testing.T) {
	for api, want := range map[string]string{
		"https://AIServices-Trial-DOX.cfapps.us10.hana.ondemand.com/": "aiservices-trial-dox.cfapps.us10.hana.ondemand.com",
		"https://dox.example.com:443":                                 "dox.example.com",
		"http://127.0.0.1:8080":                                       "127.0.0.1:8080",
		"http://[::1]:80/x":                                           "[::1]",
		"https://[::1]:8443":                                          "[::1]:8443",
		"":                                                            "",
	} {
		if got := (&ServiceKey{APIURL: api}).APIHost(); got != want {
			t.Errorf("APIHost(%q) = %q, want %q", api, got, want)
		}
	}
}

// The fingerprint of a loaded key is computed once; a key changed after
// loading must still be told apart from the key as it was.
func TestFingerprintFollowsAChangedKey(t *testing.T) {
	data := []byte(`{"uaa": {"url": "https://uaa.example.com", "clientid": "sb-dox!b1|dox!b2", "clientsecret": "s3cr$t+=/|!"}}`)
	a, err := ParseKey("dox.json", data)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ParseKey("dox.json", data)
	if !SameCredentials(a, b) {
		t.Fatal("two loads of one key file have different fingerprints")
	}
	b.UAA.ClientSecret = "rotated$+=/|!"
	if SameCredentials(a, b) {
		t.Error("a key whose secret changed after loading keeps its old fingerprint")
	}
	c := *a // a copy, as the cache takes for a fetch
	if !SameCredentials(a, &c) {
		t.Error("a copy of a key has another fingerprint")
	}
	c.UAA.URL = "https://uaa.other.example.com"
	if SameCredentials(a, &c) {
		t.Error("a copy whose UAA URL changed keeps its old fingerprint")
	}
}
