package server

import (
	"context"
	"encoding/json"
	"time"

	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/httpfile"
)

// codeLens puts an action above each request that goes to the DOX API.
func (s *Server) codeLens(ctx context.Context, raw json.RawMessage) (any, error) {
	var p protocol.CodeLensParams
	if err := decodeParams("textDocument/codeLens", raw, &p); err != nil {
		return nil, err
	}
	doc, ok := s.docs.Get(p.TextDocument.URI)
	if !ok {
		return []protocol.CodeLens{}, nil
	}
	if err := s.waitDiscovery(ctx); err != nil {
		return nil, err
	}
	key, err := s.keys.Get("")
	if err != nil {
		return []protocol.CodeLens{}, nil // no key: nothing to offer yet
	}
	rule := httpfile.NewRule(commands.HostOptions(key, s.Settings()))
	return append(s.lenses(doc, rule), s.jobLenses(ctx, doc, key, rule)...), nil
}

// lenses are the code lenses of doc, one per request that rule allows. It
// costs one pass over the requests of the version's shared parse.
func (s *Server) lenses(doc commands.Document, rule httpfile.Rule) []protocol.CodeLens {
	lenses := []protocol.CodeLens{}
	parsed := doc.Source().Document()
	tokens := map[int]httpfile.TokenRef{} // by line of the Bearer header or variable
	for _, t := range s.cmds.TokensOf(doc) {
		tokens[t.Line] = t
	}
	vars := map[string]int{}
	for _, v := range parsed.Variables {
		vars[v.Name] = v.Line
	}
	uri := string(doc.URI)
	refresh := []any{refreshArgs{URIs: []string{uri}, ForceRefresh: true}}
	titles := map[string]string{} // by token: most requests share one
	for i := range parsed.Requests {
		req := &parsed.Requests[i]
		if ok, _ := rule.Allows(req); !ok {
			continue
		}
		line := uint32(req.Line)
		lensAt := protocol.Range{Start: protocol.Position{Line: line}, End: protocol.Position{Line: line}}
		hdr := req.Authorization()
		if hdr == nil {
			lenses = append(lenses, protocol.CodeLens{Range: lensAt, Command: &protocol.Command{
				Title: "Insert DOX token", Command: commands.InsertBearer,
				Arguments: []any{lensArgs{URI: uri, Line: req.Line}},
			}})
			continue
		}
		// A token listed at the header's line is its Bearer value; only
		// "Bearer {{name}}" needs the header read.
		ref, ok := tokens[hdr.Line]
		if !ok {
			if _, name, bearer := httpfile.Bearer(hdr.Value); bearer {
				if line, defined := vars[name]; defined {
					ref, ok = tokens[line]
				}
			}
		}
		if !ok {
			continue
		}
		title, ok := titles[ref.Token]
		if !ok {
			title = expiryTitle(s.diags.claims.parse(ref.Token))
			titles[ref.Token] = title
		}
		lenses = append(lenses, protocol.CodeLens{Range: lensAt, Command: &protocol.Command{
			Title: title, Command: commands.RefreshBearers, Arguments: refresh,
		}})
	}
	return lenses
}

// The arguments of the lenses' commands, as structs: a document of
// thousands of requests gets as many lenses, and a map costs the encoder a
// sort per lens.
type (
	lensArgs struct {
		URI  string `json:"uri"`
		Line int    `json:"line"`
	}
	refreshArgs struct {
		URIs         []string `json:"uris"`
		ForceRefresh bool     `json:"forceRefresh"`
	}
)

// expiryTitle is the title of a token's lens, from its claims (memoized:
// a document holds the same token in every request).
func expiryTitle(c auth.Claims, err error) string {
	now := time.Now()
	if err != nil || c.ExpiresAt.IsZero() {
		return "Refresh DOX token"
	}
	if left := c.ExpiresAt.Sub(now); left > 0 {
		return "DOX token expires in " + humanDuration(left) + " · refresh"
	}
	return "DOX token expired " + ago(now.Sub(c.ExpiresAt)) + " · refresh"
}
