package server_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/uri"

	"github.com/doxls/doxls/auth/uaatest"
)

type tokenResult struct {
	Key         string `json:"key"`
	AccessToken string `json:"accessToken"`
	TokenType   string `json:"tokenType"`
	ExpiresAt   string `json:"expiresAt"`
	ExpiresIn   int64  `json:"expiresIn"`
	Scope       string `json:"scope"`
	FromCache   bool   `json:"fromCache"`
}

type insertResult struct {
	Edited  int `json:"edited"`
	Skipped []struct {
		Line   int    `json:"line"`
		Reason string `json:"reason"`
	} `json:"skipped"`
}

func TestLoadServiceKeyDiscoversAndLoads(t *testing.T) {
	second := uaatest.Client{ID: "sb-second!b1|dox!b2", Secret: "s3cr$t+/=:!|"}
	e := newEnv(t, uaatest.Options{Clients: []uaatest.Client{uaatest.DefaultClient, second}})
	e.write("keys/other.txt", "Getting key dox-key for service instance dox as me@example.com...\n\n"+
		`{"credentials": `+string(e.uaa.KeyJSON(second))+"}\n")
	e.write("node_modules/pkg/key.json", string(e.uaa.KeyJSON(second))) // never scanned
	c := e.session(nil)

	var res struct {
		Keys []struct {
			ID, Path, UAAURL, ClientID, APIURL, CredentialType, IdentityZone string
		} `json:"keys"`
		Active *string `json:"active"`
	}
	c.must("workspace/executeCommand", map[string]any{"command": "doxls.loadServiceKey", "arguments": []any{}}, &res)
	if len(res.Keys) != 2 {
		t.Fatalf("discovered %d keys, want 2 (dox-key.json and keys/other.txt)", len(res.Keys))
	}
	if res.Keys[0].ID != "dox-key.json" || res.Keys[1].ID != "keys/other.txt" {
		t.Errorf("key ids = %q, %q", res.Keys[0].ID, res.Keys[1].ID)
	}
	if res.Keys[0].ClientID != uaatest.DefaultClient.ID || res.Keys[0].UAAURL != e.uaa.URL || res.Keys[0].CredentialType != "binding-secret" {
		t.Errorf("first key = %+v", res.Keys[0])
	}
	if res.Active != nil {
		t.Errorf("active = %q with two keys and no choice, want null", *res.Active)
	}

	c.must("workspace/executeCommand", map[string]any{"command": "doxls.loadServiceKey",
		"arguments": []any{map[string]any{"path": fileURI(filepath.Join(e.dir, "keys/other.txt"))}}}, &res)
	if res.Active == nil || *res.Active != "keys/other.txt" {
		t.Fatalf("after loading by URI, active = %v", res.Active)
	}
	var tok tokenResult
	if err := c.command("doxls.getToken", nil, &tok); err != nil {
		t.Fatalf("getToken: %v", err)
	}
	if tok.Key != "keys/other.txt" {
		t.Errorf("token for key %q, want the active keys/other.txt", tok.Key)
	}
	// Back to the first key by id, as a key picker does.
	c.must("workspace/executeCommand", map[string]any{"command": "doxls.loadServiceKey",
		"arguments": []any{map[string]any{"key": "dox-key.json"}}}, &res)
	if res.Active == nil || *res.Active != "dox-key.json" {
		t.Fatalf("after choosing by id, active = %v", res.Active)
	}
	if code := c.shutdown(); code != 0 {
		t.Errorf("exit status %d after shutdown, want 0", code)
	}
}

