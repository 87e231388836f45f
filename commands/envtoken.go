package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/envfile"
	"github.com/doxls/doxls/gitcheck"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/fileuri"
	"github.com/doxls/doxls/internal/userfile"
)

// EnvTarget is the environment file a request file takes its token from in
// envFile mode, with the names to use there.
type EnvTarget struct {
	Path   string
	Exists bool
	Format envfile.Format
	Env    string // the environment (JSON only)
	Name   string // the variable
	Root   string // the workspace folder (or current folder) a link may lead into; "" for none
}

// Describe names the file and, for JSON, the environment.
func (t EnvTarget) Describe() string {
	if t.Format == envfile.FormatDotenv {
		return t.Path
	}
	return t.Path + " (environment " + t.Env + ")"
}

// EnvTargetFor locates the environment file for the request file at
// httpPath under root (see envfile.Locate).
func EnvTargetFor(httpPath, root string, s Settings) EnvTarget {
	f := s.EnvFormat
	if f == "" {
		f = envfile.FormatJSON
	}
	p, exists := envfile.Locate(httpPath, root, f)
	return EnvTarget{Path: p, Exists: exists, Format: f, Env: s.EnvName, Name: s.VariableName, Root: root}
}

// EnvResult says what happened to the environment file.
type EnvResult struct {
	Path    string `json:"path"`
	Env     string `json:"env,omitempty"`
	Changed bool   `json:"changed"`
	Created bool   `json:"created,omitempty"`
	// IgnoredIn is the .gitignore doxls added a newly created file to.
	IgnoredIn string `json:"ignoredIn,omitempty"`
	// Warning: the file holds the token and git does not ignore it.
	Warning string `json:"warning,omitempty"`
}

// PutEnvToken writes token into the environment file t on disk. A file it
// creates inside a git work tree is added to .gitignore unless git ignores
// it already; an existing file that git does not ignore gets a warning.
func PutEnvToken(ctx context.Context, git *gitcheck.Checker, t EnvTarget, token string) (EnvResult, error) {
	res := EnvResult{Path: t.Path}
	if t.Format == envfile.FormatJSON {
		res.Env = t.Env
	}
	up, err := envfile.Update(ctx, t.Path, []string{t.Root}, t.Format, t.Env, t.Name, token)
	if err != nil {
		return res, err
	}
	res.Changed, res.Created = up.Changed, up.Created
	guardEnvFile(ctx, git, &res)
	return res, nil
}

// guardEnvFile keeps a new environment file out of git and warns about an
// old one that is not.
func guardEnvFile(ctx context.Context, git *gitcheck.Checker, res *EnvResult) {
	if git == nil {
		return
	}
	git.Forget(res.Path)
	st, err := git.Check(ctx, res.Path)
	if err != nil || !st[0].State.Exposed() {
		return
	}
	if res.Created && st[0].State == gitcheck.Untracked {
		if ig, err := git.Ignore(ctx, res.Path, false); err == nil {
			res.IgnoredIn = ig.GitIgnore
			return
		}
	}
	res.Warning = fmt.Sprintf("%s holds the DOX token and %s; add it to .gitignore", filepath.Base(res.Path), st[0].Describe())
	if st[0].State == gitcheck.Tracked {
		res.Warning += " and run git rm --cached " + st[0].Rel
	}
}

// UsesEnv reports whether src takes its token from the environment file
// and may: a request that opts allows says "Authorization: Bearer
// {{doxToken}}" (or {{$dotenv doxToken}}) with no file variable of that
// name, and no request to another host references the variable, directly
// or through file or environment variables (docs/security.md). Only then
// does doxls write the token there.
func UsesEnv(src []byte, opts httpfile.Options) bool {
	headers, blocked := httpfile.EnvUse(src, opts)
	return len(headers) > 0 && blocked == ""
}

// EnvTokens lists the Bearer headers of the request file at path (text
// src) that take their token from an environment file, each with that
// token and the header value's range, so that hover, code lens, expiry
// diagnostics and adoption treat them like tokens written in the file.
func EnvTokens(src []byte, path string, folders []string, s Settings, key *auth.ServiceKey) []httpfile.TokenRef {
	if !bytes.Contains(src, []byte(s.VariableName)) {
		return nil // the cheap test first: this runs after every change
	}
	var refs []httpfile.TokenRef
	for _, f := range []envfile.Format{envfile.FormatJSON, envfile.FormatDotenv} {
		opts := HostOptions(key, s)
		opts.Dotenv = f == envfile.FormatDotenv
		headers, _ := httpfile.EnvUse(src, opts)
		if len(headers) == 0 {
			continue
		}
		ts := s
		ts.EnvFormat = f
		t := EnvTargetFor(path, RootFor(folders, path), ts)
		if !t.Exists {
			continue
		}
		env, _, err := envfile.ReadFile(t.Path)
		if err != nil {
			continue
		}
		token, ok, err := envfile.Lookup(t.Format, env, t.Env, t.Name)
		if err != nil || !ok || token == "" {
			continue
		}
		for _, h := range headers {
			refs = append(refs, httpfile.TokenRef{Token: token, Range: h.Header.ValueRange, Line: h.Header.Line})
		}
	}
	return refs
}

