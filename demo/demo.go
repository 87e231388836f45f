// Package demo runs the whole doxls flow on loopback for "doxls demo": the
// built-in UAA emulator, a sample workspace with a service key and a .http
// file, and a real LSP session with the server, driven the way an editor
// drives it.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/fileuri"
	"github.com/doxls/doxls/server"
)

const sample = `# Sample DOX requests (written by doxls demo)
@host = %s

### What can the service extract?
GET {{host}}/document-information-extraction/v1/capabilities
Accept: application/json

### List my extraction jobs
GET {{host}}/document-information-extraction/v1/document/jobs

### Somebody else's server: never gets the DOX token
GET https://api.example.com/v1/status
`

// Run runs the demo and writes each step to w.
func Run(ctx context.Context, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	step := func(format string, a ...any) { fmt.Fprintf(w, "• "+format+"\n", a...) }

	uaa, err := uaatest.New(uaatest.Options{})
	if err != nil {
		return fmt.Errorf("starting the UAA emulator: %w", err)
	}
	defer uaa.Close()
	step("UAA emulator on %s, DOX API stub on %s", uaa.URL, uaa.APIURL)

	dir, err := os.MkdirTemp("", "doxls-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	keyPath := filepath.Join(dir, "dox-service-key.json")
	httpPath := filepath.Join(dir, "dox.http")
	if err := os.WriteFile(keyPath, uaa.KeyJSON(uaatest.DefaultClient), 0o600); err != nil {
		return err
	}
	text := fmt.Sprintf(sample, uaa.APIURL)
	if err := os.WriteFile(httpPath, []byte(text), 0o644); err != nil {
		return err
	}
	step("workspace %s with dox-service-key.json and dox.http", dir)

	s, err := startSession(ctx, dir)
	if err != nil {
		return err
	}
	defer s.close()

	var keys struct {
		Keys []struct {
			ID, ClientID, APIURL string
		} `json:"keys"`
		Active string `json:"active"`
	}
	if err := s.command(ctx, "doxls.loadServiceKey", nil, &keys); err != nil {
		return err
	}
	for _, k := range keys.Keys {
		step("found service key %s (client %s)", k.ID, k.ClientID)
	}

	var tok struct {
		AccessToken string `json:"accessToken"`
		ExpiresAt   string `json:"expiresAt"`
		ExpiresIn   int64  `json:"expiresIn"`
		Scope       string `json:"scope"`
	}
	if err := s.command(ctx, "doxls.getToken", nil, &tok); err != nil {
		return err
	}
	step("got a token %s, expires %s (in %s), scopes: %s", auth.Redact(tok.AccessToken), tok.ExpiresAt,
		time.Duration(tok.ExpiresIn)*time.Second, tok.Scope)
	if st, ok := s.lastStatus(); ok {
		step("the editor was told: dox/tokenStatus %s", st)
	}

	u := s.open(httpPath, text)
	var ins struct {
		Edited  int `json:"edited"`
		Skipped []struct {
			Line   int    `json:"line"`
			Reason string `json:"reason"`
		} `json:"skipped"`
	}
	if err := s.command(ctx, "doxls.insertBearer", map[string]any{"uri": u}, &ins); err != nil {
		return err
	}
	step("inserted the Bearer header into %d request(s)", ins.Edited)
	for _, sk := range ins.Skipped {
		step("left line %d alone: %s", sk.Line+1, sk.Reason)
	}
	edited := s.text()

	status, err := callAPI(ctx, uaa.APIURL+"/document-information-extraction/v1/capabilities", tok.AccessToken)
	if err != nil {
		return err
	}
	step("GET …/capabilities with that header: %s", status)

	if err := s.shutdown(ctx); err != nil {
		return err
	}
	step("language server shut down cleanly")
	fmt.Fprintf(w, "\n--- dox.http after doxls (token shortened here) ---\n%s", strings.ReplaceAll(edited, tok.AccessToken, auth.Redact(tok.AccessToken)))
	return nil
}

func callAPI(ctx context.Context, url, token string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("calling the DOX API stub: %w", err)
	}
	resp.Body.Close()
	return resp.Status, nil
}

// session is an in-process editor talking LSP to the server over pipes.
type session struct {
	conn   jsonrpc2.Conn
	done   chan error
	in     *os.File
	mu     sync.Mutex
	doc    string
	uri    protocol.DocumentURI
	ver    int32
	status string
}

