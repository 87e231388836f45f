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
	// The tokens written in the file first: they come from the version's
	// shared parse, while those of an environment file are read anew.
	ref, ok := tokenAt(doc.Source().Tokens(), p.Position)
	if !ok {
		ref, ok = tokenAt(s.cmds.EnvTokensOf(doc), p.Position)
	}
	if !ok {
		return nil, nil
	}
	r := commands.Range(ref.Range)
	c, err := s.diags.claims.parse(ref.Token)
	if err != nil {
		return &protocol.Hover{Range: &r, Contents: s.markup("Bearer token: " + err.Error())}, nil
	}
	return &protocol.Hover{Range: &r, Contents: s.markup(describeClaims(c, time.Now()))}, nil
}

// tokenAt is the token of refs whose range holds pos.
func tokenAt(refs []httpfile.TokenRef, pos protocol.Position) (httpfile.TokenRef, bool) {
	for _, ref := range refs {
		if contains(commands.Range(ref.Range), pos) {
			return ref, true
		}
	}
	return httpfile.TokenRef{}, false
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
	fmt.Fprintf(&b, "- client: %s\n", code(c.ClientID))
	fmt.Fprintf(&b, "- zone: %s\n", code(c.ZoneID))
	scopes := make([]string, len(c.Scopes))
	for i, sc := range c.Scopes {
		scopes[i] = code(sc)
	}
	fmt.Fprintf(&b, "- scopes: %s\n", strings.Join(scopes, ", "))
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
	fmt.Fprintf(&b, "- grant type: %s\n", code(c.GrantType))
	return b.String()
}

// code writes a claim as a Markdown code span. The claims are whatever the
// token in the file says (a cloned repository's file can hold any JWT):
// as text they could be Markdown, an image the editor fetches from the
// author's server when the hover opens. Line breaks and other control
// characters become spaces, and the fence is longer than any run of
// backticks inside.
func code(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return ' '
		}
		return r
	}, s)
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
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