func TestGetTokenCachesAndReportsStatus(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(nil)

	var first, second, forced tokenResult
	if err := c.command("doxls.getToken", nil, &first); err != nil {
		t.Fatalf("getToken: %v", err)
	}
	if first.FromCache || first.TokenType != "bearer" || first.Key != "dox-key.json" || first.Scope == "" {
		t.Errorf("first token: key %q type %q scope %q fromCache %v", first.Key, first.TokenType, first.Scope, first.FromCache)
	}
	if first.ExpiresIn < 43100 || first.ExpiresIn > 43199 {
		t.Errorf("expiresIn = %d, want about 43199", first.ExpiresIn)
	}
	exp, err := time.Parse(time.RFC3339, first.ExpiresAt)
	if err != nil || time.Until(exp) < 11*time.Hour {
		t.Errorf("expiresAt = %q", first.ExpiresAt)
	}
	st := c.waitStatus("valid")
	if st.Key != "dox-key.json" || st.ExpiresAt == nil {
		t.Errorf("status = %+v", st)
	}

	if err := c.command("doxls.getToken", map[string]any{"key": "dox-key.json"}, &second); err != nil {
		t.Fatal(err)
	}
	if !second.FromCache || second.AccessToken != first.AccessToken {
		t.Errorf("second getToken: fromCache %v, same token %v", second.FromCache, second.AccessToken == first.AccessToken)
	}
	if err := c.command("doxls.getToken", map[string]any{"forceRefresh": true}, &forced); err != nil {
		t.Fatal(err)
	}
	if forced.FromCache || forced.AccessToken == first.AccessToken {
		t.Errorf("forced getToken: fromCache %v, new token %v", forced.FromCache, forced.AccessToken != first.AccessToken)
	}
	if n := e.uaa.TokenRequests(); n != 2 {
		t.Errorf("UAA saw %d token requests, want 2 (first and forced)", n)
	}

	var cleared struct{ Cleared int }
	if err := c.command("doxls.clearToken", nil, &cleared); err != nil || cleared.Cleared != 1 {
		t.Fatalf("clearToken: %v, cleared %d", err, cleared.Cleared)
	}
	c.waitStatus("missing")
}

func TestTokenInfo(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(nil)
	var info struct {
		ClientID, ZoneID, IssuedAt, ExpiresAt, Issuer, GrantType string
		Scopes                                                   []string
	}
	if err := c.command("doxls.tokenInfo", map[string]any{"key": "dox-key.json"}, &info); err != nil {
		t.Fatal(err)
	}
	if info.ClientID != uaatest.DefaultClient.ID || info.GrantType != "client_credentials" || len(info.Scopes) == 0 || info.ZoneID == "" {
		t.Errorf("tokenInfo = %+v", info)
	}
	if !strings.HasPrefix(info.Issuer, e.uaa.URL) {
		t.Errorf("issuer %q is not the emulator's", info.Issuer)
	}
	err := c.command("doxls.tokenInfo", map[string]any{"token": "not-a-jwt"}, &info)
	if rpcCode(err) != jsonrpc2.InvalidParams {
		t.Errorf("tokenInfo with a bad token: %v, want InvalidParams", err)
	}
}

func TestCommandErrors(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(nil)
	cases := []struct {
		name string
		cmd  string
		args any
		code jsonrpc2.Code
		want string
	}{
		{"unknown command", "doxls.nope", nil, jsonrpc2.InvalidParams, "unknown command"},
		{"uri of the wrong type", "doxls.insertBearer", map[string]any{"uri": 42}, jsonrpc2.InvalidParams, "uri"},
		{"uri missing", "doxls.insertBearer", map[string]any{}, jsonrpc2.InvalidParams, "uri is required"},
		{"negative line", "doxls.insertBearer", map[string]any{"uri": "file:///x.http", "line": -3}, jsonrpc2.InvalidParams, "line"},
		{"forceRefresh not a bool", "doxls.getToken", map[string]any{"forceRefresh": "yes"}, jsonrpc2.InvalidParams, "forceRefresh"},
		{"unknown key", "doxls.getToken", map[string]any{"key": "nope.json"}, jsonrpc2.InvalidParams, "unknown service key"},
		{"uris not an array", "doxls.refreshBearers", map[string]any{"uris": "file:///x.http"}, jsonrpc2.InvalidParams, "uris"},
		{"argument not an object", "doxls.getToken", "dox-key.json", jsonrpc2.InvalidParams, "JSON object"},
		{"broken key file", "doxls.loadServiceKey", map[string]any{"path": e.write("broken.json", `{"uaa": {"clientid": "x", }}`)}, -32803, "broken.json"},
		{"missing file", "doxls.insertBearer", map[string]any{"uri": fileURI(filepath.Join(e.dir, "gone.http"))}, -32803, "gone.http"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := c.command(tc.cmd, tc.args, nil)
			if rpcCode(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v (code %d), want code %d containing %q", tc.cmd, err, rpcCode(err), tc.code, tc.want)
			}
		})
	}
	// The server is still there.
	var tok tokenResult
	if err := c.command("doxls.getToken", map[string]any{"key": "dox-key.json"}, &tok); err != nil {
		t.Fatalf("getToken after errors: %v", err)
	}
}

