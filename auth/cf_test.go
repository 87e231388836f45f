package auth

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/internal/cftest"
)

func fakeCF(t *testing.T) *cftest.Fake {
	f := cftest.New(t)
	t.Setenv("PATH", f.Dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return f
}

// Every cf major version's output gives the same key, with id
// cf:INSTANCE/KEY and no path: it never touches the disk.
func TestLoadCFKeyV6V7V8(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	f := fakeCF(t)
	for _, v := range []int{6, 7, 8} {
		f.ServiceKey(v, "dox", "dox-key", s.KeyJSON(uaatest.DefaultClient))
		k, err := LoadCFKey(context.Background(), "cf:dox/dox-key")
		if err != nil {
			t.Fatalf("cf v%d: %v", v, err)
		}
		if k.ID != "cf:dox/dox-key" || k.Path != "" || k.UAA.ClientSecret != uaatest.DefaultClient.Secret || k.APIURL != s.APIURL {
			t.Errorf("cf v%d: id %q, path %q, api %q, secret right %v", v, k.ID, k.Path, k.APIURL, k.UAA.ClientSecret == uaatest.DefaultClient.Secret)
		}
		tok, err := quick(s, ClientOptions{}).Fetch(context.Background(), k)
		if err != nil || s.VerifyToken(tok.AccessToken) != nil {
			t.Errorf("cf v%d: the key gets no good token: %v", v, err)
		}
	}
	if got := f.Calls(); len(got) != 3 || got[0] != "service-key dox dox-key" {
		t.Errorf("cf was run as %q", got)
	}
}

// A failing cf is one line naming the key and what cf said, never the
// credentials; cf missing from PATH says so.
func TestLoadCFKeyErrors(t *testing.T) {
	f := fakeCF(t)
	f.NotLoggedIn("service-key dox dox-key")
	f.NoInstance("nodox", "dox-key")
	f.NoKey(8, "dox", "nokey")
	f.NoKey(6, "dox", "nokey6")
	f.ServiceKey(8, "dox", "xsuaa", []byte(`{"clientid": "sb-x", "clientsecret": "s3cr+t$/=", "url": "ftp://x"}`))
	cases := []struct{ ref, want string }{
		{"cf:dox/dox-key", `cf:dox/dox-key: cf says: Not logged in. Use 'cf login' or 'cf login --sso' to log in. (run cf login, then try again)`},
		{"cf:nodox/dox-key", `cf:nodox/dox-key: cf says: Service instance nodox not found (see cf services`},
		{"cf:dox/nokey", `cf:dox/nokey: cf says: No service key nokey found for service instance dox (see`},
		{"cf:dox/nokey6", `cf:dox/nokey6: cf says: No service key nokey6 found for service instance dox (see`},
		{"cf:dox/xsuaa", `cf:dox/xsuaa: credentials.url "ftp://x" is not an http(s) URL`},
		{"cf:dox", `cf:dox: is not a Cloud Foundry key: write cf:INSTANCE/KEY`},
		{"cf:--help/x", `cf:--help/x: is not a Cloud Foundry key`},
		{"cf:dox/\x1b[31m", `is not a Cloud Foundry key`},
	}
	for _, c := range cases {
		_, err := LoadCFKey(context.Background(), c.ref)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line containing %q", c.ref, err, c.want)
			continue
		}
		noSecret(t, c.ref, err.Error(), "s3cr+t$/=")
	}
	for _, call := range f.Calls() {
		if strings.Contains(call, "--help") || strings.Contains(call, "\x1b") {
			t.Errorf("cf was run with %q", call)
		}
	}
	t.Setenv("PATH", t.TempDir())
	_, err := LoadCFKey(context.Background(), "cf:dox/dox-key")
	if err == nil || !strings.Contains(err.Error(), "cf:dox/dox-key: the cf CLI is not on PATH") {
		t.Errorf("without cf: %v", err)
	}
}

// CF_TRACE=true makes cf print its HTTP traffic, the credentials included:
// doxls turns it off, so a failure never quotes a trace line.
func TestLoadCFKeyTurnsTracingOff(t *testing.T) {
	f := fakeCF(t)
	t.Setenv("CF_TRACE", "true")
	// The stand-in records its environment's CF_TRACE in place of an answer.
	script := filepath.Join(f.Dir, "cf")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"CF_TRACE is $CF_TRACE\" >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := LoadCFKey(context.Background(), "cf:dox/dox-key")
	if err == nil || !strings.Contains(err.Error(), "CF_TRACE is false") {
		t.Errorf("got %v", err)
	}
}

func TestCFServiceKeysV6V7V8(t *testing.T) {
	f := fakeCF(t)
	for _, v := range []int{6, 7, 8} {
		f.Services(v,
			cftest.Instance{Name: "my db", Offering: "postgresql-db", Plan: "trial"},
			cftest.Instance{Name: "dox", Offering: "document-information-extraction", Plan: "blocks_of_100"},
			cftest.Instance{Name: "dox-eu", Offering: "document-information-extraction", Plan: "default"},
		)
		f.ServiceKeys(v, "dox", "dox-key", "x509 key")
		f.ServiceKeys(v, "dox-eu")
		refs, err := CFServiceKeys(context.Background())
		if err != nil {
			t.Fatalf("cf v%d: %v", v, err)
		}
		want := []CFRef{{"dox", "dox-key"}, {"dox", "x509 key"}}
		if len(refs) != len(want) || refs[0] != want[0] || refs[1] != want[1] {
			t.Errorf("cf v%d: %v, want %v", v, refs, want)
		}
	}
	f.NotLoggedIn("services")
	if _, err := CFServiceKeys(context.Background()); err == nil || !strings.Contains(err.Error(), "cf services: cf says: Not logged in") {
		t.Errorf("not logged in: %v", err)
	}
}

// An x509 key's entry carries its certificate's end of validity.
func TestCertificateExpiresAt(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	k, err := ParseKey("x.json", s.X509Key("sb-x509!b1|dox!b2", uaatest.X509Options{ValidFor: 36 * time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	if at := k.CertificateExpiresAt(); at.Before(time.Now().Add(35*time.Hour)) || at.After(time.Now().Add(37*time.Hour)) {
		t.Errorf("CertificateExpiresAt = %v, want in 36h", at)
	}
	if at := emuKey(t, s, uaatest.DefaultClient).CertificateExpiresAt(); !at.IsZero() {
		t.Errorf("a secret key has a certificate expiry %v", at)
	}
}
