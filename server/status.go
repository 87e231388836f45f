package server

import (
	"bytes"
	"sync"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
)

// Token states of dox/tokenStatus.
const (
	stateValid    = "valid"
	stateExpiring = "expiring"
	stateExpired  = "expired"
	stateMissing  = "missing"
	stateError    = "error"
)

// tokenStatus is the dox/tokenStatus notification.
type tokenStatus struct {
	Key       string  `json:"key"`
	State     string  `json:"state"`
	ExpiresAt *string `json:"expiresAt"`
	Message   string  `json:"message"`
}

// status tells the client about token changes and keeps, per key, the
// timers for the moment a token enters its refresh margin and the moment it
// expires. Entering the margin triggers auto-refresh when it is on.
type status struct {
	s      *Server
	mu     sync.Mutex
	timers map[string][]*time.Timer
	// current is the token each key's timers are for: callers that shared
	// one fetch report the same token, and the client hears of it once.
	current map[string]string

	// sendMu orders the notifications with told, the last state each key's
	// client heard.
	sendMu sync.Mutex
	told   map[string]tokenStatus
}

func newStatus(s *Server) *status {
	return &status{s: s, timers: map[string][]*time.Timer{}, current: map[string]string{}, told: map[string]tokenStatus{}}
}

var _ commands.Status = (*status)(nil)

func (st *status) Fetched(key *auth.ServiceKey, tok auth.Token) {
	st.mu.Lock()
	seen := st.current[key.ID] == tok.AccessToken
	st.current[key.ID] = tok.AccessToken
	st.mu.Unlock()
	if seen {
		return
	}
	st.send(key.ID, stateValid, &tok.ExpiresAt, "token valid until "+tok.ExpiresAt.Local().Format("15:04"))
	st.schedule(key, tok)
	st.s.warnCertificates(key)
}

// warnCertificates tells the user, once per key and session, about each x509
// key whose certificate expires within certificateWarningDays, and how to
// get a new key (docs/lifecycle.md).
func (s *Server) warnCertificates(keys ...*auth.ServiceKey) {
	within, now := s.Settings().CertificateWarning, time.Now()
	for _, k := range keys {
		msg, ok := commands.CertificateWarning(k, now, within)
		if ok && s.warnedFiles.first("certificate of "+k.ID+" until "+k.CertificateExpiresAt().String()) {
			s.showMessage(protocol.MessageTypeWarning, "doxls: "+msg)
		}
	}
}

func (st *status) Failed(key *auth.ServiceKey, err error) {
	st.forget(key.ID)
	st.send(key.ID, stateError, nil, err.Error())
}

func (st *status) Cleared(id string) {
	st.cancel(id)
	st.forget(id)
	st.send(id, stateMissing, nil, "token cleared")
}

// NoToken tells the client that key id has no token yet, unless the last
// it heard of the key is a failure that still stands (the next fetch will
// say otherwise; clients show each failure, so it is not repeated).
// Discovery runs off the read loop, so it may end after a command already
// failed to fetch the new key's token; that "error" must not turn into
// "missing".
func (st *status) NoToken(id string) {
	st.sendMu.Lock()
	defer st.sendMu.Unlock()
	if st.told[id].State != stateError {
		st.notify(id, stateMissing, nil, "no token yet")
	}
}

func (st *status) send(id, state string, expiresAt *time.Time, msg string) {
	st.sendMu.Lock()
	defer st.sendMu.Unlock()
	st.notify(id, state, expiresAt, msg)
}

// notify sends a state; the caller holds sendMu.
func (st *status) notify(id, state string, expiresAt *time.Time, msg string) {
	p := tokenStatus{Key: id, State: state, Message: msg}
	if expiresAt != nil {
		at := expiresAt.UTC().Format(time.RFC3339)
		p.ExpiresAt = &at
	}
	st.write(p)
}

// write sends p and remembers it; the caller holds sendMu.
func (st *status) write(p tokenStatus) {
	st.told[p.Key] = p
	if err := st.s.conn.Notify(st.s.ctx, "dox/tokenStatus", p); err != nil {
		st.s.log.Debug("cannot send token status", zap.Error(err))
	}
}

func (st *status) cancel(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, t := range st.timers[id] {
		t.Stop()
	}
	delete(st.timers, id)
}

// forget makes the next token of id news again (after a clear or failure).
func (st *status) forget(id string) {
	st.mu.Lock()
	delete(st.current, id)
	st.mu.Unlock()
}

func (st *status) stop() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for id, ts := range st.timers {
		for _, t := range ts {
			t.Stop()
		}
		delete(st.timers, id)
	}
}

// schedule replaces the key's timers with ones for tok.
func (st *status) schedule(key *auth.ServiceKey, tok auth.Token) {
	st.cancel(key.ID)
	margin := st.s.Settings().RefreshMargin
	untilMargin := time.Until(tok.ExpiresAt) - margin
	expiring := func() {
		st.send(key.ID, stateExpiring, &tok.ExpiresAt, "token expires at "+tok.ExpiresAt.Local().Format("15:04"))
	}
	var timers []*time.Timer
	if untilMargin <= 0 {
		// A token born inside the margin (a margin longer than the token's
		// life) is not refreshed again: that would fetch without end.
		expiring()
	} else {
		timers = append(timers, time.AfterFunc(untilMargin, func() {
			expiring()
			if st.s.Settings().AutoRefresh {
				st.s.autoRefresh(key, tok)
			}
		}))
	}
	timers = append(timers, time.AfterFunc(time.Until(tok.ExpiresAt), func() {
		st.send(key.ID, stateExpired, &tok.ExpiresAt, "token expired at "+tok.ExpiresAt.Local().Format("15:04"))
	}))
	st.mu.Lock()
	st.timers[key.ID] = timers
	st.mu.Unlock()
}

// autoRefresh fetches a new token for key and writes it over old in every
// open document that carries old.
func (s *Server) autoRefresh(key *auth.ServiceKey, old auth.Token) {
	tok, _, err := s.cmds.Token(s.ctx, key, true)
	if err != nil {
		s.log.Info("auto-refresh failed", zap.String("key", key.ID), zap.Error(err))
		return
	}
	if _, err := s.cmds.RefreshEnvFiles(s.ctx, key, tok, s.docs.All()); err != nil {
		s.log.Info("auto-refresh could not update environment files", zap.String("key", key.ID), zap.Error(err))
	}
	var carrying []commands.Document
	for _, d := range s.docs.All() {
		if bytes.Contains(d.Text, []byte(old.AccessToken)) {
			carrying = append(carrying, d)
		}
	}
	if len(carrying) == 0 {
		return
	}
	if _, _, err := s.cmds.Replace(s.ctx, key, tok, carrying); err != nil {
		s.log.Info("auto-refresh could not update documents", zap.String("key", key.ID), zap.Error(err))
	}
}
