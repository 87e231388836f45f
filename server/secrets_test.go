package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/internal/testgit"
)

// gitRepo makes e's folder a git repository and commits files (paths
// relative to it); none: a repository without commits.
func (e *env) gitRepo(commit ...string) {
	e.t.Helper()
	testgit.Init(e.t, e.dir)
	if len(commit) > 0 {
		e.git(append([]string{"add", "--"}, commit...)...)
		e.git("commit", "-q", "-m", "requests and key")
	}
}

func (e *env) git(args ...string) string {
	e.t.Helper()
	return testgit.Run(e.t, e.dir, args...)
}

// diagnosticsWith waits for the diagnostics of u that have code (or, with
// code "", for diagnostics without any of doxls' exposure warnings).
func (c *client) diagnosticsWith(u protocol.DocumentURI, code string) (diagnosticsNote, json.RawMessage) {
	c.t.Helper()
	var d diagnosticsNote
	var rawDiags struct {
		Diagnostics json.RawMessage `json:"diagnostics"`
	}
	c.waitNote("textDocument/publishDiagnostics", func(raw json.RawMessage) bool {
		d = diagnosticsNote{}
		_ = json.Unmarshal(raw, &d)
		_ = json.Unmarshal(raw, &rawDiags)
		if d.URI != string(u) {
			return false
		}
		has := false
		for _, x := range d.Diagnostics {
			has = has || x.Code == "dox-token-exposed"
		}
		return has == (code != "")
	})
	return d, rawDiags.Diagnostics
}

type codeAction struct {
	Title       string `json:"title"`
	Kind        string `json:"kind"`
	IsPreferred bool   `json:"isPreferred"`
	Command     struct {
		Command   string           `json:"command"`
		Arguments []map[string]any `json:"arguments"`
	} `json:"command"`
}

func TestTrackedRequestFileWithATokenGetsAWarningAndQuickFixes(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c0 := e.session(nil)
	tok := c0.token(nil)
	c0.shutdown()

	text := "GET " + e.apiURL() + "/capabilities\nAuthorization: Bearer " + tok.AccessToken + "\n###\nGET " + e.apiURL() + "/document/jobs\nAuthorization: Bearer " + tok.AccessToken + "\n"
	path := e.write("dox.http", text)
	e.write(".gitignore", "dox-key.json\n")
	e.gitRepo(".gitignore", "dox.http")

	c := e.session(nil)
	u := c.open(path, text)
	d, raw := c.diagnosticsWith(u, "dox-token-exposed")
	var exposed []string
	for _, x := range d.Diagnostics {
		if x.Code == "dox-token-exposed" {
			exposed = append(exposed, x.Message)
			if x.Severity != 2 || x.Range.Start.Line != 1 || x.Range.Start.Character != len("Authorization: Bearer ") {
				t.Errorf("exposure warning: severity %d at %d:%d, want a warning on the first token (1:%d)", x.Severity, x.Range.Start.Line, x.Range.Start.Character, len("Authorization: Bearer "))
			}
		}
	}
	want := "dox.http is tracked by git and holds 2 DOX tokens in plain text: move the token to http-client.private.env.json, or add the file to .gitignore"
	if len(exposed) != 1 || exposed[0] != want {
		t.Fatalf("exposure diagnostics %q, want one %q", exposed, want)
	}
	if strings.Contains(c.stderr.String(), tok.AccessToken) {
		t.Error("the server logged the token")
	}

	var actions []codeAction
	c.must("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": u},
		"range":        map[string]any{"start": map[string]any{"line": 1, "character": 30}, "end": map[string]any{"line": 1, "character": 30}},
		"context":      map[string]any{"diagnostics": raw},
	}, &actions)
	var titles []string
	for _, a := range actions {
		titles = append(titles, a.Title)
	}
	if len(actions) != 2 || actions[0].Title != "Move the DOX tokens to http-client.private.env.json" || !actions[0].IsPreferred ||
		actions[1].Title != "Stop tracking dox.http and add it to .gitignore" || actions[0].Kind != "quickfix" {
		t.Fatalf("code actions %q", titles)
	}

	// The preferred fix: the tokens leave the file for the private
	// environment file, which git ignores from the start.
	var moved struct {
		Edited  int
		EnvFile struct {
			Path, Env, IgnoredIn string
			Created              bool
		}
	}
	a := actions[0].Command
	if err := c.command(a.Command, a.Arguments[0], &moved); err != nil {
		t.Fatal(err)
	}
	ref := "Authorization: Bearer {{doxToken}}"
	if got := c.text(u); strings.Contains(got, tok.AccessToken) || strings.Count(got, ref) != 2 {
		t.Errorf("after the move the document is %q", redactJWTs(got))
	}
	envPath := filepath.Join(e.dir, "http-client.private.env.json")
	env, _ := os.ReadFile(envPath)
	if string(env) != "{\n  \"dev\": {\n    \"doxToken\": \""+tok.AccessToken+"\"\n  }\n}\n" {
		t.Errorf("the env file is %q", redactJWTs(string(env)))
	}
	if moved.Edited != 3 || moved.EnvFile.Path != envPath || !moved.EnvFile.Created || moved.EnvFile.IgnoredIn != filepath.Join(e.dir, ".gitignore") {
		t.Errorf("move result %+v", moved)
	}
	if out := e.git("check-ignore", "http-client.private.env.json"); out != "http-client.private.env.json\n" {
		t.Errorf("git does not ignore the new env file: %q", out)
	}
	c.diagnosticsWith(u, "") // the warning is gone with the tokens

	// The other fix, for a second file: ignored and out of the index.
	other := e.write("old.http", text)
	e.git("add", "old.http")
	ou := c.open(other, text)
	c.diagnosticsWith(ou, "dox-token-exposed")
	var ign struct {
		GitIgnore string
		Pattern   string
		Untracked bool
	}
	if err := c.command(actions[1].Command.Command, map[string]any{"path": other, "untrack": true}, &ign); err != nil {
		t.Fatal(err)
	}
	if ign.Pattern != "/old.http" || !ign.Untracked || ign.GitIgnore != filepath.Join(e.dir, ".gitignore") {
		t.Errorf("ignoreFile = %+v", ign)
	}
	if out := e.git("status", "--porcelain", "--", "old.http"); out != "" {
		t.Errorf("git status of old.http: %q, want nothing (staged, then removed again, now ignored)", out)
	}
	c.diagnosticsWith(ou, "")
}

