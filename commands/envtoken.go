package commands

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/doxls/doxls/envfile"
	"github.com/doxls/doxls/gitcheck"
	"github.com/doxls/doxls/httpfile"
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

// UsesEnv reports whether a request of src that opts allows takes its
// token from the environment file: "Authorization: Bearer {{doxToken}}"
// (or {{$dotenv doxToken}}) with no file variable of that name.
func UsesEnv(src []byte, opts httpfile.Options) bool {
	return len(envRequests(src, opts)) > 0
}

// envRequests lists the request lines that use the environment's token.
func envRequests(src []byte, opts httpfile.Options) []int {
	var out []int
	for _, h := range envHeaders(src, opts) {
		out = append(out, h.line)
	}
	return out
}

type envHeader struct {
	line int // the request line
	hdr  httpfile.Header
}

// envHeaders lists the Authorization headers of the requests opts allows
// that name the environment's token.
func envHeaders(src []byte, opts httpfile.Options) []envHeader {
	name := opts.VariableName
	if name == "" {
		name = httpfile.DefaultVariable
	}
	want := name
	if opts.Dotenv {
		want = "$dotenv " + name
	}
	doc := httpfile.Parse(src)
	if !opts.Dotenv {
		for _, v := range doc.Variables {
			if v.Name == name {
				return nil // the file's own variable wins over the environment
			}
		}
	}
	var out []envHeader
	for _, r := range doc.Requests {
		if ok, _ := r.Allowed(opts); !ok {
			continue
		}
		for _, h := range r.Headers {
			if !strings.EqualFold(h.Name, "Authorization") {
				continue
			}
			scheme, cred, _ := strings.Cut(strings.TrimSpace(h.Value), " ")
			cred = strings.TrimSpace(cred)
			if strings.EqualFold(scheme, "Bearer") && strings.HasPrefix(cred, "{{") && strings.HasSuffix(cred, "}}") &&
				strings.Join(strings.Fields(cred[2:len(cred)-2]), " ") == want {
				out = append(out, envHeader{r.Line, h})
			}
		}
	}
	return out
}

// EnvTokens lists the Bearer headers of the request file at path (text
// src) that take their token from an environment file, each with that
// token and the header value's range, so that hover, code lens, expiry
// diagnostics and adoption treat them like tokens written in the file.
func EnvTokens(src []byte, path string, folders []string, s Settings, apiHost string) []httpfile.TokenRef {
	if !bytes.Contains(src, []byte(s.VariableName)) {
		return nil // the cheap test first: this runs after every change
	}
	var refs []httpfile.TokenRef
	for _, f := range []envfile.Format{envfile.FormatJSON, envfile.FormatDotenv} {
		opts := httpfile.Options{APIHost: apiHost, ExtraHosts: s.ExtraHosts, VariableName: s.VariableName, Dotenv: f == envfile.FormatDotenv}
		headers := envHeaders(src, opts)
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
			refs = append(refs, httpfile.TokenRef{Token: token, Range: h.hdr.ValueRange, Line: h.hdr.Line})
		}
	}
	return refs
}

// rootFor is the workspace folder holding path, "" when none does.
func (h *Handler) rootFor(path string) string { return RootFor(h.Keys.Folders(), path) }

// RootFor is the innermost of folders that holds path, "" when none does.
func RootFor(folders []string, path string) string {
	best := ""
	for _, f := range folders {
		rel, err := filepath.Rel(f, path)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && len(f) > len(best) {
			best = f
		}
	}
	return best
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
		edit := httpfile.Edit{Start: e.Start, End: e.End, NewText: e.NewText, Range: httpfile.Range{
			Start: httpfile.Position(envfile.PositionAt(doc.Text, e.Start)),
			End:   httpfile.Position(envfile.PositionAt(doc.Text, e.End)),
		}}
		if err := h.Client.ApplyEdit(ctx, "Write DOX token to "+filepath.Base(t.Path), h.workspaceEdit([]docEdits{{doc, []httpfile.Edit{edit}}})); err != nil {
			return res, err
		}
		res.Changed = true
	}
	guardEnvFile(ctx, h.gitChecker(), &res)
	return res, nil
}
