package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	fastjson "github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/internal/fileuri"
	"github.com/doxls/doxls/internal/testbin"
)

// wait bounds every wait in these tests; it is a hang guard, not timing.
const wait = 20 * time.Second

// env is a workspace with an emulator and a key file.
type env struct {
	t    testing.TB
	uaa  *uaatest.Server
	dir  string
	key  string // key file path
	envs []string
}

func newEnv(t testing.TB, opts uaatest.Options) *env {
	t.Helper()
	uaa, err := uaatest.New(opts)
	if err != nil {
		t.Fatalf("starting the UAA emulator: %v", err)
	}
	t.Cleanup(uaa.Close)
	dir := t.TempDir()
	e := &env{t: t, uaa: uaa, dir: dir, key: filepath.Join(dir, "dox-key.json")}
	e.write("dox-key.json", string(uaa.KeyJSON(uaatest.DefaultClient)))
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, uaa.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	e.envs = []string{"SSL_CERT_FILE=" + ca}
	return e
}

func (e *env) write(name, content string) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// apiURL is the base of the DOX API on the emulator.
func (e *env) apiURL() string { return e.uaa.APIURL + "/document-information-extraction/v1" }

// note is a notification the server sent.
type note struct {
	method string
	params json.RawMessage
}

// client is an LSP client over the real binary's stdio, built on
// go.lsp.dev/jsonrpc2. It keeps its own copies of the documents it opened
// and applies workspace edits to them the way an editor does.
type client struct {
	t      testing.TB
	cmd    *exec.Cmd
	conn   jsonrpc2.Conn
	frames *frameStream
	stdin  io.WriteCloser
	stderr *syncBuffer
	logDir string
	exit   chan error

	mu     sync.Mutex
	docs   map[protocol.DocumentURI]*clientDoc
	notes  []note
	signal chan struct{}
	// refuseEdits makes the client answer applyEdit with applied: false.
	refuseEdits bool
	editsSeen   int
	// resourceOps makes initialize announce create/rename/delete file
	// operations in workspace edits, as VS Code and Neovim do.
	resourceOps bool
	// created lists the files created by workspace edits, in order.
	created []protocol.DocumentURI
	// incremental makes the client report an applied edit as VS Code does:
	// one didChange holding one incremental change per text edit, last to
	// first. Otherwise it sends one full-text change.
	incremental bool
	// callWait replaces wait as the bound of a call (a benchmark on 50,000
	// requests moves 85 MB each way).
	callWait time.Duration
}