// HostOptions are the options of the host rule for key (nil: no key yet)
// under settings s: the key's API and tenant UI hosts, the extra hosts, the
// token variable (docs/security.md).
func HostOptions(key *auth.ServiceKey, s Settings) httpfile.Options {
	o := httpfile.Options{ExtraHosts: s.ExtraHosts, VariableName: s.VariableName, Line: -1}
	if key != nil {
		o.APIHost, o.TenantHost = key.APIHost(), key.TenantUIHost()
	}
	return o
}

// WithEnvironments adds to opts the variables of the environment files
// the request file at path reads (the nearest http-client.env.json,
// http-client.private.env.json and .env from its folder up to root; the
// private file's values win), so that a host that comes from one is decided per
// environment and the taint follows their variables. In envFile mode with
// JSON the token lives in environment s.EnvName only, and that one decides;
// otherwise doxls cannot know which one the client selects, and every
// environment must send the token to the key's hosts (docs/security.md).
func WithEnvironments(opts httpfile.Options, path, root string, s Settings) httpfile.Options {
	envs := map[string]map[string]string{}
	for _, name := range []string{envfile.PublicJSON, envfile.PrivateJSON} {
		p, ok := nearest(path, root, name)
		if !ok || outside(&opts, p, root) {
			continue
		}
		src, _, err := envfile.ReadFile(p)
		var file map[string]map[string]json.RawMessage
		if err != nil || json.Unmarshal(bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")), &file) != nil {
			continue // a file that does not parse defines nothing; the client cannot read it either
		}
		for env, vars := range file {
			for k, raw := range vars {
				var v string
				if json.Unmarshal(raw, &v) != nil {
					continue
				}
				if envs[env] == nil {
					envs[env] = map[string]string{}
				}
				envs[env][k] = v
			}
		}
	}
	if p, ok := nearest(path, root, envfile.Dotenv); ok && !outside(&opts, p, root) {
		if src, _, err := envfile.ReadFile(p); err == nil {
			envs[httpfile.DotenvEnv] = envfile.DotenvVariables(src)
		}
	}
	if opts.EnvUnread == "" {
		opts.EnvUnread = httpyacConfig(path, root)
	}
	if rel, err := filepath.Rel(root, opts.EnvUnread); root != "" && opts.EnvUnread != "" && err == nil && !strings.HasPrefix(rel, "..") {
		opts.EnvUnread = filepath.ToSlash(rel) // as the workspace names it
	}
	if len(envs) > 0 {
		opts.Environments = envs
	}
	if opts.Mode == httpfile.ModeEnvFile && !opts.Dotenv && !opts.RefreshOnly {
		opts.Environment = s.EnvName
	}
	return opts
}

// httpyacFiles define variables for httpyac that doxls does not read:
// its configuration (environments, scripts) and, beside them, .env.<name>
// files (httpyacConfig).
var httpyacFiles = []string{".httpyacrc", ".httpyac.json", ".httpyac.js", ".httpyac.cjs", ".httpyac.mjs", "httpyac.config.js", "httpyac.config.cjs", "httpyac.config.mjs"}

// httpyacConfig names a file in the folder of path or a parent up to root
// that gives httpyac variables doxls does not read ("" when none): a cloned
// repository's httpyac.config.js can define {{baseUrl}} as its collector.
func httpyacConfig(path, root string) string {
	for _, name := range httpyacFiles {
		if p, ok := nearest(path, root, name); ok {
			return p
		}
	}
	dir := filepath.Dir(path)
	for {
		if m, _ := filepath.Glob(filepath.Join(dir, ".env.*")); len(m) > 0 {
			return m[0]
		}
		parent := filepath.Dir(dir)
		if root == "" || dir == filepath.Clean(root) || parent == dir || RootFor([]string{root}, parent) == "" {
			return ""
		}
		dir = parent
	}
}

// outside reports an environment file at p that is a symbolic link out
// of root, and notes it in opts: its values (another tool's secrets, when
// a cloned repository links .env to ~/.aws/credentials) are not read, and
// a host left to a variable gets no token (docs/security.md).
func outside(opts *httpfile.Options, p, root string) bool {
	if root == "" || userfile.Inside(p, []string{root}) {
		return false
	}
	opts.EnvUnread = p
	return true
}

// nearest finds file name in the folder of path or a parent up to root
// (only that folder when root does not hold path).
func nearest(path, root, name string) (string, bool) {
	dir := filepath.Dir(path)
	for {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, true
		}
		parent := filepath.Dir(dir)
		if root == "" || dir == filepath.Clean(root) || parent == dir || RootFor([]string{root}, parent) == "" {
			return "", false
		}
		dir = parent
	}
}

