package commands

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sort"

	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/envfile"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/fileuri"
)

// The quick fixes' commands (see quickFixes in commands.go).
const (
	// MoveTokensToEnvFile: {"uri"} → the request file's Bearer tokens go to
	// its environment file (envFile mode, whatever insertMode says).
	MoveTokensToEnvFile = "doxls.moveTokensToEnvFile"
	// IgnoreFile: {"path" (or file URI), "untrack"} → the file is added to
	// the nearest .gitignore; with untrack a tracked file also leaves the
	// index (git rm --cached).
	IgnoreFile = "doxls.ignoreFile"
)

func fileURI(path string) protocol.DocumentURI { return protocol.DocumentURI(fileuri.FromPath(path)) }

// envInsertResult is insertBearer's result in envFile mode: edited counts
// the request file's edits plus the environment file's value.
type envInsertResult struct {
	Edited  int         `json:"edited"`
	Skipped []SkipEntry `json:"skipped"`
	EnvFile *EnvResult  `json:"envFile,omitempty"`
}

// insertEnv is insertBearer in envFile mode: the token goes into the
// environment file first, then the requests get the reference.
func (h *Handler) insertEnv(ctx context.Context, doc Document, token string, opts httpfile.Options) (any, error) {
	path, err := PathOf(string(doc.URI))
	if err != nil || path == string(doc.URI) {
		return nil, invalidParams("envFile mode needs a file on disk, not %s", doc.URI)
	}
	set, root := h.Settings(), h.rootFor(path)
	target := EnvTargetFor(path, root, set)
	opts = WithEnvironments(opts, path, root, set)
	opts.EnvBlocked = OtherReaders(ctx, target.Path, path, opts, set, root, h.openText)
	plan := doc.Source().PlanEdits(opts)
	res := envInsertResult{Edited: len(plan.Edits), Skipped: []SkipEntry{}}
	for _, s := range plan.Skipped {
		res.Skipped = append(res.Skipped, SkipEntry{Line: lineAfter(s.Line, plan.Edits), Reason: s.Reason})
	}
	if UsesEnv(httpfile.Apply(doc.Text, plan.Edits), opts) {
		env, err := h.putEnvToken(ctx, target, token)
		if err != nil {
			return nil, err
		}
		res.EnvFile = &env
		if env.Changed {
			res.Edited++
		}
	}
	if len(plan.Edits) > 0 {
		if err := h.Client.ApplyEdit(ctx, "Use the DOX token of the environment file", h.workspaceEdit([]docEdits{{doc, plan.Edits}})); err != nil {
			return nil, err
		}
	}
	return res, nil
}

type moveArgs struct {
	URI string `json:"uri"`
}

// moveTokensToEnvFile takes the Bearer tokens out of a request file: the
// current token of the active key (or, without a key, the newest token the
// file holds) goes into the environment file, and the DOX requests refer
// to it.
func (h *Handler) moveTokensToEnvFile(ctx context.Context, raw []json.RawMessage) (any, error) {
	var args moveArgs
	if err := decodeArgs(MoveTokensToEnvFile, raw, &args); err != nil {
		return nil, err
	}
	if args.URI == "" {
		return nil, invalidParams("%s: uri is required", MoveTokensToEnvFile)
	}
	doc, err := h.document(ctx, protocol.DocumentURI(args.URI))
	if err != nil {
		return nil, err
	}
	s := h.Settings()
	key, keyErr := h.Keys.Get("")
	opts := HostOptions(key, s)
	opts.Mode, opts.Dotenv = httpfile.ModeEnvFile, s.EnvFormat == envfile.FormatDotenv
	if keyErr == nil {
		tok, _, err := h.Token(ctx, key, false)
		if err != nil {
			return nil, err
		}
		opts.Token = tok.AccessToken
	} else {
		opts.Token = newestToken(doc.Source().Tokens())
		if opts.Token == "" {
			return nil, keyErr // no key and nothing to move
		}
	}
	return h.insertEnv(ctx, doc, opts.Token, opts)
}

// newestToken is the JWT among refs that expires last.
func newestToken(refs []httpfile.TokenRef) string {
	best, bestExp := "", int64(-1)
	for _, r := range refs {
		c, err := auth.ParseClaims(r.Token)
		if err != nil {
			continue
		}
		if exp := c.ExpiresAt.Unix(); exp > bestExp {
			best, bestExp = r.Token, exp
		}
	}
	return best
}

