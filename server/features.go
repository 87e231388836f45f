package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/httpfile"
)

func (s *Server) executeCommand(ctx context.Context, raw json.RawMessage) (any, error) {
	var p struct {
		Command   string            `json:"command"`
		Arguments []json.RawMessage `json:"arguments"`
	}
	if err := decodeParams("workspace/executeCommand", raw, &p); err != nil {
		return nil, err
	}
	if p.Command == WaitForJob {
		return s.waitForJob(ctx, p.Arguments)
	}
	if err := s.waitDiscovery(ctx); err != nil {
		return nil, err
	}
	res, err := s.cmds.Execute(ctx, p.Command, p.Arguments)
	s.afterCommand(p.Command)
	return res, err
}

// hover shows the claims of the Bearer token under the cursor. Only claims
// are shown, never the token itself.
func (s *Server) hover(ctx context.Context, raw json.RawMessage) (any, error) {
	var p protocol.HoverParams
	if err := decodeParams("textDocument/hover", raw, &p); err != nil {
		return nil, err
	}
	doc, ok := s.docs.Get(p.TextDocument.URI)
	if !ok {
		return nil, nil
	}
	for _, ref := range s.cmds.TokensOf(doc) {
		r := commands.Range(ref.Range)
		if !contains(r, p.Position) {
			continue
		}
		c, err := auth.ParseClaims(ref.Token)
		if err != nil {
			return &protocol.Hover{Range: &r, Contents: s.markup("Bearer token: " + err.Error())}, nil
		}
		return &protocol.Hover{Range: &r, Contents: s.markup(describeClaims(c, time.Now()))}, nil
	}
	return nil, nil
}

func contains(r protocol.Range, p protocol.Position) bool {
	after := p.Line > r.Start.Line || (p.Line == r.Start.Line && p.Character >= r.Start.Character)
	before := p.Line < r.End.Line || (p.Line == r.End.Line && p.Character <= r.End.Character)
	return after && before
}

func (s *Server) markup(md string) protocol.MarkupContent {
	s.mu.Lock()
	markdown := s.caps.markdown
	s.mu.Unlock()
	if markdown {
		return protocol.MarkupContent{Kind: protocol.Markdown, Value: md}
	}
	return protocol.MarkupContent{Kind: protocol.PlainText, Value: strings.NewReplacer("**", "", "`", "").Replace(md)}
}

func describeClaims(c auth.Claims, now time.Time) string {
	var b strings.Builder
	b.WriteString("**DOX access token**\n\n")
	fmt.Fprintf(&b, "- client: `%s`\n", c.ClientID)
	fmt.Fprintf(&b, "- zone: `%s`\n", c.ZoneID)
	fmt.Fprintf(&b, "- scopes: %s\n", strings.Join(c.Scopes, ", "))
	if !c.IssuedAt.IsZero() {
		fmt.Fprintf(&b, "- issued: %s (%s ago)\n", c.IssuedAt.Local().Format(time.RFC1123), humanDuration(now.Sub(c.IssuedAt)))
	}
	if !c.ExpiresAt.IsZero() {
		if left := c.ExpiresAt.Sub(now); left > 0 {
			fmt.Fprintf(&b, "- expires: %s (in %s)\n", c.ExpiresAt.Local().Format(time.RFC1123), humanDuration(left))
		} else {
			fmt.Fprintf(&b, "- **expired**: %s (%s)\n", c.ExpiresAt.Local().Format(time.RFC1123), ago(-left))
		}
	}
	fmt.Fprintf(&b, "- grant type: %s\n", c.GrantType)
	return b.String()
}

// humanDuration renders a duration the way the status bar does: 11h 58m.
func humanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	default:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
}

func ago(d time.Duration) string { return humanDuration(d) + " ago" }

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
	rule := commands.HostOptions(key, settings)
	parsed := httpfile.Parse(doc.Text)
	tokens := map[int]httpfile.TokenRef{} // by line of the Bearer header or variable
	for _, t := range s.cmds.TokensOf(doc) {
		tokens[t.Line] = t
	}
	vars := map[string]int{}
	for _, v := range parsed.Variables {
		vars[v.Name] = v.Line
	}
	uri := string(doc.URI)
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
				Arguments: []any{map[string]any{"uri": uri, "line": req.Line}},
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
				Arguments: []any{map[string]any{"uris": []string{uri}, "forceRefresh": true}},
			}})
		}
	}
	return append(lenses, s.jobLenses(ctx, uri, key, rule, parsed.Requests)...), nil
}

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