func startSession(ctx context.Context, dir string) (*session, error) {
	// OS pipes, as between an editor and its server: their buffers let
	// both sides write while the other is busy writing too.
	serverIn, clientOut, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	clientIn, serverOut, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	s := &session{done: make(chan error, 1), in: clientOut}
	go func() {
		s.done <- server.Run(context.Background(), server.Options{In: serverIn, Out: serverOut, Version: "demo"})
		serverOut.Close()
	}()
	s.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(pipeRWC{clientIn, clientOut}))
	s.conn.Go(ctx, s.handle)
	init := map[string]any{
		"processId":        os.Getpid(),
		"rootUri":          fileuri.FromPath(dir),
		"workspaceFolders": []any{map[string]any{"uri": fileuri.FromPath(dir), "name": "demo"}},
		"capabilities": map[string]any{"workspace": map[string]any{
			"applyEdit": true, "workspaceEdit": map[string]any{"documentChanges": true},
		}},
	}
	if _, err := s.conn.Call(ctx, "initialize", init, nil); err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	if err := s.conn.Notify(ctx, "initialized", map[string]any{}); err != nil {
		return nil, err
	}
	return s, nil
}

type pipeRWC struct {
	io.Reader
	io.WriteCloser
}

// handle plays the editor's part: apply edits, note the token status.
func (s *session) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	switch req.Method() {
	case "workspace/applyEdit":
		var p protocol.ApplyWorkspaceEditParams
		if err := json.Unmarshal(req.Params(), &p); err != nil {
			return reply(ctx, nil, err)
		}
		return reply(ctx, map[string]any{"applied": s.apply(ctx, p.Edit)}, nil)
	case "dox/tokenStatus":
		var st struct{ State, Key, Message string }
		if json.Unmarshal(req.Params(), &st) == nil {
			s.mu.Lock()
			s.status = fmt.Sprintf("{key: %s, state: %s, message: %q}", st.Key, st.State, st.Message)
			s.mu.Unlock()
		}
	}
	if _, ok := req.(*jsonrpc2.Call); ok {
		return reply(ctx, nil, nil)
	}
	return nil
}

func (s *session) apply(ctx context.Context, we protocol.WorkspaceEdit) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, dc := range we.DocumentChanges {
		if dc.TextDocument.URI != s.uri {
			return false
		}
		s.doc = applyEdits(s.doc, dc.Edits)
		s.ver++
	}
	return s.conn.Notify(ctx, "textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": s.uri, "version": s.ver},
		"contentChanges": []any{map[string]any{"text": s.doc}},
	}) == nil
}

// applyEdits applies the edits of a workspace edit as an editor does: as
// changes last to first, so that each range is still the one the server
// computed (httpfile.ApplyChanges is the server's own didChange code).
func applyEdits(text string, edits []protocol.TextEdit) string {
	sorted := slices.Clone(edits)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i].Range.Start, sorted[j].Range.Start
		return a.Line > b.Line || a.Line == b.Line && a.Character > b.Character
	})
	changes := make([]httpfile.Change, len(sorted))
	for i, e := range sorted {
		changes[i] = httpfile.Change{Range: &httpfile.Range{Start: position(e.Range.Start), End: position(e.Range.End)}, NewText: []byte(e.NewText)}
	}
	return string(httpfile.ApplyChanges(httpfile.NewBuffer([]byte(text)), changes).Bytes())
}

func position(p protocol.Position) httpfile.Position {
	return httpfile.Position{Line: int(p.Line), Character: int(p.Character)}
}

func (s *session) open(path, text string) protocol.DocumentURI {
	s.mu.Lock()
	s.uri, s.doc, s.ver = protocol.DocumentURI(fileuri.FromPath(path)), text, 1
	s.mu.Unlock()
	_ = s.conn.Notify(context.Background(), "textDocument/didOpen", map[string]any{
		"textDocument": map[string]any{"uri": s.uri, "languageId": "http", "version": 1, "text": text},
	})
	return s.uri
}

func (s *session) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.doc
}

func (s *session) lastStatus() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status, s.status != ""
}

func (s *session) command(ctx context.Context, id string, args, result any) error {
	arguments := []any{}
	if args != nil {
		arguments = append(arguments, args)
	}
	if _, err := s.conn.Call(ctx, "workspace/executeCommand", map[string]any{"command": id, "arguments": arguments}, result); err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	return nil
}

func (s *session) shutdown(ctx context.Context) error {
	if _, err := s.conn.Call(ctx, "shutdown", nil, nil); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := s.conn.Notify(ctx, "exit", nil); err != nil {
		return err
	}
	select {
	case err := <-s.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *session) close() {
	s.in.Close()
	s.conn.Close()
}
