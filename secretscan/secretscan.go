// Package secretscan finds the files below a folder that hold DOX secrets
// and that git tracks or does not ignore: service keys (a client secret or
// private key), request files with Bearer tokens in plain text, and
// environment files with tokens. "doxls check" prints its findings.
package secretscan

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/envfile"
	"github.com/doxls/doxls/gitcheck"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/userfile"
)

// Kind is what a file holds.
type Kind string

const (
	ServiceKey  Kind = "service key"
	RequestFile Kind = "request file"
	EnvFile     Kind = "environment file"
)

// Finding is a file with a secret that git tracks or does not ignore.
type Finding struct {
	Path   string // relative to the scanned folder, forward slashes
	Kind   Kind
	Tokens int // JWTs in a request or environment file
	Status gitcheck.Status
}

// Message is one line for the user: the file, what it holds, where it
// stands with git, and what to do.
func (f Finding) Message() string {
	switch f.Kind {
	case ServiceKey:
		if f.Status.State == gitcheck.Tracked {
			return fmt.Sprintf("%s: service key with its client secret %s; create a new key, delete this one, then git rm --cached %s and add it to .gitignore", f.Path, f.Status.Describe(), f.Status.Rel)
		}
		return fmt.Sprintf("%s: service key with its client secret %s; add it to .gitignore", f.Path, f.Status.Describe())
	case RequestFile:
		return fmt.Sprintf("%s: holds %s in plain text and %s; doxls bearer --mode envFile %s moves them to %s", f.Path, tokens(f.Tokens), f.Status.Describe(), f.Path, envfile.PrivateJSON)
	}
	fix := "add it to .gitignore"
	switch {
	case path.Base(f.Path) == envfile.PublicJSON: // shared on purpose: the token belongs in the private one
		fix = "move the token to " + envfile.PrivateJSON
	case f.Status.State == gitcheck.Tracked:
		fix = "git rm --cached " + f.Status.Rel + " and add it to .gitignore"
	}
	return fmt.Sprintf("%s: holds %s and %s; %s", f.Path, tokens(f.Tokens), f.Status.Describe(), fix)
}

func tokens(n int) string {
	if n == 1 {
		return "a DOX token"
	}
	return fmt.Sprintf("%d DOX tokens", n)
}

// Report is the outcome of a scan.
type Report struct {
	Findings []Finding
	Checked  int  // files with secrets that were checked
	Outside  bool // the folder is not in a git work tree
}

// skipDirs are not scanned: git's own folder and dependencies.
var skipDirs = map[string]bool{".git": true, "node_modules": true, ".venv": true, "__pycache__": true}

const maxFile = 4 << 20

// Scan checks dir. It reads files (a few MiB at most each), never prints a
// secret, and asks git once per repository for all candidates.
func Scan(ctx context.Context, git *gitcheck.Checker, dir string) (Report, error) {
	var rep Report
	abs, err := filepath.Abs(dir)
	if err != nil {
		return rep, err
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return rep, fmt.Errorf("%s is not a folder", dir)
	}
	type candidate struct {
		path   string
		kind   Kind
		tokens int
	}
	var cands []candidate
	err = filepath.WalkDir(abs, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable: nothing to find there
		}
		if e.IsDir() {
			if p != abs && skipDirs[e.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		kind, n := classify(p, e)
		if kind != "" {
			cands = append(cands, candidate{p, kind, n})
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	paths := make([]string, len(cands))
	for i, c := range cands {
		paths[i] = c.path
	}
	sts, err := git.Check(ctx, paths...)
	if err != nil {
		return rep, err
	}
	rep.Checked = len(cands)
	rep.Outside = true
	for i, c := range cands {
		if sts[i].State != gitcheck.Outside {
			rep.Outside = false
		}
		if !sts[i].State.Exposed() {
			continue
		}
		rel, _ := filepath.Rel(abs, c.path)
		rep.Findings = append(rep.Findings, Finding{Path: filepath.ToSlash(rel), Kind: c.kind, Tokens: c.tokens, Status: sts[i]})
	}
	if len(cands) == 0 {
		st, err := git.Check(ctx, filepath.Join(abs, ".doxls-probe"))
		rep.Outside = err == nil && st[0].State == gitcheck.Outside
	}
	sort.Slice(rep.Findings, func(i, j int) bool { return rep.Findings[i].Path < rep.Findings[j].Path })
	return rep, nil
}

// classify says whether the file at p holds a secret, and how many tokens.
func classify(p string, e fs.DirEntry) (Kind, int) {
	name := e.Name()
	lower := strings.ToLower(name)
	ext := filepath.Ext(lower)
	isEnvJSON := strings.HasSuffix(lower, ".env.json")
	isDotenv := lower == ".env" || strings.HasPrefix(lower, ".env.") || ext == ".env"
	if ext != ".http" && ext != ".rest" && ext != ".json" && ext != ".txt" && !isDotenv {
		return "", 0
	}
	info, err := e.Info()
	if err != nil || !info.Mode().IsRegular() || info.Size() > maxFile {
		return "", 0
	}
	// Through userfile: a file swapped for a FIFO since the walk saw it
	// must not hang the scan (docs/security-files.md).
	src, _, err := userfile.Read(context.Background(), p, maxFile)
	if err != nil {
		return "", 0
	}
	switch {
	case ext == ".http" || ext == ".rest":
		n := 0
		for _, r := range httpfile.Tokens(src) {
			if isJWT(r.Token) {
				n++
			}
		}
		if n > 0 {
			return RequestFile, n
		}
	case isEnvJSON || isDotenv:
		f := envfile.FormatJSON
		if isDotenv {
			f = envfile.FormatDotenv
		}
		n := 0
		for _, v := range envfile.Values(f, src) {
			if isJWT(v) {
				n++
			}
		}
		if n > 0 {
			return EnvFile, n
		}
	}
	if (ext == ".json" || ext == ".txt") && looksLikeKey(src) {
		return ServiceKey, 0
	}
	return "", 0
}

// looksLikeKey: a client id with a secret or a private key. A key that
// fails validation (an expired certificate, a missing field) still holds
// its secret.
func looksLikeKey(src []byte) bool {
	return bytes.Contains(src, []byte(`"clientid"`)) &&
		(bytes.Contains(src, []byte(`"clientsecret"`)) || bytes.Contains(src, []byte("PRIVATE KEY")))
}

func isJWT(s string) bool {
	_, err := auth.ParseClaims(strings.TrimSpace(s))
	return err == nil
}
