package commands

import (
	"context"
	"encoding/json"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/envfile"
	"github.com/doxls/doxls/httpfile"
)

type insertArgs struct {
	URI  string `json:"uri"`
	Line *int   `json:"line"`
}

// SkipEntry is a request left alone, by its request line.
type SkipEntry struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

type insertResult struct {
	Edited  int         `json:"edited"`
	Skipped []SkipEntry `json:"skipped"`
}

func (h *Handler) insertBearer(ctx context.Context, raw []json.RawMessage) (any, error) {
	var args insertArgs
	if err := decodeArgs(InsertBearer, raw, &args); err != nil {
		return nil, err
	}
	if args.URI == "" {
		return nil, invalidParams("%s: uri is required", InsertBearer)
	}
	line := -1
	if args.Line != nil {
		if *args.Line < 0 {
			return nil, invalidParams("%s: line must be 0 or more", InsertBearer)
		}
		line = *args.Line
	}
	doc, err := h.document(ctx, protocol.DocumentURI(args.URI))
	if err != nil {
		return nil, err
	}
	key, err := h.Keys.Get("")
	if err != nil {
		return nil, err
	}
	tok, _, err := h.Token(ctx, key, false)
	if err != nil {
		return nil, err
	}
	opts := h.options(key, tok.AccessToken)
	opts.Line = line
	if opts.Mode == httpfile.ModeEnvFile {
		return h.insertEnv(ctx, doc, tok.AccessToken, opts)
	}
	plan := doc.Source().PlanEdits(h.withEnvironments(opts, doc))
	res := insertResult{Edited: len(plan.Edits), Skipped: []SkipEntry{}}
	for _, s := range plan.Skipped {
		// The result arrives after the edit: name lines as they are now.
		res.Skipped = append(res.Skipped, SkipEntry{Line: lineAfter(s.Line, plan.Edits), Reason: s.Reason})
	}
	if len(plan.Edits) > 0 {
		edit := h.workspaceEdit([]docEdits{{doc, plan.Edits}})
		if err := h.Client.ApplyEdit(ctx, "Insert DOX token", edit); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// lineAfter is where line of the original text is once edits are applied.
func lineAfter(line int, edits []httpfile.Edit) int {
	shift := 0
	for _, e := range edits {
		// Text inserted at the very start of line pushes it down too.
		if e.Range.Start.Line < line || (e.Range.Start.Line == line && e.Range.Start.Character == 0) {
			shift += lineBreaks(e.NewText) - (e.Range.End.Line - e.Range.Start.Line)
		}
	}
	return line + shift
}

// lineBreaks counts line ends as LSP does: \r\n, \n and a lone \r.
func lineBreaks(s string) int {
	return strings.Count(s, "\n") + strings.Count(s, "\r") - strings.Count(s, "\r\n")
}

type refreshArgs struct {
	URIs []string `json:"uris"`
	// ForceRefresh fetches a new token first (code lens and quick fix use it).
	ForceRefresh bool `json:"forceRefresh"`
}

type refreshResult struct {
	Edited    int `json:"edited"`
	Documents int `json:"documents"`
}

func (h *Handler) refreshBearers(ctx context.Context, raw []json.RawMessage) (any, error) {
	var args refreshArgs
	if err := decodeArgs(RefreshBearers, raw, &args); err != nil {
		return nil, err
	}
	var docs []Document
	if args.URIs == nil {
		docs = h.Docs.All()
	} else {
		for _, u := range args.URIs {
			doc, err := h.document(ctx, protocol.DocumentURI(u))
			if err != nil {
				return nil, err
			}
			docs = append(docs, doc)
		}
	}
	// A workspace without Bearer tokens needs no token at all.
	withTokens := docs[:0:0]
	for _, d := range docs {
		if len(d.Source().Tokens()) > 0 {
			withTokens = append(withTokens, d)
		}
	}
	if len(withTokens) == 0 && !args.ForceRefresh && !h.anyUsesEnv(docs) {
		return refreshResult{}, nil
	}
	key, err := h.Keys.Get("")
	if err != nil {
		return nil, err
	}
	tok, _, err := h.Token(ctx, key, args.ForceRefresh)
	if err != nil {
		return nil, err
	}
	n, changed, err := h.Replace(ctx, key, tok, withTokens)
	if err != nil {
		return nil, err
	}
	envs, err := h.RefreshEnvFiles(ctx, key, tok, docs)
	if err != nil {
		return nil, err
	}
	return refreshResult{Edited: n + envs, Documents: changed + envs}, nil
}

// Replace writes tok over the older Bearer tokens of key's requests in docs,
// in one workspace edit; it returns the edits and documents changed.
func (h *Handler) Replace(ctx context.Context, key *auth.ServiceKey, tok auth.Token, docs []Document) (edits, changed int, err error) {
	opts := h.options(key, tok.AccessToken)
	opts.RefreshOnly = true
	var all []docEdits
	for _, d := range docs {
		plan := d.Source().PlanEdits(h.withEnvironments(opts, d))
		if len(plan.Edits) > 0 {
			all = append(all, docEdits{d, plan.Edits})
			edits += len(plan.Edits)
		}
	}
	if len(all) == 0 {
		return 0, 0, nil
	}
	if err := h.Client.ApplyEdit(ctx, "Refresh DOX tokens", h.workspaceEdit(all)); err != nil {
		return 0, 0, err
	}
	return edits, len(all), nil
}

func (h *Handler) options(key *auth.ServiceKey, token string) httpfile.Options {
	s := h.Settings()
	o := HostOptions(key, s)
	o.Token, o.Mode, o.Dotenv = token, s.InsertMode, s.EnvFormat == envfile.FormatDotenv
	return o
}

// withEnvironments adds the environment files of doc's file to opts (see
// WithEnvironments); a document that is not a file has none.
func (h *Handler) withEnvironments(opts httpfile.Options, doc Document) httpfile.Options {
	path, err := PathOf(string(doc.URI))
	if err != nil || path == string(doc.URI) {
		return opts
	}
	return WithEnvironments(opts, path, h.rootFor(path), h.Settings())
}

type docEdits struct {
	doc   Document
	edits []httpfile.Edit
}

// workspaceEdit builds versioned documentChanges when the client takes
// them (so a document changed meanwhile is refused, not corrupted), else
// plain changes.
func (h *Handler) workspaceEdit(all []docEdits) protocol.WorkspaceEdit {
	var we protocol.WorkspaceEdit
	if h.Client.DocumentChanges() {
		for _, de := range all {
			id := protocol.OptionalVersionedTextDocumentIdentifier{
				TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: de.doc.URI},
			}
			if de.doc.Version >= 0 {
				v := de.doc.Version
				id.Version = &v
			}
			we.DocumentChanges = append(we.DocumentChanges, protocol.TextDocumentEdit{TextDocument: id, Edits: textEdits(de.edits)})
		}
		return we
	}
	we.Changes = map[protocol.DocumentURI][]protocol.TextEdit{}
	for _, de := range all {
		we.Changes[de.doc.URI] = textEdits(de.edits)
	}
	return we
}

func textEdits(edits []httpfile.Edit) []protocol.TextEdit {
	out := make([]protocol.TextEdit, len(edits))
	for i, e := range edits {
		out[i] = protocol.TextEdit{Range: Range(e.Range), NewText: e.NewText}
	}
	return out
}

// Range converts an httpfile range to LSP.
func Range(r httpfile.Range) protocol.Range {
	return protocol.Range{
		Start: protocol.Position{Line: uint32(r.Start.Line), Character: uint32(r.Start.Character)},
		End:   protocol.Position{Line: uint32(r.End.Line), Character: uint32(r.End.Character)},
	}
}
