package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/httpfile"
)

type newFileArgs struct {
	Folder string `json:"folder"`
	Key    string `json:"key"`
	Name   string `json:"name"`
}

type newFileResult struct {
	URI string `json:"uri"`
	// Env is the environment file that got the token, in envFile mode.
	Env *EnvResult `json:"env,omitempty"`
}

// CreateEdit is a workspace edit that creates a file and fills it.
// protocol.WorkspaceEdit cannot carry it: its DocumentChanges holds text
// document edits only.
type CreateEdit struct {
	DocumentChanges []any `json:"documentChanges"`
}

type createFileOp struct {
	Kind    string               `json:"kind"` // "create"
	URI     protocol.DocumentURI `json:"uri"`
	Options createFileOptions    `json:"options"`
}

// createFileOptions say "fail if the file exists": a new request file
// never replaces one.
type createFileOptions struct {
	Overwrite      bool `json:"overwrite"`
	IgnoreIfExists bool `json:"ignoreIfExists"`
}

func (h *Handler) newRequestFile(ctx context.Context, raw []json.RawMessage) (any, error) {
	var args newFileArgs
	if err := decodeArgs(NewRequestFile, raw, &args); err != nil {
		return nil, err
	}
	name := args.Name
	if name == "" {
		name = DefaultRequestFile
	}
	if err := CheckFileName(name); err != nil {
		return nil, invalidParams("%s: %v", NewRequestFile, err)
	}
	folder, err := h.folder(args.Folder)
	if err != nil {
		return nil, err
	}
	if err := checkFolder(folder, h.Keys.Folders()); err != nil {
		return nil, err
	}
	key, err := h.Keys.Get(args.Key)
	if err != nil {
		return nil, err
	}
	if _, err := APIBase(key); err != nil {
		return nil, err // before a token is fetched for nothing
	}
	tok, _, err := h.Token(ctx, key, false)
	if err != nil {
		return nil, err
	}
	s := h.Settings()
	client := ""
	if h.DoxClient != nil {
		client = h.DoxClient(ctx, key)
	}
	content, err := RequestFile(key, tok.AccessToken, client, s)
	if err != nil {
		return nil, err
	}
	var res newFileResult
	if s.InsertMode == httpfile.ModeEnvFile {
		// The requests read the token from there: it comes first, so
		// that a failure leaves no file that cannot run.
		target := EnvTargetFor(filepath.Join(folder, name), h.rootFor(folder), s)
		if why := NewFileReaders(ctx, target, filepath.Join(folder, name), key, s, h.rootFor(folder), h.openText); why != "" {
			return nil, fmt.Errorf("the token cannot go into %s: %s (docs/security.md)", target.Path, why)
		}
		env, err := h.putEnvToken(ctx, target, tok.AccessToken)
		if err != nil {
			return nil, err
		}
		res.Env = &env
	}
	if err := WriteSample(folder); err != nil {
		return nil, err
	}
	if !h.Client.ResourceCreate() {
		path, err := CreateFile(folder, h.Keys.Folders(), name, content)
		if err != nil {
			return nil, err
		}
		res.URI = string(fileURI(path))
		return res, nil
	}
	path, err := FreeName(folder, h.Keys.Folders(), name)
	if err != nil {
		return nil, err
	}
	u := fileURI(path)
	edit := CreateEdit{DocumentChanges: []any{
		createFileOp{Kind: "create", URI: u},
		protocol.TextDocumentEdit{
			TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}},
			Edits:        []protocol.TextEdit{{NewText: string(content)}},
		},
	}}
	if err := h.Client.ApplyCreate(ctx, "New DOX request file", edit); err != nil {
		return nil, err
	}
	res.URI = string(u)
	return res, nil
}

// folder is where a new request file goes: the argument (a path or file
// URI, relative paths from the first workspace folder), else the first
// workspace folder.
func (h *Handler) folder(arg string) (string, error) {
	folders := h.Keys.Folders()
	if arg == "" {
		if len(folders) == 0 {
			return "", invalidParams("%s: the workspace has no folder; pass folder", NewRequestFile)
		}
		return folders[0], nil
	}
	path, err := PathOf(arg)
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(path) && len(folders) > 0 {
		path = filepath.Join(folders[0], path)
	}
	return path, nil
}
