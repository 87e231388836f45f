package commands

import (
	"context"
	"fmt"
	"unicode/utf8"

	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/internal/userfile"
)

// document returns the open document at u, or reads it from disk: only a
// regular file inside the workspace folders, up to userfile.MaxSize
// (docs/security-files.md). A command argument can name any path, and
// what doxls reports about a file (skipped requests, their hosts) would
// otherwise let a client read /etc/passwd through it. Errors name the
// file and never quote it.
func (h *Handler) document(ctx context.Context, u protocol.DocumentURI) (Document, error) {
	if d, ok := h.Docs.Get(u); ok {
		return d, nil
	}
	path, err := PathOf(string(u))
	if err != nil {
		return Document{}, err
	}
	if path == string(u) {
		return Document{}, invalidParams("%q is not a file URI", u)
	}
	if !userfile.Inside(path, h.Keys.Folders()) {
		return Document{}, fmt.Errorf("%s is neither open in the editor nor inside a workspace folder; doxls reads no other file", path)
	}
	text, _, err := userfile.Read(ctx, path, userfile.MaxSize)
	if err != nil {
		return Document{}, err
	}
	if !utf8.Valid(text) {
		return Document{}, fmt.Errorf("%s is not UTF-8 text; doxls leaves it alone", path)
	}
	return Document{URI: fileURI(path), Version: -1, Text: text}, nil
}
