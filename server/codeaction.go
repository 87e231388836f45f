package server

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/commands"
)

// codeAction offers a quick fix for the expiry diagnostics.
func (s *Server) codeAction(ctx context.Context, raw json.RawMessage) (any, error) {
	var p protocol.CodeActionParams
	if err := decodeParams("textDocument/codeAction", raw, &p); err != nil {
		return nil, err
	}
	actions := []protocol.CodeAction{}
	var fixes []protocol.Diagnostic
	for _, d := range p.Context.Diagnostics {
		if d.Source == "doxls" && (d.Code == diagExpired || d.Code == diagExpiring) {
			fixes = append(fixes, d)
		}
	}
	actions = append(actions, s.secretActions(p)...)
	actions = append(actions, s.doxFixes(ctx, p)...)
	if len(fixes) == 0 {
		return actions, nil
	}
	actions = append(actions, protocol.CodeAction{
		Title: "Refresh DOX token", Kind: protocol.QuickFix, Diagnostics: fixes, IsPreferred: true,
		Command: &protocol.Command{
			Title: "Refresh DOX token", Command: commands.RefreshBearers,
			Arguments: []any{map[string]any{"uris": []string{string(p.TextDocument.URI)}}},
		},
	})
	return actions, nil
}
