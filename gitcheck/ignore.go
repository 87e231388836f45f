package gitcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// IgnoreResult says what Ignore did.
type IgnoreResult struct {
	GitIgnore string // the .gitignore written to
	Pattern   string // the line added ("" when the file was ignored already)
	Untracked bool   // the file was removed from the index (git rm --cached)
	// StillTracked: the file is ignored from now on but stays in the index
	// until "git rm --cached"; the secret stays in past commits either way.
	StillTracked bool
}

// Ignore makes git ignore path: it appends an anchored pattern for the
// file to the nearest .gitignore between the file's folder and the top
// level (the repository's own when there is none), so that no deeper
// .gitignore can include it again. With untrack, a tracked file is also
// removed from the index (the working file stays). The file must be in a
// git work tree.
func (c *Checker) Ignore(ctx context.Context, path string, untrack bool) (IgnoreResult, error) {
	c.Forget(path)
	st, err := c.Check(ctx, path)
	if err != nil {
		return IgnoreResult{}, err
	}
	s := st[0]
	var res IgnoreResult
	switch s.State {
	case Outside:
		return res, fmt.Errorf("%s is not in a git repository; nothing to ignore", path)
	case Ignored:
		return res, nil
	}
	res.GitIgnore = nearestGitIgnore(s.Root, s.Rel)
	rel, _ := filepath.Rel(filepath.Dir(res.GitIgnore), filepath.Join(s.Root, filepath.FromSlash(s.Rel)))
	res.Pattern = "/" + escapePattern(filepath.ToSlash(rel))
	if err := appendLine(res.GitIgnore, res.Pattern); err != nil {
		return res, err
	}
	if s.State == Tracked {
		if untrack {
			r, err := c.git(ctx, s.Root, nil, "rm", "--cached", "--quiet", "--", literal(s.Rel))
			if err != nil {
				return res, err
			}
			if r.code != 0 {
				return res, r.fail("rm --cached")
			}
			res.Untracked = true
		} else {
			res.StillTracked = true
		}
	}
	// Ask git whether the rule took, whatever the index says.
	r, err := c.git(ctx, s.Root, nil, "check-ignore", "-q", "--no-index", "--", s.Rel)
	if err != nil {
		return res, err
	}
	c.Forget(path)
	if r.code != 0 {
		return res, fmt.Errorf("added %s to %s, but git still does not ignore %s; check the rules there", res.Pattern, res.GitIgnore, s.Rel)
	}
	return res, nil
}

// nearestGitIgnore is the .gitignore in the file's folder or the nearest
// parent up to root that has one; root's when none has.
func nearestGitIgnore(root, rel string) string {
	dir := filepath.Dir(filepath.Join(root, filepath.FromSlash(rel)))
	for {
		p := filepath.Join(dir, ".gitignore")
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
		if dir == root || filepath.Dir(dir) == dir {
			return filepath.Join(root, ".gitignore")
		}
		dir = filepath.Dir(dir)
	}
}

// escapePattern makes a path match itself only: gitignore treats *, ?, [
// and \ as glob characters, a leading # or ! specially and trailing
// spaces as nothing.
func escapePattern(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case strings.IndexByte(`*?[\`, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		case (c == '#' || c == '!') && (i == 0 || p[i-1] == '/'):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	s := b.String()
	if t := strings.TrimRight(s, " "); len(t) < len(s) {
		s = t + strings.Repeat(`\ `, len(s)-len(t))
	}
	return s
}

// appendLine adds line to the file at p (created when missing), with the
// file's own line ending, replacing it atomically.
func appendLine(p, line string) error {
	old, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("%s cannot be read: %v", p, pathError(err))
	}
	eol := "\n"
	if i := strings.IndexByte(string(old), '\n'); i > 0 && old[i-1] == '\r' {
		eol = "\r\n"
	}
	text := string(old)
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += eol
	}
	text += line + eol
	mode := os.FileMode(0o644)
	if st, err := os.Stat(p); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".gitignore.doxls-*")
	if err != nil {
		return fmt.Errorf("%s cannot be written: %v", p, pathError(err))
	}
	_, werr := tmp.WriteString(text)
	if werr == nil {
		werr = tmp.Chmod(mode)
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), p)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("%s cannot be written: %v", p, pathError(werr))
	}
	return nil
}

func pathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	if le, ok := err.(*os.LinkError); ok {
		return le.Err
	}
	return err
}
