package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
)

type diagnosticsNote struct {
	URI         string `json:"uri"`
	Diagnostics []struct {
		Severity int    `json:"severity"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		Range    struct {
			Start struct{ Line, Character int } `json:"start"`
		} `json:"range"`
	} `json:"diagnostics"`
}

func TestAutoRefreshReplacesTheTokenInOpenDocuments(t *testing.T) {
	// Tokens live 4 s and enter the 2 s margin after 2 s.
	e := newEnv(t, uaatest.Options{TokenTTL: 4 * time.Second})
	c := e.session(map[string]any{"refreshMarginSeconds": 2})
	u := c.open(filepath.Join(e.dir, "a.http"), "GET "+e.apiURL()+"/capabilities\n")
	other := c.open(filepath.Join(e.dir, "b.http"), "GET "+e.apiURL()+"/document/jobs\n")
	if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, nil); err != nil {
		t.Fatal(err)
	}
	first := c.text(u)
	was := c.waitStatus("valid")
	c.waitStatus("expiring")
	// waitNote looks at every notification so far: the refreshed token's
	// status is the valid one with a later expiry.
	var st statusNote
	c.waitNote("dox/tokenStatus", func(raw json.RawMessage) bool {
		st = statusNote{}
		_ = json.Unmarshal(raw, &st)
		return st.State == "valid" && st.ExpiresAt != nil && was.ExpiresAt != nil && *st.ExpiresAt > *was.ExpiresAt
	})
	c.waitUntil(func() bool { return c.text(u) != first })
	if !strings.Contains(c.text(u), "Authorization: Bearer ey") {
		t.Errorf("after auto-refresh the document has no Bearer header: %q", redactJWTs(c.text(u)))
	}
	if c.text(other) != "GET "+e.apiURL()+"/document/jobs\n" {
		t.Error("auto-refresh touched a document that carried no token")
	}
	if n := e.uaa.TokenRequests(); n < 2 {
		t.Errorf("UAA saw %d token requests, want a refresh", n)
	}
}

func TestX509KeyOverMutualTLS(t *testing.T) {
	needsCertFile(t)
	e := newEnv(t, uaatest.Options{})
	e.write("dox-key.json", string(e.uaa.X509KeyJSON("sb-x509-client!b48751|dox-xsuaa-std-trial!b10844", time.Hour)))
	c := e.session(nil)
	var tok tokenResult
	if err := c.command("doxls.getToken", nil, &tok); err != nil {
		t.Fatalf("getToken with an x509 key: %v", err)
	}
	var info struct{ ClientID string }
	if err := c.command("doxls.tokenInfo", map[string]any{"token": tok.AccessToken}, &info); err != nil {
		t.Fatal(err)
	}
	if info.ClientID != "sb-x509-client!b48751|dox-xsuaa-std-trial!b10844" {
		t.Errorf("x509 token for client %q", info.ClientID)
	}
}

func TestExpiredCertificateIsNamed(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	e.write("dox-key.json", string(e.uaa.X509KeyJSON("sb-x509!b1|dox!b2", -time.Hour)))
	c := e.session(nil)
	var res struct {
		Problems []string `json:"problems"`
	}
	if err := c.command("doxls.loadServiceKey", nil, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "dox-key.json") || !strings.Contains(res.Problems[0], "expired") {
		t.Errorf("problems = %q, want one naming dox-key.json and the expiry", res.Problems)
	}
	msg := c.waitNote("window/showMessage", nil)
	if !strings.Contains(string(msg), "expired") {
		t.Errorf("showMessage = %s", msg)
	}
}

func TestRestartAdoptsATokenFromAnOpenDocument(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(nil)
	tok := c.token(nil)
	c.shutdown()

	again := e.session(nil)
	again.open(filepath.Join(e.dir, "a.http"), "GET "+e.apiURL()+"/capabilities\nAuthorization: Bearer "+tok.AccessToken+"\n")
	adopted := again.token(nil)
	if adopted.AccessToken != tok.AccessToken || !adopted.FromCache {
		t.Errorf("after restart: same token %v, fromCache %v", adopted.AccessToken == tok.AccessToken, adopted.FromCache)
	}
	if n := e.uaa.TokenRequests(); n != 1 {
		t.Errorf("UAA saw %d token requests, want 1: the open document's token should be adopted", n)
	}
}

func TestDiagnosticsCodeLensAndQuickFix(t *testing.T) {
	e := newEnv(t, uaatest.Options{TokenTTL: 2 * time.Second})
	c := e.session(map[string]any{"autoRefresh": false, "refreshMarginSeconds": 1})
	old := c.token(nil)
	c.waitStatus("expired") // the 2 s token has run out
	src := "### jobs\nGET " + e.apiURL() + "/document/jobs\nAuthorization: Bearer " + old.AccessToken + "\n\n### capabilities\nGET " + e.apiURL() + "/capabilities\n"
	u := c.open(filepath.Join(e.dir, "a.http"), src)

	var diags diagnosticsNote
	c.waitNote("textDocument/publishDiagnostics", func(raw json.RawMessage) bool {
		_ = json.Unmarshal(raw, &diags)
		// The JWT's exp is a second after expires_in ran out, as with real
		// UAA; the server re-publishes when it passes.
		return diags.URI == string(u) && len(diags.Diagnostics) == 1 && diags.Diagnostics[0].Code == "dox-token-expired"
	})
	d := diags.Diagnostics[0]
	if d.Severity != 2 || d.Code != "dox-token-expired" || d.Range.Start.Line != 2 || !strings.Contains(d.Message, "expired") {
		t.Errorf("diagnostic = %+v, want an expired warning on line 2", d)
	}

	var lenses []struct {
		Range   struct{ Start struct{ Line int } } `json:"range"`
		Command struct {
			Title, Command string
		} `json:"command"`
	}
	c.must("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": u}}, &lenses)
	if len(lenses) != 2 || !strings.Contains(lenses[0].Command.Title, "expired") || lenses[1].Command.Title != "Insert DOX token" || lenses[1].Range.Start.Line != 5 {
		t.Fatalf("code lenses = %+v", lenses)
	}

	var actions []struct {
		Title   string `json:"title"`
		Kind    string `json:"kind"`
		Command struct {
			Command   string            `json:"command"`
			Arguments []json.RawMessage `json:"arguments"`
		} `json:"command"`
	}
	diagJSON, _ := json.Marshal(diags.Diagnostics)
	var rawDiags []any
	_ = json.Unmarshal(diagJSON, &rawDiags)
	for _, rd := range rawDiags {
		rd.(map[string]any)["source"] = "doxls"
	}
	c.must("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": u},
		"range":        map[string]any{"start": map[string]any{"line": 2, "character": 0}, "end": map[string]any{"line": 2, "character": 0}},
		"context":      map[string]any{"diagnostics": rawDiags},
	}, &actions)
	if len(actions) != 1 || actions[0].Kind != "quickfix" {
		t.Fatalf("code actions = %+v", actions)
	}
	// The editor runs the quick fix's command.
	var args any
	_ = json.Unmarshal(actions[0].Command.Arguments[0], &args)
	var res struct{ Edited, Documents int }
	if err := c.command(actions[0].Command.Command, args, &res); err != nil {
		t.Fatal(err)
	}
	if res.Edited != 1 || strings.Contains(c.text(u), old.AccessToken) {
		t.Errorf("quick fix: %+v; old token still there: %v", res, strings.Contains(c.text(u), old.AccessToken))
	}
}

func TestSettingsChangeWithoutRestart(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(nil)
	if err := c.conn.Notify(t.Context(), "workspace/didChangeConfiguration", map[string]any{
		"settings": map[string]any{"dox": map[string]any{"insertMode": "variable", "variableName": "bearer"}},
	}); err != nil {
		t.Fatal(err)
	}
	u := c.open(filepath.Join(e.dir, "a.http"), "GET "+e.apiURL()+"/capabilities\n")
	if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.text(u), "@bearer = ") {
		t.Errorf("after switching to variable mode: %q", redactJWTs(c.text(u)))
	}
}

func TestTimeoutSetting(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(map[string]any{"timeoutSeconds": 0.2})
	e.uaa.SetFault(uaatest.Fault{Kind: uaatest.FaultHang})
	err := c.command("doxls.getToken", nil, nil)
	if err == nil || !strings.Contains(err.Error(), e.uaa.URL) || !strings.Contains(err.Error(), "200ms") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("getToken against a hanging UAA with a 0.2 s timeout: %v; want one line naming the URL and the timeout", err)
	}
	e.uaa.Release()
}

func TestKeyFileAppearsWhileRunning(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	keyJSON, err := os.ReadFile(e.key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(e.key); err != nil {
		t.Fatal(err)
	}
	c := e.session(nil)
	err = c.command("doxls.getToken", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "no DOX service key") {
		t.Fatalf("getToken without a key: %v", err)
	}
	path := e.write("keys/new-key.json", string(keyJSON))
	if err := c.conn.Notify(t.Context(), "workspace/didChangeWatchedFiles", map[string]any{
		"changes": []any{map[string]any{"uri": fileURI(path), "type": 1}},
	}); err != nil {
		t.Fatal(err)
	}
	var tok tokenResult
	if err := c.command("doxls.getToken", nil, &tok); err != nil {
		t.Fatalf("getToken after the key file appeared: %v", err)
	}
	if tok.Key != "keys/new-key.json" {
		t.Errorf("token for %q", tok.Key)
	}
}
