package server

import (
	"context"
	"encoding/json"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
)

// clientCaps is the part of the client's capabilities doxls acts on.
type clientCaps struct {
	applyEdit       bool
	documentChanges bool
	configuration   bool
	watchRegister   bool
	progress        bool
	markdown        bool
	resourceCreate  bool // workspaceEdit.resourceOperations holds "create"
}

// initializeParams is decoded loosely: real clients send shapes that
// protocol.InitializeParams rejects, and doxls needs only these fields.
type initializeParams struct {
	RootURI          string `json:"rootUri"`
	RootPath         string `json:"rootPath"`
	WorkspaceFolders []struct {
		URI string `json:"uri"`
	} `json:"workspaceFolders"`
	InitializationOptions json.RawMessage `json:"initializationOptions"`
	Capabilities          struct {
		Workspace struct {
			ApplyEdit     bool `json:"applyEdit"`
			WorkspaceEdit struct {
				DocumentChanges    bool     `json:"documentChanges"`
				ResourceOperations []string `json:"resourceOperations"`
			} `json:"workspaceEdit"`
			Configuration         bool `json:"configuration"`
			DidChangeWatchedFiles struct {
				DynamicRegistration bool `json:"dynamicRegistration"`
			} `json:"didChangeWatchedFiles"`
		} `json:"workspace"`
		Window struct {
			WorkDoneProgress bool `json:"workDoneProgress"`
		} `json:"window"`
		TextDocument struct {
			Hover struct {
				ContentFormat []string `json:"contentFormat"`
			} `json:"hover"`
		} `json:"textDocument"`
	} `json:"capabilities"`
}

func (s *Server) initialize(ctx context.Context, raw json.RawMessage) (any, error) {
	var p initializeParams
	if len(raw) > 0 {
		if err := decodeParams("initialize", raw, &p); err != nil {
			return nil, err
		}
	}
	settings, settingsErr := commands.ParseSettings(p.InitializationOptions)
	c := p.Capabilities
	s.mu.Lock()
	if s.state != stateNew {
		s.mu.Unlock()
		return nil, protocolError("initialize was already sent")
	}
	s.state = stateRunning
	s.caps = clientCaps{
		applyEdit:       c.Workspace.ApplyEdit,
		documentChanges: c.Workspace.WorkspaceEdit.DocumentChanges,
		configuration:   c.Workspace.Configuration,
		watchRegister:   c.Workspace.DidChangeWatchedFiles.DynamicRegistration,
		progress:        c.Window.WorkDoneProgress,
		markdown:        len(c.TextDocument.Hover.ContentFormat) == 0 || c.TextDocument.Hover.ContentFormat[0] == "markdown",
		resourceCreate:  slices.Contains(c.Workspace.WorkspaceEdit.ResourceOperations, "create"),
	}
	if settingsErr == nil {
		s.settings = settings
	}
	s.mu.Unlock()
	if settings.Timeout > 0 {
		// No request runs before initialize answers, so the client can
		// still be swapped for one with the user's timeout.
		s.clientOpts.AttemptTimeout = settings.Timeout
		if d := 3 * settings.Timeout; d > 30*time.Second {
			s.clientOpts.Deadline = d // room for retries of slow attempts
		}
		s.tokens = auth.NewCache(auth.NewClient(s.clientOpts), settings.RefreshMargin)
		s.cmds.Tokens = s.tokens
	}
	s.applySettings(settings)
	s.keys.SetFolders(folders(p))
	if settingsErr != nil {
		// Shown once the client is ready for messages.
		s.deferMessage(protocol.MessageTypeWarning, "doxls: "+settingsErr.Error()+"; using defaults")
	}

	return protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			TextDocumentSync: protocol.TextDocumentSyncOptions{
				OpenClose: true,
				Change:    protocol.TextDocumentSyncKindIncremental,
			},
			HoverProvider:      true,
			CodeLensProvider:   &protocol.CodeLensOptions{},
			CodeActionProvider: protocol.CodeActionOptions{CodeActionKinds: []protocol.CodeActionKind{protocol.QuickFix}},
			CompletionProvider: &protocol.CompletionOptions{TriggerCharacters: []string{"/", "\"", "="}},
			ExecuteCommandProvider: &protocol.ExecuteCommandOptions{
				Commands: append(commands.IDs(), WaitForJob),
			},
		},
		ServerInfo: &protocol.ServerInfo{Name: "doxls", Version: s.version},
	}, nil
}

func protocolError(msg string) error { return &commands.Error{Code: -32600, Message: msg} }

// folders lists the workspace folders as paths.
func folders(p initializeParams) []string {
	var out []string
	for _, f := range p.WorkspaceFolders {
		if path := uriPath(f.URI); path != "" {
			out = append(out, path)
		}
	}
	if len(out) == 0 {
		if path := uriPath(p.RootURI); path != "" {
			out = append(out, path)
		} else if p.RootPath != "" {
			out = append(out, p.RootPath)
		}
	}
	return out
}

