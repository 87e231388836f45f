// Package windows drives doxls.exe under Wine as VS Code on Windows does:
// workspace folder and documents as file:///z%3A/tmp/…, a document opened
// as Neovim spells it (file:///Z:/…), the UAA emulator on loopback.
// scripts/windows-e2e.sh runs it with DOXLS_WINE_DOXLS naming the binary.
package windows

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"

	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/internal/fileuri"
)

// wait bounds every call; Wine starts slowly, it is a hang guard only.
const wait = 60 * time.Second

const request = "### list jobs\nGET %s/document/jobs\n"

type session struct {
	t    *testing.T
	conn jsonrpc2.Conn
	dir  string // the workspace on Linux, Z:\… to doxls.exe

	mu    sync.Mutex
	docs  map[string]string // open documents by URI
	vers  map[string]int32
	edits []string // URIs the server edited or created, in order
}

// winPath is the path doxls.exe sees for a Linux path (Wine's Z: is /).
func winPath(p string) string { return "Z:" + strings.ReplaceAll(p, "/", `\`) }

// uri is what VS Code on Windows sends for a Linux path seen through Z:.
func uri(p string) string { return fileuri.Windows.FromPath(winPath(p)) }

func start(t *testing.T) (*session, *uaatest.Server) {
	exe := os.Getenv("DOXLS_WINE_DOXLS")
	if exe == "" {
		t.Skip("DOXLS_WINE_DOXLS is not set: scripts/windows-e2e.sh runs this with doxls.exe under Wine")
	}
	wine, err := exec.LookPath("wine")
	if err != nil {
		t.Fatalf("wine: %v", err)
	}
	uaa, err := uaatest.New(uaatest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(uaa.Close)
	dir, err := os.MkdirTemp("/tmp", "doxls-win-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	write(t, filepath.Join(dir, "dox-key.json"), string(uaa.KeyJSON(uaatest.DefaultClient)))

	cmd := exec.Command(wine, exe, "serve")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s := &session{t: t, dir: dir, docs: map[string]string{}, vers: map[string]int32{}}
	s.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(struct {
		io.Reader
		io.WriteCloser
	}{stdout, stdin}))
	s.conn.Go(context.Background(), s.handle)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if _, err := s.conn.Call(ctx, "shutdown", nil, nil); err == nil {
			s.conn.Notify(ctx, "exit", nil)
		}
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(wait):
			cmd.Process.Kill()
		}
	})

	ws := uri(dir)
	s.call("initialize", map[string]any{
		"processId":        nil,
		"rootUri":          ws,
		"workspaceFolders": []any{map[string]any{"uri": ws, "name": filepath.Base(dir)}},
		"capabilities": map[string]any{"workspace": map[string]any{
			"applyEdit":     true,
			"workspaceEdit": map[string]any{"documentChanges": true, "resourceOperations": []string{"create"}},
		}},
	}, nil)
	s.notify("initialized", map[string]any{})
	return s, uaa
}

func write(t *testing.T, p, text string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (s *session) call(method string, params, result any) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if _, err := s.conn.Call(ctx, method, params, result); err != nil {
		s.t.Fatalf("%s: %v", method, err)
	}
}

func (s *session) command(id string, args, result any) {
	s.t.Helper()
	s.call("workspace/executeCommand", map[string]any{"command": id, "arguments": []any{args}}, result)
}

func (s *session) notify(method string, params any) {
	s.t.Helper()
	if err := s.conn.Notify(context.Background(), method, params); err != nil {
		s.t.Fatal(err)
	}
}

func (s *session) open(u, text string) {
	s.mu.Lock()
	s.docs[u], s.vers[u] = text, 1
	s.mu.Unlock()
	s.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": u, "languageId": "http", "version": 1, "text": text}})
}

func (s *session) text(u string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.docs[u]
}

func (s *session) edited() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.edits...)
}

type position struct{ Line, Character int }

type textEdit struct {
	Range   struct{ Start, End position } `json:"range"`
	NewText string                        `json:"newText"`
}

// handle answers workspace/applyEdit as VS Code does: a create operation
// makes the file on disk, text edits change the open document, and the
// server hears of each change through didChange.
func (s *session) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	if req.Method() != "workspace/applyEdit" {
		if _, ok := req.(*jsonrpc2.Call); ok {
			return reply(ctx, nil, nil)
		}
		return nil
	}
	var p struct {
		Edit struct {
			DocumentChanges []struct {
				Kind         string `json:"kind"`
				URI          string `json:"uri"`
				TextDocument struct {
					URI string `json:"uri"`
				} `json:"textDocument"`
				Edits []textEdit `json:"edits"`
			} `json:"documentChanges"`
		} `json:"edit"`
	}
	if err := json.Unmarshal(req.Params(), &p); err != nil {
		return reply(ctx, nil, err)
	}
	for _, dc := range p.Edit.DocumentChanges {
		if dc.Kind == "create" {
			path, err := fileuri.Windows.ToPath(dc.URI)
			if err != nil || !strings.HasPrefix(path, `Z:\`) {
				return reply(ctx, map[string]any{"applied": false, "failureReason": "not a Z: URI: " + dc.URI}, nil)
			}
			os.WriteFile(strings.ReplaceAll(path[2:], `\`, "/"), nil, 0o644)
			s.mu.Lock()
			s.edits = append(s.edits, dc.URI)
			s.mu.Unlock()
			s.open(dc.URI, "") // the editor opens what it created
			continue
		}
		u := dc.TextDocument.URI
		s.mu.Lock()
		text, ok := s.docs[u]
		if !ok {
			s.mu.Unlock()
			return reply(ctx, map[string]any{"applied": false, "failureReason": "not open: " + u}, nil)
		}
		for i := len(dc.Edits) - 1; i >= 0; i-- { // the server sends them in document order
			e := dc.Edits[i]
			start, end := offset(text, e.Range.Start), offset(text, e.Range.End)
			text = text[:start] + e.NewText + text[end:]
		}
		s.docs[u] = text
		s.vers[u]++
		v := s.vers[u]
		s.edits = append(s.edits, u)
		s.mu.Unlock()
		s.conn.Notify(ctx, "textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": u, "version": v},
			"contentChanges": []any{map[string]any{"text": text}},
		})
	}
	return reply(ctx, map[string]any{"applied": true}, nil)
}

// offset of an LSP position in ASCII text.
func offset(text string, p position) int {
	i := 0
	for line := 0; line < p.Line; line++ {
		n := strings.IndexByte(text[i:], '\n')
		if n < 0 {
			return len(text)
		}
		i += n + 1
	}
	return min(i+p.Character, len(text))
}

func TestWindowsSession(t *testing.T) {
	s, uaa := start(t)
	api := uaa.APIURL + "/document-information-extraction/v1"

	// Discovery finds the key under the Z: workspace folder.
	var keys struct {
		Keys []struct {
			ID, Path string
		} `json:"keys"`
		Problems []string `json:"problems"`
	}
	s.command("doxls.loadServiceKey", map[string]any{}, &keys)
	if want := winPath(filepath.Join(s.dir, "dox-key.json")); len(keys.Keys) != 1 || keys.Keys[0].Path != want || len(keys.Problems) != 0 {
		t.Fatalf("loadServiceKey: %+v, want one key at %s and no problems", keys, want)
	}

	// The header goes into the document VS Code names file:///z%3A/….
	dox := filepath.Join(s.dir, "dox.http")
	text := strings.Replace(request, "%s", api, 1)
	write(t, dox, text)
	s.open(uri(dox), text)
	var ins struct{ Edited int }
	s.command("doxls.insertBearer", map[string]any{"uri": uri(dox)}, &ins)
	if ins.Edited != 1 || !strings.Contains(s.text(uri(dox)), "Authorization: Bearer ey") {
		t.Fatalf("insertBearer: edited %d, document now:\n%s", ins.Edited, s.text(uri(dox)))
	}

	// A new request file beside dox.http (which exists), and one in a
	// folder given as Neovim spells it.
	var created struct{ URI string }
	s.command("doxls.newRequestFile", map[string]any{}, &created)
	if want := uri(filepath.Join(s.dir, "dox-2.http")); created.URI != want {
		t.Fatalf("newRequestFile: %s, want %s", created.URI, want)
	}
	sub := filepath.Join(s.dir, "Requests")
	os.Mkdir(sub, 0o755)
	s.command("doxls.newRequestFile", map[string]any{"folder": "file:///Z:" + filepath.ToSlash(sub)}, &created)
	if want := uri(filepath.Join(sub, "dox.http")); created.URI != want {
		t.Fatalf("newRequestFile in a folder URI: %s, want %s", created.URI, want)
	}

	// envFile mode: the token goes to http-client.private.env.json on disk…
	s.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"dox": map[string]any{"insertMode": "envFile"}}})
	envReq := filepath.Join(s.dir, "env.http")
	write(t, envReq, text)
	s.open(uri(envReq), text)
	var envRes struct {
		Edited  int
		EnvFile struct{ Path string }
	}
	s.command("doxls.insertBearer", map[string]any{"uri": uri(envReq)}, &envRes)
	envPath := filepath.Join(s.dir, "http-client.private.env.json")
	onDisk, err := os.ReadFile(envPath)
	if err != nil || !strings.Contains(string(onDisk), `"doxToken": "ey`) || envRes.EnvFile.Path != winPath(envPath) {
		t.Fatalf("envFile: %+v; %s holds %.40q… (%v)", envRes, envPath, onDisk, err)
	}
	if !strings.Contains(s.text(uri(envReq)), "Authorization: Bearer {{doxToken}}") {
		t.Fatalf("env.http now:\n%s", s.text(uri(envReq)))
	}

	// …and, once the editor has that file open under another spelling of its
	// URI, a new token goes through the editor, not behind its back.
	nvimURI := "file:///Z:" + filepath.ToSlash(envPath)
	s.open(nvimURI, string(onDisk))
	s.call("workspace/executeCommand", map[string]any{"command": "doxls.getToken", "arguments": []any{map[string]any{"forceRefresh": true}}}, nil)
	more := filepath.Join(s.dir, "more.http")
	write(t, more, text)
	s.open(uri(more), text)
	s.command("doxls.insertBearer", map[string]any{"uri": uri(more)}, &envRes)
	if edits := s.edited(); !contains(edits, nvimURI) {
		t.Fatalf("the open env file %s was not edited through the editor; edits went to %v", nvimURI, edits)
	}
	if after, _ := os.ReadFile(envPath); string(after) != string(onDisk) {
		t.Fatalf("the env file open in the editor was written on disk behind its back")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
