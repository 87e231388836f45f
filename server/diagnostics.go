package server

import (
	"sync"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/httpfile"
)

// Diagnostic codes, also the quick fix's key.
const (
	diagExpired  = "dox-token-expired"
	diagExpiring = "dox-token-expiring"
)

// diagnostics publishes expiry diagnostics for Bearer tokens in open
// documents, and re-publishes a document when one of its tokens crosses
// into the margin or expires.
type diagnostics struct {
	s      *Server
	mu     sync.Mutex
	timers map[protocol.DocumentURI]*time.Timer
}

func newDiagnostics(s *Server) *diagnostics {
	return &diagnostics{s: s, timers: map[protocol.DocumentURI]*time.Timer{}}
}

func (d *diagnostics) update(doc commands.Document) {
	margin := d.s.Settings().RefreshMargin
	now := time.Now()
	diags := []protocol.Diagnostic{}
	var next time.Time
	for _, ref := range httpfile.Tokens(doc.Text) {
		c, err := auth.ParseClaims(ref.Token)
		if err != nil || c.ExpiresAt.IsZero() {
			continue
		}
		left := c.ExpiresAt.Sub(now)
		switch {
		case left <= 0:
			diags = append(diags, protocol.Diagnostic{
				Range: commands.Range(ref.Range), Severity: protocol.DiagnosticSeverityWarning,
				Code: diagExpired, Source: "doxls",
				Message: "DOX token expired " + ago(-left) + " (" + c.ExpiresAt.Local().Format("Jan 2 15:04") + "); refresh it",
			})
		case left <= margin:
			diags = append(diags, protocol.Diagnostic{
				Range: commands.Range(ref.Range), Severity: protocol.DiagnosticSeverityInformation,
				Code: diagExpiring, Source: "doxls",
				Message: "DOX token expires in " + humanDuration(left) + " (" + c.ExpiresAt.Local().Format("15:04") + ")",
			})
			next = earliest(next, c.ExpiresAt)
		default:
			next = earliest(next, c.ExpiresAt.Add(-margin))
		}
	}
	d.publish(doc, diags)
	d.mu.Lock()
	defer d.mu.Unlock()
	if t := d.timers[doc.URI]; t != nil {
		t.Stop()
		delete(d.timers, doc.URI)
	}
	if !next.IsZero() {
		uri := doc.URI
		d.timers[uri] = time.AfterFunc(time.Until(next), func() {
			if cur, ok := d.s.docs.Get(uri); ok {
				d.update(cur)
			}
		})
	}
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

func (d *diagnostics) publish(doc commands.Document, diags []protocol.Diagnostic) {
	p := protocol.PublishDiagnosticsParams{URI: doc.URI, Diagnostics: diags}
	if doc.Version > 0 {
		p.Version = uint32(doc.Version)
	}
	if err := d.s.conn.Notify(d.s.ctx, "textDocument/publishDiagnostics", p); err != nil {
		d.s.log.Debug("cannot publish diagnostics", zap.Error(err))
	}
}

func (d *diagnostics) forget(uri protocol.DocumentURI) {
	d.mu.Lock()
	if t := d.timers[uri]; t != nil {
		t.Stop()
		delete(d.timers, uri)
	}
	d.mu.Unlock()
	d.publish(commands.Document{URI: uri}, []protocol.Diagnostic{})
}

// refreshAll re-publishes every open document (after a settings change).
func (d *diagnostics) refreshAll() {
	for _, doc := range d.s.docs.All() {
		d.update(doc)
	}
}

func (d *diagnostics) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for uri, t := range d.timers {
		t.Stop()
		delete(d.timers, uri)
	}
}