// maxReaders bounds the request files read beside an environment file.
const maxReaders = 2000

// skipDirs are folders no request file that matters lives in.
var skipDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, "node_modules": true, "vendor": true}

// OtherReaders says why the environment file at envPath must not get the
// token although the request file self may use it: another request file
// (*.http, *.rest) in its folder or below, which clients let read it (they
// look for it from a request file's folder upwards), sends the token
// variable to another host. text gives a file's content when an editor
// holds it (nil: from disk). Past maxReaders files doxls cannot tell, and
// refuses (docs/security.md). "" when no file does.
func OtherReaders(ctx context.Context, envPath, self string, opts httpfile.Options, s Settings, root string, text func(path string) ([]byte, bool)) string {
	dir := filepath.Dir(envPath)
	reason, n := "", 0
	errTooMany := errors.New("too many request files")
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil // unreadable: a client cannot read it either
		case e.IsDir():
			if p != dir && skipDirs[e.Name()] {
				return filepath.SkipDir
			}
			return nil
		case p == self || !e.Type().IsRegular():
			return nil
		}
		if ext := strings.ToLower(filepath.Ext(p)); ext != ".http" && ext != ".rest" {
			return nil
		}
		if n++; n > maxReaders {
			return errTooMany
		}
		src, ok := []byte(nil), false
		if text != nil {
			src, ok = text(p)
		}
		if !ok {
			var err error
			if src, _, err = userfile.Read(ctx, p, userfile.MaxSize); err != nil {
				return nil
			}
		}
		if !bytes.Contains(src, []byte(opts.VariableName)) {
			return nil // the cheap test first
		}
		if _, blocked := httpfile.EnvUse(src, WithEnvironments(opts, p, root, s)); blocked != "" {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				rel = p
			}
			reason = blocked + " by " + filepath.ToSlash(rel)
			return filepath.SkipAll
		}
		return ctx.Err()
	})
	if ctx.Err() != nil {
		return "cancelled before the other request files were checked"
	}
	if errors.Is(err, errTooMany) {
		return fmt.Sprintf("more than %d request files below %s read %s; doxls cannot check that none sends the token elsewhere", maxReaders, dir, filepath.Base(envPath))
	}
	return reason
}

// NewFileReaders is OtherReaders for a request file that is about to be
// created at self in envFile mode with key's token (doxls init,
// doxls.newRequestFile): the files already there must not send the
// variable elsewhere.
func NewFileReaders(ctx context.Context, t EnvTarget, self string, key *auth.ServiceKey, s Settings, root string, text func(string) ([]byte, bool)) string {
	o := HostOptions(key, s)
	o.Mode, o.Dotenv = httpfile.ModeEnvFile, t.Format == envfile.FormatDotenv
	return OtherReaders(ctx, t.Path, self, o, s, root, text)
}

// rootFor is the workspace folder holding path, "" when none does.
func (h *Handler) rootFor(path string) string { return RootFor(h.Keys.Folders(), path) }

// RootFor is the innermost of folders that holds path, "" when none does.
func RootFor(folders []string, path string) string {
	best := ""
	for _, f := range folders {
		if fileuri.Within(f, path) && len(f) > len(best) {
			best = f
		}
	}
	return best
}

// openText is a file's text as the editor holds it.
func (h *Handler) openText(path string) ([]byte, bool) {
	d, ok := h.Docs.Get(fileURI(path))
	return d.Text, ok
}

// gitChecker is the handler's git cache (one per process when unset).
func (h *Handler) gitChecker() *gitcheck.Checker {
	if h.Git != nil {
		return h.Git
	}
	return defaultGit
}

var defaultGit = gitcheck.New()

// putEnvToken writes token into target: through the editor when it has the
// file open (so its buffer and undo stay right), else on disk.
func (h *Handler) putEnvToken(ctx context.Context, t EnvTarget, token string) (EnvResult, error) {
	u := fileURI(t.Path)
	doc, open := h.Docs.Get(u)
	if !open {
		return PutEnvToken(ctx, h.gitChecker(), t, token)
	}
	res := EnvResult{Path: t.Path}
	if t.Format == envfile.FormatJSON {
		res.Env = t.Env
	}
	e, changed, err := envfile.Set(t.Format, doc.Text, t.Env, t.Name, token)
	if err != nil {
		return res, fmt.Errorf("%s %v", t.Path, err)
	}
	if changed {
		src := doc.Source()
		edit := httpfile.Edit{Start: e.Start, End: e.End, NewText: e.NewText,
			Range: httpfile.Range{Start: src.Position(e.Start), End: src.Position(e.End)}}
		if err := h.Client.ApplyEdit(ctx, "Write DOX token to "+filepath.Base(t.Path), h.workspaceEdit([]docEdits{{doc, []httpfile.Edit{edit}}})); err != nil {
			return res, err
		}
		res.Changed = true
	}
	guardEnvFile(ctx, h.gitChecker(), &res)
	return res, nil
}