func uriPath(u string) string {
	if !strings.HasPrefix(u, "file:") {
		return ""
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return filepath.FromSlash(parsed.Path)
}

func (s *Server) initialized(ctx context.Context, _ json.RawMessage) error {
	s.flushMessages()
	s.discover()
	if s.caps.watchRegister {
		go s.registerWatchers()
	}
	return nil
}

// discover starts a key discovery. It is called on the read loop, so the
// commands read after the message that caused it wait for its result.
func (s *Server) discover() {
	done := make(chan struct{})
	s.mu.Lock()
	s.discovered = done
	s.mu.Unlock()
	go func() {
		defer close(done)
		for _, p := range s.keys.Discover(s.Settings(), nil) {
			s.showMessage(protocol.MessageTypeWarning, "doxls: "+p.Error())
		}
		keys, active := s.keys.List()
		s.log.Info("service keys discovered", zap.Int("keys", len(keys)), zap.String("active", active))
		go s.checkKeys(keys)
		if active != "" {
			if _, ok := s.tokens.Peek(active); !ok {
				s.status.send(active, stateMissing, nil, "no token yet")
			}
		}
	}()
}

// waitDiscovery blocks until the latest discovery finished or ctx ends.
func (s *Server) waitDiscovery(ctx context.Context) error {
	s.mu.Lock()
	done := s.discovered
	s.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Server) registerWatchers() {
	params := map[string]any{
		"registrations": []any{map[string]any{
			"id":     "doxls-keys",
			"method": "workspace/didChangeWatchedFiles",
			"registerOptions": map[string]any{
				"watchers": []any{
					map[string]any{"globPattern": "**/*.json"},
					map[string]any{"globPattern": "**/*.txt"},
				},
			},
		}},
	}
	if err := s.stream.Call(s.ctx, "client/registerCapability", params, nil); err != nil {
		s.log.Info("client did not register file watchers", zap.Error(err))
	}
}

func (s *Server) didChangeConfiguration(ctx context.Context, raw json.RawMessage) error {
	var p struct {
		Settings json.RawMessage `json:"settings"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	var dox json.RawMessage
	if len(p.Settings) > 0 && string(p.Settings) != "null" {
		var wrapped struct {
			Dox json.RawMessage `json:"dox"`
		}
		if err := json.Unmarshal(p.Settings, &wrapped); err == nil && len(wrapped.Dox) > 0 {
			dox = wrapped.Dox
		} else {
			dox = p.Settings // some clients send the section itself
		}
		s.updateSettings(dox)
		return nil
	}
	if s.caps.configuration {
		go s.pullSettings()
	}
	return nil
}

// pullSettings asks the client for section "dox" (clients that send null
// settings in didChangeConfiguration expect this).
func (s *Server) pullSettings() {
	var res []json.RawMessage
	params := map[string]any{"items": []any{map[string]any{"section": "dox"}}}
	if err := s.stream.Call(s.ctx, "workspace/configuration", params, &res); err != nil {
		s.log.Info("workspace/configuration failed", zap.Error(err))
		return
	}
	if len(res) == 1 {
		s.updateSettings(res[0])
	}
}

func (s *Server) updateSettings(raw json.RawMessage) {
	settings, err := commands.ParseSettings(raw)
	if err != nil {
		s.showMessage(protocol.MessageTypeWarning, "doxls: "+err.Error())
		return
	}
	s.mu.Lock()
	old := s.settings
	s.settings = settings
	s.mu.Unlock()
	s.applySettings(settings)
	if settings.Timeout != old.Timeout {
		s.showMessage(protocol.MessageTypeInfo, "doxls: the new timeoutSeconds applies after a server restart")
	}
	if settings.ServiceKey != old.ServiceKey {
		s.discover()
	}
	s.diags.refreshAll()
}

// applySettings pushes settings into the parts that hold their own copy.
func (s *Server) applySettings(settings commands.Settings) {
	s.tokens.SetMargin(settings.RefreshMargin)
}

func (s *Server) didChangeWatchedFiles(ctx context.Context, raw json.RawMessage) error {
	var p protocol.DidChangeWatchedFilesParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	for _, ev := range p.Changes {
		path := uriPath(string(ev.URI))
		if path == "" {
			continue
		}
		if s.keys.Owns(path) || looksLikeKey(path) {
			s.discover()
			return nil
		}
	}
	return nil
}

// looksLikeKey is the cheap check discovery itself makes: a new or changed
// file that mentions a clientid may be a key.
func looksLikeKey(path string) bool {
	_, err := auth.LoadKey(path)
	return err == nil
}

func (s *Server) didChangeWorkspaceFolders(ctx context.Context, raw json.RawMessage) error {
	var p struct {
		Event struct {
			Added   []struct{ URI string } `json:"added"`
			Removed []struct{ URI string } `json:"removed"`
		} `json:"event"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	current := map[string]bool{}
	for _, f := range s.keys.Folders() {
		current[f] = true
	}
	for _, f := range p.Event.Removed {
		delete(current, uriPath(f.URI))
	}
	for _, f := range p.Event.Added {
		if path := uriPath(f.URI); path != "" {
			current[path] = true
		}
	}
	next := make([]string, 0, len(current))
	for f := range current {
		next = append(next, f)
	}
	sort.Strings(next)
	s.keys.SetFolders(next)
	s.discover()
	return nil
}
