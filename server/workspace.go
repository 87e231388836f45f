package server

import (
	"context"
	"encoding/json"
	"sort"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
)

// The workspace as the server follows it: key discovery, settings, watched
// files and workspace folders.

// discover starts a key discovery. It is called on the read loop, so the
// commands read after the message that caused it wait for its result.
func (s *Server) discover() { s.discoverIf(nil) }

// discoverIf is discover when need (nil: always) says so. need runs off
// the read loop, which does no file I/O: a FIFO or a slow disk would hold
// every message behind it (docs/transport.md). The commands read after the
// message wait for its decision, and when it says no, for the discovery
// before it.
func (s *Server) discoverIf(need func() bool) {
	done := make(chan struct{})
	s.mu.Lock()
	prev := s.discovered
	s.discovered = done
	s.mu.Unlock()
	go func() {
		defer close(done)
		if need != nil && !need() {
			<-prev
			return
		}
		for _, p := range s.keys.Discover(s.Settings(), nil) {
			s.showMessage(protocol.MessageTypeWarning, "doxls: "+p.Error())
		}
		keys, active := s.keys.List()
		s.log.Info("service keys discovered", zap.Int("keys", len(keys)), zap.String("active", active))
		go s.checkKeys(keys)
		s.warnCertificates(keys...)
		if active != "" {
			if _, ok := s.tokens.Peek(active); !ok {
				s.status.NoToken(active)
			}
		}
	}()
}

// waitDiscovery blocks until the latest discovery finished or ctx ends.
func (s *Server) waitDiscovery(ctx context.Context) error {
	s.mu.Lock()
	done := s.discovered
	s.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Server) registerWatchers() {
	params := map[string]any{
		"registrations": []any{map[string]any{
			"id":     "doxls-keys",
			"method": "workspace/didChangeWatchedFiles",
			"registerOptions": map[string]any{
				"watchers": []any{
					map[string]any{"globPattern": "**/*.json"},
					map[string]any{"globPattern": "**/*.txt"},
				},
			},
		}},
	}
	if err := s.conn.Call(s.ctx, "client/registerCapability", params, nil); err != nil {
		s.log.Info("client did not register file watchers", zap.Error(err))
	}
}

func (s *Server) didChangeConfiguration(ctx context.Context, raw json.RawMessage) error {
	var p struct {
		Settings json.RawMessage `json:"settings"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	var dox json.RawMessage
	if len(p.Settings) > 0 && string(p.Settings) != "null" {
		var wrapped struct {
			Dox json.RawMessage `json:"dox"`
		}
		if err := json.Unmarshal(p.Settings, &wrapped); err == nil && len(wrapped.Dox) > 0 {
			dox = wrapped.Dox
		} else {
			dox = p.Settings // some clients send the section itself
		}
		s.updateSettings(dox)
		return nil
	}
	if s.caps.configuration {
		go s.pullSettings()
	}
	return nil
}

// pullSettings asks the client for section "dox" (clients that send null
// settings in didChangeConfiguration expect this).
func (s *Server) pullSettings() {
	var res []json.RawMessage
	params := map[string]any{"items": []any{map[string]any{"section": "dox"}}}
	if err := s.conn.Call(s.ctx, "workspace/configuration", params, &res); err != nil {
		s.log.Info("workspace/configuration failed", zap.Error(err))
		return
	}
	if len(res) == 1 {
		s.updateSettings(res[0])
	}
}

func (s *Server) updateSettings(raw json.RawMessage) {
	settings, err := commands.ParseSettings(raw)
	if err != nil {
		s.showMessage(protocol.MessageTypeWarning, "doxls: "+err.Error())
		return
	}
	s.mu.Lock()
	old := s.settings
	s.settings = settings
	s.mu.Unlock()
	s.applySettings(settings)
	if settings.Timeout != old.Timeout {
		s.showMessage(protocol.MessageTypeInfo, "doxls: the new timeoutSeconds applies after a server restart")
	}
	if settings.ServiceKey != old.ServiceKey {
		s.discover()
	}
	s.diags.refreshAll()
}

// applySettings pushes settings into the parts that hold their own copy.
func (s *Server) applySettings(settings commands.Settings) {
	s.tokens.SetMargin(settings.RefreshMargin)
}

func (s *Server) didChangeWatchedFiles(ctx context.Context, raw json.RawMessage) error {
	var p protocol.DidChangeWatchedFilesParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	var paths []string
	for _, ev := range p.Changes {
		if path := uriPath(string(ev.URI)); path != "" {
			paths = append(paths, path)
		}
	}
	if len(paths) == 0 {
		return nil
	}
	s.discoverIf(func() bool {
		for _, path := range paths {
			if s.keys.Owns(path) || looksLikeKey(path) {
				return true
			}
		}
		return false
	})
	return nil
}

// looksLikeKey reports whether path holds a service key: a new or changed
// file that loads as one is worth a discovery. It reads the file.
func looksLikeKey(path string) bool {
	_, err := auth.LoadKey(path)
	return err == nil
}

func (s *Server) didChangeWorkspaceFolders(ctx context.Context, raw json.RawMessage) error {
	var p struct {
		Event struct {
			Added   []struct{ URI string } `json:"added"`
			Removed []struct{ URI string } `json:"removed"`
		} `json:"event"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	current := map[string]bool{}
	for _, f := range s.keys.Folders() {
		current[f] = true
	}
	for _, f := range p.Event.Removed {
		delete(current, uriPath(f.URI))
	}
	for _, f := range p.Event.Added {
		if path := uriPath(f.URI); path != "" {
			current[path] = true
		}
	}
	next := make([]string, 0, len(current))
	for f := range current {
		next = append(next, f)
	}
	sort.Strings(next)
	s.keys.SetFolders(next)
	s.discover()
	return nil
}
