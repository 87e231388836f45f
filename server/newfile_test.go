package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/httpfile"
)

type newFileResult struct {
	URI protocol.DocumentURI `json:"uri"`
}

// fileToken is the one token a new request file holds, in its headers or
// its token variable.
func fileToken(t *testing.T, text string) string {
	t.Helper()
	refs := httpfile.Tokens([]byte(text))
	if len(refs) == 0 {
		t.Fatalf("the new request file holds no token:\n%s", text)
	}
	for _, r := range refs[1:] {
		if r.Token != refs[0].Token {
			t.Fatalf("the new request file holds different tokens (lines %d and %d)", refs[0].Line+1, r.Line+1)
		}
	}
	return refs[0].Token
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A client that creates files in workspace edits (VS Code, Neovim) gets the
// new file as a create operation and the text as an edit of the document
// it opened; the second file gets the next name and the first stays as it
// was.
func TestNewRequestFileThroughTheEditor(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.start()
	c.resourceOps = true
	c.initialize(e.dir, nil)

	var first, second newFileResult
	if err := c.command("doxls.newRequestFile", nil, &first); err != nil {
		t.Fatalf("newRequestFile: %v", err)
	}
	firstPath := filepath.Join(e.dir, "dox.http")
	if first.URI != fileURI(firstPath) {
		t.Fatalf("uri = %s, want %s", first.URI, fileURI(firstPath))
	}
	if !slices.Equal(c.created, []protocol.DocumentURI{first.URI}) {
		t.Fatalf("the editor was asked to create %v, want only %s", c.created, first.URI)
	}
	text := c.text(first.URI)
	tok := c.token(nil)
	if got := fileToken(t, text); got != tok.AccessToken {
		t.Errorf("the new file holds token %s, the server's is %s", redacted(got), redacted(tok.AccessToken))
	}
	for _, want := range []string{"@host = " + e.uaa.APIURL + "\n", "GET {{host}}/document-information-extraction/v1/capabilities\n", "# @name upload\n", "< ./sample.pdf\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("the new file lacks %q", want)
		}
	}
	if got := readFile(t, firstPath); got != "" {
		t.Errorf("the server wrote dox.http itself (%d bytes); the editor creates it", len(got))
	}
	if pdf := readFile(t, filepath.Join(e.dir, "sample.pdf")); !strings.HasPrefix(pdf, "%PDF-") {
		t.Errorf("sample.pdf is not a PDF: %.20q", pdf)
	}

	// The user saves the file, then asks for another one.
	if err := os.WriteFile(firstPath, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.command("doxls.newRequestFile", map[string]any{"name": "dox.http"}, &second); err != nil {
		t.Fatalf("second newRequestFile: %v", err)
	}
	if want := fileURI(filepath.Join(e.dir, "dox-2.http")); second.URI != want {
		t.Fatalf("second uri = %s, want %s", second.URI, want)
	}
	if c.text(first.URI) != text || readFile(t, firstPath) != text {
		t.Errorf("creating dox-2.http changed dox.http")
	}
	if c.text(second.URI) != text {
		t.Errorf("dox-2.http differs from dox.http, with the same key and token:\n%s", hideTokens(c.text(second.URI), tok.AccessToken))
	}
	if code := c.shutdown(); code != 0 {
		t.Errorf("exit status %d", code)
	}
}

// Without resource operations the server writes the file itself; no edit
// reaches the client. Folders come as relative paths or URIs.
func TestNewRequestFileOnDisk(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	ownSample := e.write("requests/sample.pdf", "%PDF-1.7 the user's own invoice")
	c := e.session(map[string]any{"insertMode": "variable"})

	var first, second, rest newFileResult
	if err := c.command("doxls.newRequestFile", map[string]any{"folder": "requests"}, &first); err != nil {
		t.Fatalf("newRequestFile: %v", err)
	}
	firstPath := filepath.Join(e.dir, "requests", "dox.http")
	if first.URI != fileURI(firstPath) {
		t.Fatalf("uri = %s, want %s", first.URI, fileURI(firstPath))
	}
	text := readFile(t, firstPath)
	tok := fileToken(t, text)
	if !strings.Contains(text, "\n@doxToken = "+tok+"\n") || strings.Count(text, "Authorization: Bearer {{doxToken}}\n") != 4 {
		t.Errorf("variable mode: want one @doxToken line and four Bearer {{doxToken}} headers:\n%s", hideTokens(text, tok))
	}
	if fi, err := os.Stat(firstPath); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 { // Windows keeps no mode bits
		t.Errorf("dox.http mode %v (%v), want -rw------- for a file holding a token", fi.Mode().Perm(), err)
	}
	if got := readFile(t, ownSample); got != "%PDF-1.7 the user's own invoice" {
		t.Errorf("the user's sample.pdf was replaced")
	}

	folderURI := fileURI(filepath.Join(e.dir, "requests"))
	if err := c.command("doxls.newRequestFile", map[string]any{"folder": folderURI}, &second); err != nil {
		t.Fatalf("second newRequestFile: %v", err)
	}
	if want := fileURI(filepath.Join(e.dir, "requests", "dox-2.http")); second.URI != want {
		t.Errorf("second uri = %s, want %s", second.URI, want)
	}
	if readFile(t, firstPath) != text {
		t.Errorf("creating dox-2.http changed dox.http")
	}
	if err := c.command("doxls.newRequestFile", map[string]any{"name": "invoices.rest"}, &rest); err != nil {
		t.Fatalf("newRequestFile invoices.rest: %v", err)
	}
	if want := fileURI(filepath.Join(e.dir, "invoices.rest")); rest.URI != want {
		t.Errorf("uri = %s, want %s", rest.URI, want)
	}
	if c.editsSeen != 0 {
		t.Errorf("%d workspace edits reached a client without resource operations", c.editsSeen)
	}

	for args, want := range map[string]map[string]any{
		"must be a file name without a folder": {"name": "../dox.http"},
		"must end in .http or .rest":           {"name": "dox.json"},
		"does not exist":                       {"folder": "nowhere"},
		"unknown service key":                  {"key": "other.json"},
	} {
		err := c.command("doxls.newRequestFile", want, nil)
		if err == nil || !strings.Contains(err.Error(), args) {
			t.Errorf("newRequestFile %v: %v, want an error saying %q", want, err, args)
		}
		if strings.Contains(args, "file name") && rpcCode(err) != jsonrpc2.InvalidParams {
			t.Errorf("newRequestFile %v: code %d, want InvalidParams", want, rpcCode(err))
		}
	}
	entries, _ := os.ReadDir(filepath.Join(e.dir, "requests"))
	if len(entries) != 3 {
		t.Errorf("requests/ holds %d files, want dox.http, dox-2.http and sample.pdf", len(entries))
	}
}

// A key without an API URL cannot make a request file: the error says so
// and nothing is written.
func TestNewRequestFileNeedsTheAPIURL(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	if err := os.Remove(e.key); err != nil {
		t.Fatal(err)
	}
	uaaOnly := `{"clientid": "` + uaatest.DefaultClient.ID + `", "clientsecret": "` + jsonEscape(uaatest.DefaultClient.Secret) + `", "url": "` + e.uaa.URL + `"}`
	e.write("uaa.json", uaaOnly)
	c := e.session(nil)
	err := c.command("doxls.newRequestFile", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "uaa.json has no API URL") {
		t.Fatalf("newRequestFile with a uaa-only key: %v, want an error naming the key and the API URL", err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "dox.http")); !os.IsNotExist(err) {
		t.Errorf("dox.http was written: %v", err)
	}
}

func jsonEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// hideTokens shows text in a failure message without the token.
func hideTokens(text, token string) string { return strings.ReplaceAll(text, token, redacted(token)) }

// In envFile mode the requests name the token and the environment file
// holds it, before the request file exists.
func TestNewRequestFileEnvFileMode(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(map[string]any{"insertMode": "envFile"})
	var res struct {
		URI protocol.DocumentURI `json:"uri"`
		Env struct {
			Path    string `json:"path"`
			Env     string `json:"env"`
			Created bool   `json:"created"`
		} `json:"env"`
	}
	if err := c.command("doxls.newRequestFile", nil, &res); err != nil {
		t.Fatalf("newRequestFile: %v", err)
	}
	text := readFile(t, filePath(t, res.URI))
	if n := strings.Count(text, "Authorization: Bearer {{doxToken}}\n"); n != 4 || len(httpfile.Tokens([]byte(text))) != 0 {
		t.Errorf("want four Bearer {{doxToken}} headers and no token in the file, got %d headers:\n%s", n, text)
	}
	envPath := filepath.Join(e.dir, "http-client.private.env.json")
	if res.Env.Path != envPath || res.Env.Env != "dev" || !res.Env.Created {
		t.Errorf("env = %+v, want %s (environment dev) created", res.Env, envPath)
	}
	tok := c.token(nil)
	var env map[string]map[string]string
	if err := json.Unmarshal([]byte(readFile(t, envPath)), &env); err != nil {
		t.Fatalf("%s: %v", envPath, err)
	}
	if got := env["dev"]["doxToken"]; got != tok.AccessToken {
		t.Errorf("%s holds dev.doxToken %s, want the server's token %s", envPath, redacted(got), redacted(tok.AccessToken))
	}
}