type ignoreArgs struct {
	Path    string `json:"path"`
	URI     string `json:"uri"`
	Untrack bool   `json:"untrack"`
}

type ignoreResult struct {
	GitIgnore    string `json:"gitignore"`
	Pattern      string `json:"pattern"`
	Untracked    bool   `json:"untracked"`
	StillTracked bool   `json:"stillTracked"`
}

func (h *Handler) ignoreFile(ctx context.Context, raw []json.RawMessage) (any, error) {
	var args ignoreArgs
	if err := decodeArgs(IgnoreFile, raw, &args); err != nil {
		return nil, err
	}
	p := args.Path
	if p == "" {
		p = args.URI
	}
	if p == "" {
		return nil, invalidParams("%s: path is required", IgnoreFile)
	}
	path, err := PathOf(p)
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(path) {
		if folders := h.Keys.Folders(); len(folders) > 0 {
			path = filepath.Join(folders[0], path)
		}
	}
	res, err := h.gitChecker().Ignore(ctx, path, args.Untrack)
	if err != nil {
		return nil, err
	}
	return ignoreResult{GitIgnore: res.GitIgnore, Pattern: res.Pattern, Untracked: res.Untracked, StillTracked: res.StillTracked}, nil
}

// RefreshEnvFiles writes tok over older tokens in the environment files
// that docs' DOX requests take their token from. Like refreshBearers it
// only replaces a value that is there; it returns the values rewritten.
func (h *Handler) RefreshEnvFiles(ctx context.Context, key *auth.ServiceKey, tok auth.Token, docs []Document) (int, error) {
	s := h.Settings()
	targets := map[string]EnvTarget{}
	readers := map[string]httpfile.Options{} // the options a target's readers are checked with
	for _, d := range docs {
		path, err := PathOf(string(d.URI))
		if err != nil || path == string(d.URI) {
			continue
		}
		for _, dotenv := range []bool{false, true} {
			opts := HostOptions(key, s)
			opts.Mode, opts.Dotenv = httpfile.ModeEnvFile, dotenv
			if !UsesEnv(d.Text, WithEnvironments(opts, path, h.rootFor(path), s)) {
				continue
			}
			ts := s
			ts.EnvFormat = envfile.FormatJSON
			if dotenv {
				ts.EnvFormat = envfile.FormatDotenv
			}
			if t := EnvTargetFor(path, h.rootFor(path), ts); t.Exists {
				targets[t.Path] = t
				readers[t.Path] = opts
			}
		}
	}
	paths := make([]string, 0, len(targets))
	for p := range targets {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	n := 0
	for _, p := range paths {
		t := targets[p]
		src := h.envText(t.Path)
		if old, ok, err := envfile.Lookup(t.Format, src, t.Env, t.Name); err != nil || !ok || old == tok.AccessToken {
			continue // nothing there to refresh, or already fresh
		}
		if OtherReaders(ctx, t.Path, "", readers[p], s, h.rootFor(t.Path), h.openText) != "" {
			continue // another request file sends the variable elsewhere: no fresh token for it
		}
		res, err := h.putEnvToken(ctx, t, tok.AccessToken)
		if err != nil {
			return n, err
		}
		if res.Changed {
			n++
		}
	}
	return n, nil
}

// envText is an environment file as the editor has it, else on disk.
func (h *Handler) envText(path string) []byte {
	if d, ok := h.Docs.Get(fileURI(path)); ok {
		return d.Text
	}
	src, _, _ := envfile.ReadFile(path)
	return src
}

// anyUsesEnv reports a document whose DOX requests take their token from
// an environment file (without a key, those the path rule allows).
func (h *Handler) anyUsesEnv(docs []Document) bool {
	s := h.Settings()
	key, _ := h.Keys.Get("")
	for _, d := range docs {
		for _, dotenv := range []bool{false, true} {
			opts := HostOptions(key, s)
			opts.Mode, opts.Dotenv = httpfile.ModeEnvFile, dotenv
			if UsesEnv(d.Text, h.withEnvironments(opts, d)) {
				return true
			}
		}
	}
	return false
}