type clientDoc struct {
	version int32
	text    string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs doxls serve with args in e's folder.
func (e *env) start(args ...string) *client {
	e.t.Helper()
	bin, err := testbin.Path()
	if err != nil {
		e.t.Fatalf("building doxls: %v", err)
	}
	logDir := e.t.TempDir()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Dir = e.dir
	cmd.Env = append(os.Environ(), e.envs...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	c := &client{
		t: e.t, cmd: cmd, stdin: stdin, stderr: &syncBuffer{}, logDir: logDir,
		exit: make(chan error, 1), docs: map[protocol.DocumentURI]*clientDoc{}, signal: make(chan struct{}, 1),
	}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() { c.exit <- cmd.Wait() }()
	c.frames = &frameStream{Stream: jsonrpc2.NewStream(rwc{stdout, stdin}), w: stdin, r: bufio.NewReader(stdout), edits: map[jsonrpc2.ID]workspaceEdit{}}
	c.conn = jsonrpc2.NewConn(c.frames)
	c.conn.Go(context.Background(), c.handle)
	e.t.Cleanup(func() {
		_ = stdin.Close()
		select {
		case <-c.exit:
		case <-time.After(wait):
			_ = cmd.Process.Kill()
		}
	})
	return c
}

// frameStream is jsonrpc2's stream with a lock of its own, so that the
// client can also send a message it encoded itself (writeNotify): jsonrpc2
// encodes a notification's params twice, the second time compacting and
// escaping them inside the message, which for the 9 MB didChange of a big
// edit costs the test client more than the server spends on it. An editor
// encodes a message once, and parses one once: Read decodes a
// workspace/applyEdit in one pass, where jsonrpc2 would scan its params
// into a raw message for the handler to parse again.
type frameStream struct {
	jsonrpc2.Stream
	mu sync.Mutex
	w  io.Writer
	r  *bufio.Reader // the server's output; only Read reads it

	editsMu sync.Mutex
	edits   map[jsonrpc2.ID]workspaceEdit // decoded by Read, taken by the handler
}

func (s *frameStream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Stream.Write(ctx, msg)
}

// Read reads a frame as jsonrpc2's stream does. A workspace/applyEdit
// call (lspconn writes the method first, before the params) is decoded
// once, its edit kept for the handler (takeEdit); any other message goes
// through jsonrpc2.DecodeMessage.
func (s *frameStream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	var total, length int64
	for {
		line, err := s.r.ReadString('\n')
		total += int64(len(line))
		if err != nil {
			return nil, total, fmt.Errorf("reading a header line: %w", err)
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Length:"); ok {
			if length, err = strconv.ParseInt(strings.TrimSpace(v), 10, 32); err != nil || length <= 0 {
				return nil, total, fmt.Errorf("bad Content-Length %q", v)
			}
		}
	}
	if length == 0 {
		return nil, total, errors.New("no Content-Length header")
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(s.r, body); err != nil {
		return nil, total, fmt.Errorf("reading a message: %w", err)
	}
	total += length
	if bytes.Contains(body[:min(len(body), 64)], []byte(`"method":"workspace/applyEdit"`)) {
		var call struct {
			ID     jsonrpc2.ID `json:"id"`
			Params struct {
				Edit workspaceEdit `json:"edit"`
			} `json:"params"`
		}
		// ZeroCopy: the edit's strings share body, which nothing reuses.
		if _, err := fastjson.Parse(body, &call, fastjson.ZeroCopy); err != nil {
			return nil, total, fmt.Errorf("workspace/applyEdit: %w", err)
		}
		s.editsMu.Lock()
		s.edits[call.ID] = call.Params.Edit
		s.editsMu.Unlock()
		msg, err := jsonrpc2.NewCall(call.ID, "workspace/applyEdit", nil)
		return msg, total, err
	}
	msg, err := jsonrpc2.DecodeMessage(body)
	return msg, total, err
}

// takeEdit returns the edit Read decoded for the call id.
func (s *frameStream) takeEdit(id jsonrpc2.ID) (workspaceEdit, bool) {
	s.editsMu.Lock()
	defer s.editsMu.Unlock()
	e, ok := s.edits[id]
	delete(s.edits, id)
	return e, ok
}

// writeNotify sends a notification with params encoded once, into a
// buffer of about size bytes (an editor knows what it is sending).
func (s *frameStream) writeNotify(method string, params any, size int) error {
	body, err := fastjson.Append(make([]byte, 0, size+len(method)+64), struct {
		JSONRPC string `json:"jsonrpc"`
		Method  string `json:"method"`
		Params  any    `json:"params"`
	}{"2.0", method, params}, 0)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprintf(s.w, "Content-Length: %d\r\n\r\n", len(body)); err != nil {
		return err
	}
	_, err = s.w.Write(body)
	return err
}

type rwc struct {
	io.Reader
	io.WriteCloser
}

// handle answers the server's requests as an editor would.
func (c *client) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	switch req.Method() {
	case "workspace/applyEdit":
		call, ok := req.(*jsonrpc2.Call)
		if !ok {
			return nil // a notification of that name: nothing to answer
		}
		// Decoded once, as it was read (frameStream.Read): an edit can
		// carry megabytes, and an editor parses it once.
		edit, ok := c.frames.takeEdit(call.ID())
		if !ok {
			return reply(ctx, nil, errors.New("test client: the edit was not decoded"))
		}
		c.mu.Lock()
		refuse := c.refuseEdits
		c.editsSeen++
		c.mu.Unlock()
		if refuse {
			return reply(ctx, map[string]any{"applied": false, "failureReason": "refused by test"}, nil)
		}
		applied, reason := c.applyWorkspaceEdit(edit)
		return reply(ctx, map[string]any{"applied": applied, "failureReason": reason}, nil)
	case "window/workDoneProgress/create", "client/registerCapability":
		return reply(ctx, nil, nil)
	case "workspace/configuration":
		return reply(ctx, []any{map[string]any{}}, nil)
	}
	if _, ok := req.(*jsonrpc2.Call); ok {
		return reply(ctx, nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "test client: %s", req.Method()))
	}
	c.mu.Lock()
	c.notes = append(c.notes, note{req.Method(), append(json.RawMessage(nil), req.Params()...)})
	c.mu.Unlock()
	c.wake()
	return nil
}

// wake tells a waiting test that a notification arrived or an edit landed.
func (c *client) wake() {
	select {
	case c.signal <- struct{}{}:
	default:
	}
}

// waitUntil waits until cond holds, checking it whenever the server sent
// something or an edit was applied.
func (c *client) waitUntil(cond func() bool) {
	c.t.Helper()
	deadline := time.After(wait)
	for !cond() {
		select {
		case <-c.signal:
		case <-deadline:
			c.t.Fatal("the awaited state was not reached")
		}
	}
}

// workspaceEdit is a WorkspaceEdit as the client reads it. An entry of
// documentChanges is a text document edit or, with a kind, a resource
// operation (protocol.WorkspaceEdit cannot decode those).
type workspaceEdit struct {
	Changes         map[protocol.DocumentURI][]protocol.TextEdit `json:"changes"`
	DocumentChanges []struct {
		Kind    string               `json:"kind"`
		URI     protocol.DocumentURI `json:"uri"`
		Options struct {
			Overwrite      bool `json:"overwrite"`
			IgnoreIfExists bool `json:"ignoreIfExists"`
		} `json:"options"`
		TextDocument protocol.OptionalVersionedTextDocumentIdentifier `json:"textDocument"`
		Edits        []protocol.TextEdit                              `json:"edits"`
	} `json:"documentChanges"`
}

// applyWorkspaceEdit applies edits to the client's documents and tells the
// server with didChange, as VS Code does. A create-file operation among
// documentChanges makes an empty file on disk and opens it, as editors do;
// the text edits after it fill the open document, not the file.
func (c *client) applyWorkspaceEdit(we workspaceEdit) (bool, string) {
	type change struct {
		uri     protocol.DocumentURI
		version *int32
		edits   []protocol.TextEdit
	}
	var changes []change
	for _, item := range we.DocumentChanges {
		switch item.Kind {
		case "":
			changes = append(changes, change{item.TextDocument.URI, item.TextDocument.Version, item.Edits})
		case "create":
			if reason := c.createFile(item.URI, item.Options.Overwrite, item.Options.IgnoreIfExists); reason != "" {
				return false, reason
			}
		default:
			return false, "test client: unsupported resource operation " + item.Kind
		}
	}
	for u, edits := range we.Changes {
		changes = append(changes, change{u, nil, edits})
	}
	for _, ch := range changes {
		c.mu.Lock()
		doc, ok := c.docs[ch.uri]
		if !ok {
			c.mu.Unlock()
			return false, "document not open: " + string(ch.uri)
		}
		if ch.version != nil && *ch.version != doc.version {
			c.mu.Unlock()
			return false, fmt.Sprintf("version %d is stale, the document is at %d", *ch.version, doc.version)
		}
		text, err := applyEdits(doc.text, ch.edits)
		if err != nil {
			c.mu.Unlock()
			return false, err.Error()
		}
		doc.text = text
		doc.version++
		version := doc.version
		c.mu.Unlock()
		c.wake()
		changes, size := []any{map[string]any{"text": text}}, len(text)+64
		if c.incremental {
			changes = vscodeChanges(ch.edits)
			size = 0
			for _, e := range ch.edits {
				size += len(e.NewText) + 96 // a range and the keys
			}
		}
		err = c.frames.writeNotify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": ch.uri, "version": version},
			"contentChanges": changes,
		}, size+len(ch.uri)+64)
		if err != nil {
			return false, err.Error()
		}
	}
	return true, ""
}

