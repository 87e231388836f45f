package server

import (
	"slices"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
)

// Diagnostic codes, also the quick fix's key.
const (
	diagExpired  = "dox-token-expired"
	diagExpiring = "dox-token-expiring"
)

// diagnostics publishes expiry diagnostics for Bearer tokens in open
// documents, and re-publishes a document when one of its tokens crosses
// into the margin or expires. It works off the read loop: a change marks
// the document, and one goroutine per document publishes the latest text,
// so a burst of keystrokes costs one run, not one per change.
type diagnostics struct {
	s       *Server
	mu      sync.Mutex
	timers  map[protocol.DocumentURI]*time.Timer
	pending map[protocol.DocumentURI]bool // marked; a worker will run
	running map[protocol.DocumentURI]bool
	claims  claimsCache
}

func newDiagnostics(s *Server) *diagnostics {
	return &diagnostics{
		s: s, timers: map[protocol.DocumentURI]*time.Timer{},
		pending: map[protocol.DocumentURI]bool{}, running: map[protocol.DocumentURI]bool{},
	}
}

// schedule marks uri for a diagnostics run.
func (d *diagnostics) schedule(uri protocol.DocumentURI) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending[uri] = true
	if d.running[uri] {
		return
	}
	d.running[uri] = true
	go d.work(uri)
}

func (d *diagnostics) work(uri protocol.DocumentURI) {
	for {
		d.mu.Lock()
		if !d.pending[uri] || d.s.ctx.Err() != nil {
			delete(d.running, uri)
			d.mu.Unlock()
			return
		}
		delete(d.pending, uri)
		d.mu.Unlock()
		if doc, ok := d.s.docs.Get(uri); ok {
			d.update(doc)
		}
	}
}

func (d *diagnostics) update(doc commands.Document) {
	margin := d.s.Settings().RefreshMargin
	now := time.Now()
	diags := []protocol.Diagnostic{}
	var next time.Time
	refs := doc.Source().Tokens() // shared with the other features: clipped before appending
	for _, ref := range append(slices.Clip(refs), d.s.cmds.EnvTokensOf(doc)...) {
		c, err := d.claims.parse(ref.Token)
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
	diags = append(diags, d.s.secretDiagnostics(doc, refs, d.claims.isJWT)...)
	diags = append(diags, d.s.doxDiagnostics(d.s.ctx, doc)...)
	d.publish(doc, diags)
	d.mu.Lock()
	defer d.mu.Unlock()
	if t := d.timers[doc.URI]; t != nil {
		t.Stop()
		delete(d.timers, doc.URI)
	}
	if !next.IsZero() {
		uri := doc.URI
		d.timers[uri] = time.AfterFunc(time.Until(next), func() { d.schedule(uri) })
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
		d.schedule(doc.URI)
	}
}

// claimsCache remembers decoded claims by token: a document holds the same
// token in every request, and decoding is the costly part of a run.
type claimsCache struct {
	mu sync.Mutex
	m  map[string]claimsResult
}

type claimsResult struct {
	c   auth.Claims
	err error
}

func (cc *claimsCache) parse(token string) (auth.Claims, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if r, ok := cc.m[token]; ok {
		return r.c, r.err
	}
	if cc.m == nil || len(cc.m) >= 256 {
		cc.m = map[string]claimsResult{} // tokens turn over every 12 h; start afresh
	}
	c, err := auth.ParseClaims(token)
	// A copy: token is a slice of its document's text (httpfile.Text), so
	// as a key it would keep that whole text (9 MB for a 5,000-request
	// document) alive after the document is closed or changed.
	cc.m[strings.Clone(token)] = claimsResult{c, err}
	return c, err
}

func (d *diagnostics) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for uri, t := range d.timers {
		t.Stop()
		delete(d.timers, uri)
	}
}
