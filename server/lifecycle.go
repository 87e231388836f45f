package server

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/internal/fileuri"
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

// uriPath is the path of a file URI, "" for any other URI.
func uriPath(u string) string {
	p, _ := fileuri.ToPath(u)
	return p
}

func (s *Server) initialized(ctx context.Context, _ json.RawMessage) error {
	s.flushMessages()
	s.discover()
	if s.caps.watchRegister {
		go s.registerWatchers()
	}
	return nil
}

// exit ends the session; Run reports whether shutdown came first.
func (s *Server) exit(ctx context.Context, _ json.RawMessage) error {
	select {
	case <-s.exited:
	default:
		close(s.exited)
	}
	return nil
}