// vscodeChanges is the contentChanges VS Code sends for text edits it
// applied: one change per edit, last to first, so that each range holds in
// the text as the changes before it left it. Edits at the same spot go in
// reverse order too: each lands in front of the one applied before it.
func vscodeChanges(edits []protocol.TextEdit) []any {
	sorted := append([]protocol.TextEdit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool { return before(sorted[i].Range.Start, sorted[j].Range.Start) })
	out := make([]any, len(sorted))
	for i, e := range sorted {
		out[len(sorted)-1-i] = textChange{Range: e.Range, Text: e.NewText}
	}
	return out
}

// textChange is an incremental change; a struct, as an editor's encoder
// sees it (thousands of them make one didChange).
type textChange struct {
	Range protocol.Range `json:"range"`
	Text  string         `json:"text"`
}

func before(a, b protocol.Position) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Character < b.Character
}

// createFile carries out a create-file operation the way VS Code does: an
// existing file fails it unless the options say overwrite or ignore.
func (c *client) createFile(u protocol.DocumentURI, overwrite, ignoreIfExists bool) string {
	path := filePath(c.t, u)
	if _, err := os.Stat(path); err == nil {
		switch {
		case ignoreIfExists && !overwrite:
			return ""
		case !overwrite:
			return "file exists: " + path
		}
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		return err.Error()
	}
	c.mu.Lock()
	c.created = append(c.created, u)
	c.docs[u] = &clientDoc{version: 1}
	c.mu.Unlock()
	err := c.conn.Notify(context.Background(), "textDocument/didOpen", map[string]any{
		"textDocument": map[string]any{"uri": u, "languageId": "http", "version": 1, "text": ""},
	})
	if err != nil {
		return err.Error()
	}
	return ""
}

