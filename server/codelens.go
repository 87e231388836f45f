package server

import (
	"context"
	"encoding/json"
	"strings"
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
	lenses := []protocol.CodeLens{}
	doc, ok := s.docs.Get(p.TextDocument.URI)
	if !ok {
		return lenses, nil
	}
	if err := s.waitDiscovery(ctx); err != nil {
		return nil, err
	}
	key, err := s.keys.Get("")
	if err != nil {
		return lenses, nil // no key: nothing to offer yet
	}
	settings := s.Settings()
	rule := httpfile.Options{APIHost: key.APIHost(), ExtraHosts: settings.ExtraHosts}
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
	for _, req := range parsed.Requests {
		if ok, _ := req.Allowed(rule); !ok {
			continue
		}
		line := uint32(req.Line)
		lensAt := protocol.Range{Start: protocol.Position{Line: line}, End: protocol.Position{Line: line}}
		hdr := authorization(req)
		switch {
		case hdr == nil:
			lenses = append(lenses, protocol.CodeLens{Range: lensAt, Command: &protocol.Command{
				Title: "Insert DOX token", Command: commands.InsertBearer,
				Arguments: []any{lensArgs{URI: uri, Line: req.Line}},
			}})
		case strings.HasPrefix(strings.ToLower(hdr.Value), "bearer "):
			ref, ok := tokens[hdr.Line]
			if !ok {
				if line, defined := vars[varName(hdr.Value)]; defined {
					ref, ok = tokens[line]
				}
			}
			if !ok {
				continue
			}
			lenses = append(lenses, protocol.CodeLens{Range: lensAt, Command: &protocol.Command{
				Title: expiryTitle(ref.Token, time.Now()), Command: commands.RefreshBearers,
				Arguments: refresh,
			}})
		}
	}
	return lenses, nil
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

func authorization(req httpfile.Request) *httpfile.Header {
	for i := range req.Headers {
		if strings.EqualFold(req.Headers[i].Name, "Authorization") {
			return &req.Headers[i]
		}
	}
	return nil
}

// varName returns name for a value "Bearer {{name}}".
func varName(value string) string {
	v := strings.TrimSpace(value[len("bearer "):])
	if strings.HasPrefix(v, "{{") && strings.HasSuffix(v, "}}") {
		return strings.TrimSpace(v[2 : len(v)-2])
	}
	return ""
}

func expiryTitle(token string, now time.Time) string {
	c, err := auth.ParseClaims(token)
	if err != nil || c.ExpiresAt.IsZero() {
		return "Refresh DOX token"
	}
	if left := c.ExpiresAt.Sub(now); left > 0 {
		return "DOX token expires in " + humanDuration(left) + " · refresh"
	}
	return "DOX token expired " + ago(now.Sub(c.ExpiresAt)) + " · refresh"
}
