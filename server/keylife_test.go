package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/internal/cftest"
)

type keyEntries struct {
	Keys []struct {
		ID                   string `json:"id"`
		CredentialType       string `json:"credentialType"`
		CertificateExpiresAt string `json:"certificateExpiresAt"`
	} `json:"keys"`
	Active *string `json:"active"`
}

// An x509 key whose certificate runs out within certificateWarningDays is
// one warning per session, naming the date and how to get a new key; its
// entry carries certificateExpiresAt.
func TestExpiringCertificateWarnsOnce(t *testing.T) {
	needsCertFile(t)
	e := newEnv(t, uaatest.Options{})
	const clientID = "sb-x509-7d4b!b48751|dox-xsuaa-std-trial!b10844"
	e.write("x509-key.json", string(e.uaa.X509Key(clientID, uaatest.X509Options{ValidFor: 30 * time.Hour})))
	c := e.session(map[string]any{"serviceKey": "x509-key.json"})
	var res keyEntries
	if err := c.command("doxls.loadServiceKey", nil, &res); err != nil {
		t.Fatal(err)
	}
	for _, k := range res.Keys {
		switch k.ID {
		case "x509-key.json":
			at, err := time.Parse(time.RFC3339, k.CertificateExpiresAt)
			if err != nil || at.Before(time.Now().Add(29*time.Hour)) || at.After(time.Now().Add(31*time.Hour)) {
				t.Errorf("certificateExpiresAt = %q, want in 30h", k.CertificateExpiresAt)
			}
		case "dox-key.json":
			if k.CertificateExpiresAt != "" {
				t.Errorf("a secret key has certificateExpiresAt %q", k.CertificateExpiresAt)
			}
		}
	}
	tok := c.token(nil)
	if tok.Key != "x509-key.json" {
		t.Fatalf("token for %q", tok.Key)
	}
	c.token(map[string]any{"forceRefresh": true})
	if err := c.command("doxls.loadServiceKey", nil, &res); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	c.mu.Lock()
	for _, n := range c.notes {
		var m struct {
			Type    int    `json:"type"`
			Message string `json:"message"`
		}
		if n.method == "window/showMessage" && json.Unmarshal(n.params, &m) == nil && strings.Contains(m.Message, "certificate") {
			warnings = append(warnings, m.Message)
			if m.Type != 2 {
				t.Errorf("message type %d, want 2 (warning)", m.Type)
			}
		}
	}
	c.mu.Unlock()
	if len(warnings) != 1 {
		t.Fatalf("%d certificate warnings, want 1: %q", len(warnings), warnings)
	}
	for _, want := range []string{"x509-key.json", "expires on", "in 1d", `cf create-service-key INSTANCE NEW-KEY -c '{"credential-type":"x509"}'`, "cockpit"} {
		if !strings.Contains(warnings[0], want) {
			t.Errorf("warning %q lacks %q", warnings[0], want)
		}
	}
}

// With certificateWarningDays 1, a certificate with 30 hours left is no news.
func TestCertificateWarningDaysSetting(t *testing.T) {
	needsCertFile(t)
	e := newEnv(t, uaatest.Options{})
	e.write("x509-key.json", string(e.uaa.X509Key("sb-x509!b1|dox!b2", uaatest.X509Options{ValidFor: 30 * time.Hour})))
	c := e.session(map[string]any{"serviceKey": "x509-key.json", "certificateWarningDays": 1})
	c.token(nil)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.notes {
		if n.method == "window/showMessage" && strings.Contains(string(n.params), "certificate") {
			t.Errorf("warned: %s", n.params)
		}
	}
}

// cf:INSTANCE/KEY in the serviceKey setting runs the user's cf; a key
// rotated on the platform (UAA says 401) is read again and the fetch tried
// once more. The key never reaches the disk.
func TestCFKeyFromSettingIsRereadOn401(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	f := cftest.New(t)
	e.envs = append(e.envs, f.Env())
	stale := uaatest.Client{ID: uaatest.DefaultClient.ID, Secret: "before+rotation/$=!|"}
	f.ServiceKey(8, "dox", "dox-key", e.uaa.KeyJSON(stale))
	c := e.session(map[string]any{"serviceKey": "cf:dox/dox-key"})
	var res keyEntries
	if err := c.command("doxls.loadServiceKey", map[string]any{"key": "cf:dox/dox-key"}, &res); err != nil {
		t.Fatal(err)
	}
	if res.Active == nil || *res.Active != "cf:dox/dox-key" {
		t.Fatalf("active %v", res.Active)
	}
	f.ServiceKey(7, "dox", "dox-key", e.uaa.KeyJSON(uaatest.DefaultClient)) // rotated
	tok := c.token(nil)
	if tok.Key != "cf:dox/dox-key" || e.uaa.VerifyToken(tok.AccessToken) != nil {
		t.Errorf("token for %q, valid %v", tok.Key, e.uaa.VerifyToken(tok.AccessToken))
	}
	if n := e.uaa.TokenRequests(); n != 2 {
		t.Errorf("%d token requests, want 2 (refused, then with the re-read key)", n)
	}
	if calls := f.Calls(); len(calls) != 2 {
		t.Errorf("cf runs %q, want two service-key runs", calls)
	}
	// Cached now: cf is not run again.
	if again := c.token(nil); !again.FromCache || len(f.Calls()) != 2 {
		t.Errorf("second getToken: fromCache %v, cf runs %d", again.FromCache, len(f.Calls()))
	}
	filepath.WalkDir(e.dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if data, _ := os.ReadFile(p); strings.Contains(string(data), uaatest.DefaultClient.Secret) && filepath.Base(p) != "dox-key.json" {
				t.Errorf("%s holds the cf key's secret", p)
			}
		}
		return nil
	})
}

// A failing cf is one error line naming the key and what cf said; the
// picker's listing goes through cf services and cf service-keys.
func TestCFKeyErrorsAndListing(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	f := cftest.New(t)
	e.envs = append(e.envs, f.Env())
	f.NotLoggedIn("service-key dox dox-key")
	f.Services(8, cftest.Instance{Name: "dox", Offering: "document-information-extraction", Plan: "blocks_of_100"})
	f.ServiceKeys(8, "dox", "dox-key", "dox-x509")
	c := e.session(nil)
	err := c.command("doxls.loadServiceKey", map[string]any{"path": "cf:dox/dox-key"}, nil)
	if err == nil || !strings.Contains(err.Error(), "cf:dox/dox-key: cf says: Not logged in.") || strings.Contains(err.Error(), "\n") {
		t.Errorf("not logged in: %v", err)
	}
	var list struct {
		Keys []struct{ ID, Instance, Key string } `json:"keys"`
	}
	if err := c.command("doxls.cfServiceKeys", nil, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Keys) != 2 || list.Keys[0].ID != "cf:dox/dox-key" || list.Keys[1].Key != "dox-x509" {
		t.Errorf("cf keys %+v", list.Keys)
	}
}