// applyEdits applies LSP text edits (UTF-16 positions) to text, in one
// pass over a line index, as editors do: a 5,000-edit change stays cheap.
func applyEdits(text string, edits []protocol.TextEdit) (string, error) {
	lineStarts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			lineStarts = append(lineStarts, i+1)
		}
	}
	type span struct {
		start, end int
		text       string
	}
	spans := make([]span, len(edits))
	for i, e := range edits {
		s, err := byteOffset(text, lineStarts, e.Range.Start)
		if err != nil {
			return "", err
		}
		en, err := byteOffset(text, lineStarts, e.Range.End)
		if err != nil {
			return "", err
		}
		spans[i] = span{s, en, e.NewText}
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	size := len(text)
	for _, s := range spans {
		size += len(s.text) - (s.end - s.start)
	}
	var b strings.Builder
	b.Grow(max(size, 0))
	at := 0
	for _, s := range spans {
		if s.start < at {
			return "", fmt.Errorf("overlapping edits at byte %d", s.start)
		}
		b.WriteString(text[at:s.start])
		b.WriteString(s.text)
		at = s.end
	}
	b.WriteString(text[at:])
	return b.String(), nil
}

func byteOffset(text string, lineStarts []int, p protocol.Position) (int, error) {
	if int(p.Line) >= len(lineStarts) {
		return 0, fmt.Errorf("line %d is past the end", p.Line)
	}
	i := lineStarts[p.Line]
	units := uint32(0)
	for units < p.Character {
		if i >= len(text) || text[i] == '\n' || text[i] == '\r' {
			return 0, fmt.Errorf("character %d is past the end of line %d", p.Character, p.Line)
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		units += uint32(len(utf16.Encode([]rune{r})))
		i += size
	}
	return i, nil
}

// call sends a request and decodes the result.
func (c *client) call(method string, params, result any) error {
	c.t.Helper()
	bound := wait
	if c.callWait > 0 {
		bound = c.callWait
	}
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	_, err := c.conn.Call(ctx, method, params, result)
	return err
}

// must is call that fails the test on error.
func (c *client) must(method string, params, result any) {
	c.t.Helper()
	if err := c.call(method, params, result); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) command(id string, args any, result any) error {
	c.t.Helper()
	p := map[string]any{"command": id, "arguments": []any{}}
	if args != nil {
		p["arguments"] = []any{args}
	}
	return c.call("workspace/executeCommand", p, result)
}

// initialize runs the handshake with the capabilities VS Code sends that
// matter here, and the given initializationOptions.
func (c *client) initialize(folder string, options map[string]any) {
	c.t.Helper()
	workspaceEdit := map[string]any{"documentChanges": true}
	if c.resourceOps {
		workspaceEdit["resourceOperations"] = []string{"create", "rename", "delete"}
	}
	params := map[string]any{
		"processId":        os.Getpid(),
		"rootUri":          fileURI(folder),
		"workspaceFolders": []any{map[string]any{"uri": fileURI(folder), "name": "ws"}},
		"capabilities": map[string]any{
			"workspace": map[string]any{
				"applyEdit":     true,
				"workspaceEdit": workspaceEdit,
				"configuration": true,
			},
			"window": map[string]any{"workDoneProgress": true},
		},
		"initializationOptions": options,
	}
	var res struct {
		Capabilities struct {
			ExecuteCommandProvider struct {
				Commands []string `json:"commands"`
			} `json:"executeCommandProvider"`
		} `json:"capabilities"`
	}
	c.must("initialize", params, &res)
	if len(res.Capabilities.ExecuteCommandProvider.Commands) == 0 {
		c.t.Fatalf("initialize: no commands in executeCommandProvider")
	}
	if err := c.conn.Notify(context.Background(), "initialized", map[string]any{}); err != nil {
		c.t.Fatal(err)
	}
}

// session starts doxls serve (with args) in e's folder and initializes it
// with the given initializationOptions.
func (e *env) session(options map[string]any, args ...string) *client {
	e.t.Helper()
	c := e.start(args...)
	c.initialize(e.dir, options)
	return c
}

// token runs doxls.getToken with args (nil: none) and fails the test on error.
func (c *client) token(args map[string]any) tokenResult {
	c.t.Helper()
	var tok tokenResult
	var arg any
	if args != nil {
		arg = args
	}
	if err := c.command("doxls.getToken", arg, &tok); err != nil {
		c.t.Fatalf("doxls.getToken: %v", err)
	}
	return tok
}

// needsCertFile skips a test that trusts the emulator's CA through
// SSL_CERT_FILE (the x509 keys' mutual TLS) where Go does not read it.
func needsCertFile(t testing.TB) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Go on Windows verifies servers with the system's certificate store; SSL_CERT_FILE does not reach it")
	}
}