func TestWrongSecretIsOneLineWithoutTheSecret(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	wrong := uaatest.Client{ID: uaatest.DefaultClient.ID, Secret: "wr0ng+$ecret/=!"}
	e.write("dox-key.json", string(e.uaa.KeyJSON(wrong)))
	c := e.session(nil, "--log-level", "debug")
	err := c.command("doxls.getToken", nil, nil)
	if err == nil {
		t.Fatal("getToken with a wrong secret succeeded")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || strings.Contains(msg, wrong.Secret) || !strings.Contains(msg, "dox-key.json") {
		t.Errorf("error is not one line naming the key without the secret: %q", msg)
	}
	st := c.waitStatus("error")
	if strings.Contains(st.Message, wrong.Secret) {
		t.Error("status message holds the secret")
	}
	c.shutdown()
	if strings.Contains(c.stderr.String(), wrong.Secret) {
		t.Error("the debug log holds the secret")
	}
}

func TestInsertAndRefreshBearers(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(nil)
	src := "\ufeff# DOX calls – Überblick\r\n" +
		"@host = " + e.apiURL() + "\r\n" +
		"\r\n" +
		"### capabilities\r\n" +
		"GET {{host}}/capabilities\r\n" +
		"Accept: application/json\r\n" +
		"\r\n" +
		"### someone else's server\r\n" +
		"GET https://api.example.com/v1/things\r\n"
	u := c.open(filepath.Join(e.dir, "dox.http"), src)

	var res insertResult
	if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, &res); err != nil {
		t.Fatalf("insertBearer: %v", err)
	}
	tok := c.token(nil)
	want := strings.Replace(src, "Accept: application/json\r\n", "Accept: application/json\r\nAuthorization: Bearer "+tok.AccessToken+"\r\n", 1)
	if got := c.text(u); got != want {
		t.Fatalf("document after insertBearer differs from the expected bytes:\n got %q\nwant %q", redactIn(got, tok.AccessToken), redactIn(want, tok.AccessToken))
	}
	if res.Edited != 1 || len(res.Skipped) != 1 || res.Skipped[0].Line != 9 || !strings.Contains(res.Skipped[0].Reason, "api.example.com") {
		t.Errorf("result = %+v, want 1 edit and line 9 (after the edit) skipped for api.example.com", res)
	}

	// A second insert with the same token changes nothing and sends no edit.
	c.mu.Lock()
	before := c.editsSeen
	c.mu.Unlock()
	if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, &res); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	after := c.editsSeen
	c.mu.Unlock()
	if res.Edited != 0 || after != before || c.text(u) != want {
		t.Errorf("second insert: edited %d, applyEdit sent %d times", res.Edited, after-before)
	}

	// A new token replaces the old one in place.
	if err := c.command("doxls.getToken", map[string]any{"forceRefresh": true}, &tok); err != nil {
		t.Fatal(err)
	}
	var refreshed struct{ Edited, Documents int }
	if err := c.command("doxls.refreshBearers", nil, &refreshed); err != nil {
		t.Fatal(err)
	}
	want = strings.Replace(src, "Accept: application/json\r\n", "Accept: application/json\r\nAuthorization: Bearer "+tok.AccessToken+"\r\n", 1)
	if refreshed.Edited != 1 || refreshed.Documents != 1 || c.text(u) != want {
		t.Errorf("refresh: %+v; document matches: %v", refreshed, c.text(u) == want)
	}
}

