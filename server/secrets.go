package server

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/envfile"
	"github.com/doxls/doxls/gitcheck"
	"github.com/doxls/doxls/httpfile"
)

// diagExposed marks a request file that holds DOX tokens in plain text and
// that git tracks or does not ignore; its quick fixes move the tokens to
// the environment file or ignore the file.
const diagExposed = "dox-token-exposed"

// warned remembers the files the user has been told about (key files,
// environment files), so that each is named once per session.
type warned struct {
	mu    sync.Mutex
	files map[string]bool
}

// first reports whether path is new, and marks it.
func (w *warned) first(path string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.files == nil {
		w.files = map[string]bool{}
	}
	if w.files[path] {
		return false
	}
	w.files[path] = true
	return true
}

// git is the session's git cache, shared with the commands.
func (s *Server) git() *gitcheck.Checker { return s.cmds.Git }

// secretDiagnostics is the warning for a request file that holds literal
// DOX tokens (JWTs) and that git tracks or does not ignore. Git is asked
// once per file and session; isJWT is the diagnostics' memoized decoder.
func (s *Server) secretDiagnostics(doc commands.Document, refs []httpfile.TokenRef, isJWT func(string) bool) []protocol.Diagnostic {
	var literal []httpfile.TokenRef
	for _, r := range refs {
		if isJWT(r.Token) {
			literal = append(literal, r)
		}
	}
	path := uriPath(string(doc.URI))
	if path == "" {
		return nil
	}
	s.checkEnvFileOf(path, doc.Text)
	if len(literal) == 0 {
		return nil
	}
	st, err := s.git().Check(s.ctx, path)
	if err != nil {
		s.log.Info("git check failed", zap.String("file", filepath.Base(path)), zap.Error(err))
		return nil
	}
	if !st[0].State.Exposed() {
		return nil
	}
	what := "a DOX token"
	if len(literal) > 1 {
		what = fmt.Sprintf("%d DOX tokens", len(literal))
	}
	target := envfile.FileName(s.Settings().EnvFormat)
	return []protocol.Diagnostic{{
		Range: commands.Range(literal[0].Range), Severity: protocol.DiagnosticSeverityWarning,
		Code: diagExposed, Source: "doxls",
		Message: fmt.Sprintf("%s %s and holds %s in plain text: move the token to %s, or add the file to .gitignore",
			filepath.Base(path), st[0].Describe(), what, target),
	}}
}

// checkEnvFileOf tells the user, once, when the environment file a request
// file takes its token from holds it and git does not ignore the file. It
// looks once per request file and session (the commands that write the
// environment file report on it themselves).
func (s *Server) checkEnvFileOf(httpPath string, text []byte) {
	settings := s.Settings()
	if !bytes.Contains(text, []byte(settings.VariableName)) || !s.warnedFiles.first("env-of:"+httpPath) {
		return // the cheap tests first: this runs after every change, and once per request file is enough
	}
	for _, f := range []envfile.Format{envfile.FormatJSON, envfile.FormatDotenv} {
		key, _ := s.keys.Get("")
		opts := commands.HostOptions(key, settings)
		opts.Dotenv = f == envfile.FormatDotenv
		if !commands.UsesEnv(text, opts) {
			continue
		}
		ts := settings
		ts.EnvFormat = f
		t := commands.EnvTargetFor(httpPath, commands.RootFor(s.keys.Folders(), httpPath), ts)
		if !t.Exists {
			continue
		}
		st, err := s.git().Check(s.ctx, t.Path)
		if err != nil || !st[0].State.Exposed() || !s.warnedFiles.first(t.Path) {
			continue
		}
		src, _, _ := envfile.ReadFile(t.Path)
		if v, ok, _ := envfile.Lookup(t.Format, src, t.Env, t.Name); !ok || v == "" {
			continue
		}
		s.showMessage(protocol.MessageTypeWarning, fmt.Sprintf("doxls: %s holds the DOX token and %s; add it to .gitignore (command %s)",
			t.Path, st[0].Describe(), commands.IgnoreFile))
	}
}

// checkKeys warns, once per file and session, about each service key file
// that git tracks or does not ignore: it holds a client secret.
func (s *Server) checkKeys(keys []*auth.ServiceKey) {
	// Keys from the environment or Cloud Foundry have no file.
	var files []*auth.ServiceKey
	var paths []string
	for _, k := range keys {
		if k.Path != "" {
			files = append(files, k)
			paths = append(paths, k.Path)
		}
	}
	if len(paths) == 0 {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	st, err := s.git().Check(ctx, paths...)
	if err != nil {
		s.log.Info("git check of the service keys failed", zap.Error(err))
		return
	}
	for i, k := range files {
		if !st[i].State.Exposed() || !s.warnedFiles.first(k.Path) {
			continue
		}
		msg := fmt.Sprintf("doxls: the service key %s %s: its client secret ", k.ID, st[i].Describe())
		if st[i].State == gitcheck.Tracked {
			msg += "is in the repository; create a new service key, delete this one, and stop tracking the file (command " + commands.IgnoreFile + " with untrack)"
		} else {
			msg += "goes into the next commit that adds all files; add it to .gitignore (command " + commands.IgnoreFile + ")"
		}
		s.showMessage(protocol.MessageTypeWarning, msg)
	}
}

// secretActions are the quick fixes of diagExposed.
func (s *Server) secretActions(p protocol.CodeActionParams) []protocol.CodeAction {
	var out []protocol.CodeAction
	path := uriPath(string(p.TextDocument.URI))
	for _, d := range p.Context.Diagnostics {
		if d.Source != "doxls" || d.Code != diagExposed || path == "" {
			continue
		}
		target := envfile.FileName(s.Settings().EnvFormat)
		out = append(out, protocol.CodeAction{
			Title: "Move the DOX tokens to " + target, Kind: protocol.QuickFix,
			Diagnostics: []protocol.Diagnostic{d}, IsPreferred: true,
			Command: &protocol.Command{Title: "Move the DOX tokens to " + target, Command: commands.MoveTokensToEnvFile,
				Arguments: []any{map[string]any{"uri": string(p.TextDocument.URI)}}},
		})
		title := "Add " + filepath.Base(path) + " to .gitignore"
		if st, ok := s.git().Cached(path); ok && st.State == gitcheck.Tracked {
			title = "Stop tracking " + filepath.Base(path) + " and add it to .gitignore"
		}
		out = append(out, protocol.CodeAction{
			Title: title, Kind: protocol.QuickFix, Diagnostics: []protocol.Diagnostic{d},
			Command: &protocol.Command{Title: title, Command: commands.IgnoreFile,
				Arguments: []any{map[string]any{"path": path, "untrack": true}}},
		})
	}
	return out
}

// afterCommand re-publishes diagnostics after a command that changes what
// git says about a file, and warns about the certificates of keys loaded.
func (s *Server) afterCommand(id string) {
	if id == commands.IgnoreFile {
		s.diags.refreshAll()
	}
	if id == commands.LoadServiceKey {
		keys, _ := s.keys.List()
		s.warnCertificates(keys...)
	}
}

// isJWT reports a token whose claims decode: a real token, not a
// placeholder such as "Bearer TOKEN".
func (cc *claimsCache) isJWT(token string) bool {
	_, err := cc.parse(token)
	return err == nil
}
