// Package commands implements the doxls.* workspace commands (DESIGN.md §5):
// argument decoding, calls into auth and httpfile, and the workspace edits
// the client is asked to apply.
package commands

import (
	"context"
	"encoding/json"
	"sort"

	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/gitcheck"
	"github.com/doxls/doxls/httpfile"
)

// Command ids, fixed by the contract.
const (
	LoadServiceKey = "doxls.loadServiceKey"
	GetToken       = "doxls.getToken"
	InsertBearer   = "doxls.insertBearer"
	RefreshBearers = "doxls.refreshBearers"
	TokenInfo      = "doxls.tokenInfo"
	ClearToken     = "doxls.clearToken"
	NewRequestFile = "doxls.newRequestFile"
)

// Document is an open text document as the server holds it.
type Document struct {
	URI     protocol.DocumentURI
	Version int32
	Text    []byte
	// src is Text with its line index and parse, each built once per
	// version and shared by every feature; nil for a file read from disk.
	src *httpfile.Text
}

// OpenDocument is a version of a document as the editor sent it.
func OpenDocument(uri protocol.DocumentURI, version int32, text *httpfile.Text) Document {
	return Document{URI: uri, Version: version, Text: text.Bytes(), src: text}
}

// Source is the document's text as httpfile reads it: positions, parse and
// tokens. A file read from disk is read as editors load it (its BOM is no
// character).
func (d Document) Source() *httpfile.Text {
	if d.src == nil {
		return httpfile.NewText(d.Text)
	}
	return d.src
}

// Documents gives access to the open documents.
type Documents interface {
	Get(uri protocol.DocumentURI) (Document, bool)
	All() []Document
}

// Client is what the commands need from the editor.
type Client interface {
	// ApplyEdit asks the client to apply edit and returns once it answered;
	// an edit the client did not apply is an error.
	ApplyEdit(ctx context.Context, label string, edit protocol.WorkspaceEdit) error
	// DocumentChanges reports whether the client takes versioned documentChanges.
	DocumentChanges() bool
	// ResourceCreate reports whether the client creates files through
	// workspace edits (workspaceEdit.resourceOperations holds "create").
	ResourceCreate() bool
	// ApplyCreate is ApplyEdit for an edit that creates a file.
	ApplyCreate(ctx context.Context, label string, edit CreateEdit) error
}

// Status hears about token changes, to notify the client and schedule refreshes.
type Status interface {
	Fetched(key *auth.ServiceKey, tok auth.Token)
	Failed(key *auth.ServiceKey, err error)
	Cleared(id string)
}

// Handler runs the commands.
type Handler struct {
	Keys     *Keyring
	Tokens   *auth.Cache
	Docs     Documents
	Client   Client
	Status   Status
	Settings func() Settings
	// Git caches what git says about files that hold secrets; nil: one
	// cache per process.
	Git *gitcheck.Checker
	// DoxClient, when set, names the DOX client a new request file
	// uploads for (docs/dox-api.md); "" or unset: "default".
	DoxClient func(ctx context.Context, key *auth.ServiceKey) string
	// Progress, when set, wraps a token fetch the user waits for.
	Progress func(ctx context.Context, title string, fn func() error) error
}

type command func(h *Handler, ctx context.Context, args []json.RawMessage) (any, error)

// table holds the commands of DESIGN.md §5, the ones executeCommandProvider
// lists.
var table = map[string]command{
	LoadServiceKey: (*Handler).loadServiceKey,
	GetToken:       (*Handler).getToken,
	InsertBearer:   (*Handler).insertBearer,
	RefreshBearers: (*Handler).refreshBearers,
	TokenInfo:      (*Handler).tokenInfo,
	ClearToken:     (*Handler).clearToken,
	NewRequestFile: (*Handler).newRequestFile,
}

// quickFixes run the code actions that keep secrets out of git. They are
// executed like the others but not listed: the contract lists exactly the
// §5 commands, and clients run a code action's command without looking it
// up (the VS Code extension registers these two itself).
var quickFixes = map[string]command{
	MoveTokensToEnvFile: (*Handler).moveTokensToEnvFile,
	IgnoreFile:          (*Handler).ignoreFile,
	// Not a quick fix, but unlisted for the same reason: key pickers call it.
	CFServiceKeys: (*Handler).cfServiceKeys,
}

// IDs lists the implemented command ids, for executeCommandProvider.
func IDs() []string {
	ids := make([]string, 0, len(table))
	for id := range table {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Execute runs the command id. Errors are *Error values carrying the
// JSON-RPC code to answer with.
func (h *Handler) Execute(ctx context.Context, id string, args []json.RawMessage) (any, error) {
	cmd, ok := table[id]
	if !ok {
		cmd, ok = quickFixes[id]
	}
	if !ok {
		return nil, invalidParams("unknown command %q", id)
	}
	res, err := cmd(h, ctx, args)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, failed(err)
	}
	return res, nil
}