func TestTrackedServiceKeyIsNamedOnce(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	e.gitRepo("dox-key.json")
	e.write("keys/untracked-key.json", string(e.uaa.KeyJSON(uaatest.SecondClient)))
	c := e.session(map[string]any{"serviceKey": "dox-key.json"})
	seen := map[string]bool{}
	var got []string
	c.waitNote("window/showMessage", func(raw json.RawMessage) bool {
		var m struct {
			Type    int
			Message string
		}
		_ = json.Unmarshal(raw, &m)
		if strings.Contains(m.Message, "service key") && !seen[m.Message] {
			seen[m.Message] = true
			got = append(got, m.Message)
			if m.Type != 2 {
				t.Errorf("message type %d, want a warning (2)", m.Type)
			}
		}
		return len(got) == 2
	})
	wantTracked := "doxls: the service key dox-key.json is tracked by git: its client secret is in the repository; create a new service key, delete this one, and stop tracking the file (command doxls.ignoreFile with untrack)"
	wantUntracked := "doxls: the service key keys/untracked-key.json is not ignored by git: its client secret goes into the next commit that adds all files; add it to .gitignore (command doxls.ignoreFile)"
	if !(got[0] == wantTracked && got[1] == wantUntracked || got[1] == wantTracked && got[0] == wantUntracked) {
		t.Errorf("messages:\n%s\nwant:\n%s\n%s", strings.Join(got, "\n"), wantTracked, wantUntracked)
	}
	for _, m := range got {
		if strings.Contains(m, uaatest.DefaultClient.Secret) {
			t.Error("a message holds the client secret")
		}
	}
	// Discovery again (a key file changed): no second message.
	var res struct{ Keys []struct{ ID string } }
	if err := c.command("doxls.loadServiceKey", nil, &res); err != nil {
		t.Fatal(err)
	}
	c.shutdown()
	n := 0
	c.mu.Lock()
	for _, note := range c.notes {
		if note.method == "window/showMessage" && strings.Contains(string(note.params), "service key") {
			n++
		}
	}
	c.mu.Unlock()
	if n != 2 {
		t.Errorf("%d messages about keys, want 2 (one per file)", n)
	}
}

// In envFile mode insertBearer writes the token into the private env file
// (on disk when the editor does not have it open, through applyEdit when it
// does) and refreshes rewrite only that value.
func TestEnvFileModeWritesAndRefreshesTheEnvironmentFile(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	e.gitRepo() // no commits yet
	envPath := e.write("http-client.private.env.json", "{\r\n\t\"prod\": {\r\n\t\t\"doxToken\": \"keep-me\"\r\n\t}\r\n}\r\n")
	c := e.session(map[string]any{"insertMode": "envFile"})
	u := c.open(filepath.Join(e.dir, "dox.http"), "GET "+e.apiURL()+"/capabilities\n")
	var res struct {
		Edited  int
		Skipped []any
		EnvFile struct {
			Path, Warning string
			Changed       bool
		}
	}
	if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, &res); err != nil {
		t.Fatal(err)
	}
	if got := c.text(u); got != "GET "+e.apiURL()+"/capabilities\nAuthorization: Bearer {{doxToken}}\n" {
		t.Errorf("document: %q", got)
	}
	tok := c.token(nil)
	want := "{\r\n\t\"prod\": {\r\n\t\t\"doxToken\": \"keep-me\"\r\n\t},\r\n\t\"dev\": {\r\n\t\t\"doxToken\": \"" + tok.AccessToken + "\"\r\n\t}\r\n}\r\n"
	if b, _ := os.ReadFile(envPath); string(b) != want {
		t.Errorf("env file %q, want %q", redactJWTs(string(b)), redactJWTs(want))
	}
	if res.Edited != 2 || !res.EnvFile.Changed || res.EnvFile.Path != envPath || !strings.Contains(res.EnvFile.Warning, "is not ignored by git") {
		t.Errorf("insertBearer result %+v", res)
	}
	c.waitNote("window/showMessage", func(raw json.RawMessage) bool {
		return strings.Contains(string(raw), "http-client.private.env.json holds the DOX token and is not ignored by git")
	})

	// With the env file open, a forced refresh goes through the editor.
	envText := want
	eu := c.open(envPath, envText)
	var ref struct{ Edited, Documents int }
	if err := c.command("doxls.refreshBearers", map[string]any{"forceRefresh": true}, &ref); err != nil {
		t.Fatal(err)
	}
	fresh := c.token(nil)
	if fresh.AccessToken == tok.AccessToken {
		t.Fatal("the forced refresh did not fetch a new token")
	}
	if got := c.text(eu); got != strings.Replace(envText, tok.AccessToken, fresh.AccessToken, 1) {
		t.Errorf("open env file after refresh: %q", redactJWTs(got))
	}
	if b, _ := os.ReadFile(envPath); string(b) != envText {
		t.Error("the refresh wrote the open env file on disk instead of through the editor")
	}
	if ref.Edited != 1 || ref.Documents != 1 {
		t.Errorf("refresh result %+v, want one value in one document", ref)
	}
}