// fileURI is the URI VS Code sends for path (file:///c%3A/… on Windows).
func fileURI(path string) protocol.DocumentURI {
	return protocol.DocumentURI(fileuri.FromPath(path))
}

// filePath is the path of a file URI the server sent.
func filePath(t testing.TB, u protocol.DocumentURI) string {
	t.Helper()
	p, err := fileuri.ToPath(string(u))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (c *client) open(path, text string) protocol.DocumentURI {
	c.t.Helper()
	u := fileURI(path)
	c.mu.Lock()
	c.docs[u] = &clientDoc{version: 1, text: text}
	c.mu.Unlock()
	err := c.conn.Notify(context.Background(), "textDocument/didOpen", map[string]any{
		"textDocument": map[string]any{"uri": u, "languageId": "http", "version": 1, "text": text},
	})
	if err != nil {
		c.t.Fatal(err)
	}
	return u
}

// notify sends a notification and fails the test on error.
func (c *client) notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) close(u protocol.DocumentURI) {
	c.t.Helper()
	c.mu.Lock()
	delete(c.docs, u)
	c.mu.Unlock()
	if err := c.conn.Notify(context.Background(), "textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": u}}); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) text(u protocol.DocumentURI) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.docs[u].text
}

// waitNote waits for a notification of method that match accepts.
func (c *client) waitNote(method string, match func(json.RawMessage) bool) json.RawMessage {
	c.t.Helper()
	deadline := time.After(wait)
	seen := 0
	for {
		c.mu.Lock()
		notes := c.notes[seen:]
		c.mu.Unlock()
		for _, n := range notes {
			seen++
			if n.method == method && (match == nil || match(n.params)) {
				return n.params
			}
		}
		select {
		case <-c.signal:
		case <-deadline:
			c.t.Fatalf("no %s notification arrived", method)
		}
	}
}

type statusNote struct {
	Key       string  `json:"key"`
	State     string  `json:"state"`
	ExpiresAt *string `json:"expiresAt"`
	Message   string  `json:"message"`
}

func (c *client) waitStatus(state string) statusNote {
	c.t.Helper()
	var st statusNote
	c.waitNote("dox/tokenStatus", func(raw json.RawMessage) bool {
		_ = json.Unmarshal(raw, &st)
		return st.State == state
	})
	return st
}

// shutdown ends the session properly and returns the exit status.
func (c *client) shutdown() int {
	c.t.Helper()
	if err := c.call("shutdown", nil, nil); err != nil {
		c.t.Fatalf("shutdown: %v", err)
	}
	if err := c.conn.Notify(context.Background(), "exit", nil); err != nil {
		c.t.Fatal(err)
	}
	return c.exitCode()
}

func (c *client) exitCode() int {
	c.t.Helper()
	select {
	case err := <-c.exit:
		c.exit <- err
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			c.t.Fatal(err)
		}
		return 0
	case <-time.After(wait):
		c.t.Fatal("the server did not exit")
		return -1
	}
}

// rpcCode is the JSON-RPC error code of err, or 0.
func rpcCode(err error) jsonrpc2.Code {
	var e *jsonrpc2.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// redacted shows a token in a failure message without giving it away.
func redacted(token string) string { return auth.Redact(token) }