func TestInsertBearerOneRequestByLine(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(map[string]any{"insertMode": "variable", "variableName": "tok"})
	src := "GET " + e.apiURL() + "/capabilities\n\n###\n\nGET " + e.apiURL() + "/document/jobs\n"
	u := c.open(filepath.Join(e.dir, "two.http"), src)
	var res insertResult
	if err := c.command("doxls.insertBearer", map[string]any{"uri": u, "line": 4}, &res); err != nil {
		t.Fatal(err)
	}
	got := c.text(u)
	if !strings.HasPrefix(got, "@tok = ey") || strings.Count(got, "Authorization: Bearer {{tok}}") != 1 {
		t.Errorf("variable mode, one request: got %q", redactJWTs(got))
	}
	if !strings.Contains(got, "/document/jobs\nAuthorization: Bearer {{tok}}\n") {
		t.Errorf("the header went to the wrong request: %q", redactJWTs(got))
	}
}

func TestRefusedEditIsAnError(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(nil)
	src := "GET " + e.apiURL() + "/capabilities\n"
	u := c.open(filepath.Join(e.dir, "a.http"), src)
	c.mu.Lock()
	c.refuseEdits = true
	c.mu.Unlock()
	err := c.command("doxls.insertBearer", map[string]any{"uri": u}, nil)
	if err == nil || !strings.Contains(err.Error(), "did not apply") {
		t.Errorf("refused edit: %v", err)
	}
	if c.text(u) != src {
		t.Error("document changed although the edit was refused")
	}
}

// redactIn shows s in a failure message without the token.
func redactIn(s, token string) string { return strings.ReplaceAll(s, token, redacted(token)) }

// redactJWTs hides every JWT-looking word of s.
func redactJWTs(s string) string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\n' || r == '\r' })
	for _, f := range fields {
		if strings.HasPrefix(f, "ey") && strings.Count(f, ".") == 2 {
			s = strings.ReplaceAll(s, f, redacted(f))
		}
	}
	return s
}

// A discovery that ends after a failed fetch of the active key (VS Code
// sends the new setting and asks for the token at once; discovery runs off
// the read loop) leaves the client's state at "error", not "missing".
func TestDiscoveryAfterAFailedFetchKeepsTheError(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	wrong := uaatest.Client{ID: uaatest.DefaultClient.ID, Secret: "wr0ng+$ecret/=!"}
	e.write("dox-key.json", string(e.uaa.KeyJSON(wrong)))
	c := e.session(nil)
	if err := c.command("doxls.getToken", nil, nil); err == nil {
		t.Fatal("getToken with a wrong secret succeeded")
	}
	c.waitStatus("error")
	if err := c.conn.Notify(t.Context(), "workspace/didChangeWatchedFiles", map[string]any{
		"changes": []any{map[string]any{"uri": uri.File(e.key), "type": 2}},
	}); err != nil {
		t.Fatal(err)
	}
	// Commands wait for the discovery that message started; its status
	// notification, if any, is written before this answer.
	var keys struct {
		Active string `json:"active"`
	}
	if err := c.command("doxls.loadServiceKey", nil, &keys); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	last := ""
	for _, n := range c.notes {
		var st statusNote
		if n.method == "dox/tokenStatus" && json.Unmarshal(n.params, &st) == nil && st.Key == keys.Active {
			last = st.State
		}
	}
	c.mu.Unlock()
	if last != "error" {
		t.Errorf("the client's last state of %s is %q, want error", keys.Active, last)
	}
}
