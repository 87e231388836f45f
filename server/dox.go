package server

import (
	"context"
	"encoding/json"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/doxapi"
	"github.com/doxls/doxls/internal/doxcomplete"
)

// diagUnknownValue marks a clientId or documentType the instance lacks;
// its quick fix writes the closest known value (docs/dox-api.md).
const diagUnknownValue = "dox-unknown-value"

// doxTarget is the DOX instance of key, read with the key's token.
func (s *Server) doxTarget(key *auth.ServiceKey) doxapi.Target {
	return doxapi.Target{
		Key:    key.ID + " " + key.APIURL,
		APIURL: key.APIURL,
		Token: func(ctx context.Context) (string, error) {
			tok, _, err := s.tokens.Token(ctx, key, false)
			return tok.AccessToken, err
		},
	}
}

// doxRequest is the request at line of doc when it goes to the active
// key's API host, with that key.
func (s *Server) doxRequest(doc commands.Document, line int) (*httpfile.Request, *auth.ServiceKey, bool) {
	key, err := s.keys.Get("")
	if err != nil {
		return nil, nil, false
	}
	req := doc.Source().Document().RequestAt(line)
	if req == nil {
		return nil, nil, false
	}
	if ok, _ := httpfile.NewRule(commands.HostOptions(key, s.Settings())).Allows(req); !ok {
		return nil, nil, false
	}
	return req, key, true
}

// doxData is what the key's instance offers, within the wait budget; why
// data is missing is shown once.
func (s *Server) doxData(ctx context.Context, key *auth.ServiceKey) doxapi.Data {
	data, reason := s.dox.Lookup(ctx, s.doxTarget(key))
	if reason != "" {
		s.showMessage(protocol.MessageTypeWarning, "doxls: "+reason)
	}
	return data
}

// completion offers DOX API values (doxcomplete) in requests to the key's
// API host.
func (s *Server) completion(ctx context.Context, raw json.RawMessage) (any, error) {
	var p protocol.CompletionParams
	if err := decodeParams("textDocument/completion", raw, &p); err != nil {
		return nil, err
	}
	list := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	doc, ok := s.docs.Get(p.TextDocument.URI)
	if !ok {
		return list, nil
	}
	if err := s.waitDiscovery(ctx); err != nil {
		return nil, err
	}
	line := int(p.Position.Line)
	req, key, ok := s.doxRequest(doc, line)
	if !ok {
		return list, nil
	}
	pos := httpfile.Position{Line: line, Character: int(p.Position.Character)}
	// Paths and option keys need no data: answer them without the API.
	items := doxcomplete.Complete(doc.Text, req, pos, doxapi.Data{})
	if len(items) == 0 || (items[0].Kind != doxcomplete.KindPath && items[0].Kind != doxcomplete.KindOptionKey) {
		data := s.doxData(ctx, key)
		items = doxcomplete.Complete(doc.Text, req, pos, data)
		list.IsIncomplete = len(data.Clients) == 0 && len(data.Capabilities.DocumentTypes) == 0
	}
	for _, it := range items {
		list.Items = append(list.Items, completionItem(it))
	}
	return list, nil
}

func completionItem(it doxcomplete.Item) protocol.CompletionItem {
	kinds := map[doxcomplete.Kind]protocol.CompletionItemKind{
		doxcomplete.KindPath:          protocol.CompletionItemKindModule,
		doxcomplete.KindClient:        protocol.CompletionItemKindValue,
		doxcomplete.KindDocumentType:  protocol.CompletionItemKindEnumMember,
		doxcomplete.KindHeaderField:   protocol.CompletionItemKindField,
		doxcomplete.KindLineItemField: protocol.CompletionItemKindField,
		doxcomplete.KindOptionKey:     protocol.CompletionItemKindProperty,
	}
	ci := protocol.CompletionItem{
		Label: it.Label, Kind: kinds[it.Kind], Detail: it.Detail,
		// The filter must match what the edit replaces, quotes included.
		FilterText: it.NewText,
		TextEdit:   &protocol.TextEdit{Range: commands.Range(it.Range), NewText: it.NewText},
	}
	if it.Doc != "" {
		ci.Documentation = it.Doc
	}
	return ci
}

// doxDiagnostics flags clientId and documentType values the key's instance
// does not have, in requests to its API host.
func (s *Server) doxDiagnostics(ctx context.Context, doc commands.Document) []protocol.Diagnostic {
	s.mu.Lock()
	discovered := s.discovered
	s.mu.Unlock()
	select {
	case <-discovered:
	default:
		// The key is on its way: check again once it is known, without
		// holding up the token diagnostics.
		go func() {
			select {
			case <-discovered:
				s.diags.schedule(doc.URI)
			case <-s.ctx.Done():
			}
		}()
		return nil
	}
	key, err := s.keys.Get("")
	if err != nil {
		return nil
	}
	problems := s.doxProblems(ctx, doc, key)
	diags := make([]protocol.Diagnostic, 0, len(problems))
	for _, pr := range problems {
		diags = append(diags, protocol.Diagnostic{
			Range: commands.Range(pr.Range), Severity: protocol.DiagnosticSeverityWarning,
			Code: diagUnknownValue, Source: "doxls", Message: pr.Message,
		})
	}
	return diags
}

func (s *Server) doxProblems(ctx context.Context, doc commands.Document, key *auth.ServiceKey) []doxcomplete.Problem {
	parsed := doc.Source().Document()
	rule := httpfile.NewRule(commands.HostOptions(key, s.Settings()))
	var reqs []*httpfile.Request
	for i := range parsed.Requests {
		r := &parsed.Requests[i]
		if ok, _ := rule.Allows(r); ok && (doxcomplete.IsUpload(r) || strings.Contains(r.URL, "clientId=")) {
			reqs = append(reqs, r)
		}
	}
	if len(reqs) == 0 {
		return nil // no call to the API for a document that has nothing to check
	}
	data := s.doxData(ctx, key)
	var out []doxcomplete.Problem
	for _, r := range reqs {
		out = append(out, doxcomplete.Check(doc.Text, r, data)...)
	}
	return out
}

// doxFixes are the quick fixes for unknown values in range: write the
// closest known value.
func (s *Server) doxFixes(ctx context.Context, p protocol.CodeActionParams) []protocol.CodeAction {
	var diags []protocol.Diagnostic
	for _, d := range p.Context.Diagnostics {
		if d.Source == "doxls" && d.Code == diagUnknownValue {
			diags = append(diags, d)
		}
	}
	if len(diags) == 0 {
		return nil
	}
	doc, ok := s.docs.Get(p.TextDocument.URI)
	key, err := s.keys.Get("")
	if !ok || err != nil {
		return nil
	}
	var actions []protocol.CodeAction
	for _, pr := range s.doxProblems(ctx, doc, key) {
		r := commands.Range(pr.Range)
		for _, d := range diags {
			if d.Range != r {
				continue
			}
			title := "Use " + pr.Field + " \"" + pr.Closest + "\""
			actions = append(actions, protocol.CodeAction{
				Title: title, Kind: protocol.QuickFix, Diagnostics: []protocol.Diagnostic{d}, IsPreferred: true,
				Edit: &protocol.WorkspaceEdit{Changes: map[protocol.DocumentURI][]protocol.TextEdit{
					doc.URI: {{Range: r, NewText: pr.Closest}},
				}},
			})
		}
	}
	return actions
}
