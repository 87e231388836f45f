package gitcheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/doxls/doxls/internal/userfile"
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
	pattern, err := escapePattern(filepath.ToSlash(rel))
	if err != nil {
		return IgnoreResult{}, fmt.Errorf("%q cannot be added to %s: %v", path, res.GitIgnore, err)
	}
	res.Pattern = "/" + pattern
	undo, err := appendLine(ctx, res.GitIgnore, s.Root, res.Pattern)
	if err != nil {
		return IgnoreResult{}, err
	}
	// From here on a failure takes the line out again: a half-done edit
	// would leave the user believing the file is handled.
	fail := func(err error) (IgnoreResult, error) {
		c.Forget(path)
		if uerr := undo(); uerr != nil {
			return IgnoreResult{}, fmt.Errorf("%v; and %v", err, uerr)
		}
		return IgnoreResult{}, fmt.Errorf("%v; %s is as it was", err, res.GitIgnore)
	}
	// Ask git whether the rule took, whatever the index says.
	r, err := c.git(ctx, s.Root, nil, "check-ignore", "-q", "--no-index", "--", s.Rel)
	if err != nil {
		return fail(err)
	}
	if r.code != 0 {
		return fail(fmt.Errorf("git does not ignore %s even with %s in %s; check the rules there", s.Rel, res.Pattern, res.GitIgnore))
	}
	if s.State == Tracked {
		if untrack {
			r, err := c.git(ctx, s.Root, nil, "rm", "--cached", "--quiet", "--", literal(s.Rel))
			if err == nil && r.code != 0 {
				err = r.fail("rm --cached")
			}
			if err != nil {
				return fail(err)
			}
			res.Untracked = true
		} else {
			res.StillTracked = true
		}
	}
	c.Forget(path)
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
// spaces as nothing. A line break or another control character cannot be
// written in a pattern at all (it would start a new rule, such as
// "!dox-key.json"), so such a path is refused.
func escapePattern(p string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c < 0x20 || c == 0x7f:
			return "", fmt.Errorf("the path holds a line break or control character (%q), which a .gitignore pattern cannot express", c)
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
	return s, nil
}

// appendLine adds line to the .gitignore at p (created when missing), with
// the file's own line ending, through userfile: a regular file, replaced
// atomically, never written through a link that leads out of the work tree
// root. undo restores the file as it was, unless it changed meanwhile.
func appendLine(ctx context.Context, p, root, line string) (undo func() error, err error) {
	var old, written []byte
	res, err := userfile.Update(ctx, p, []string{root}, func(src []byte, _ bool) ([]byte, error) {
		old = src
		eol := "\n"
		if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
			eol = "\r\n"
		}
		text := string(src)
		if text != "" && !strings.HasSuffix(text, "\n") {
			text += eol
		}
		written = []byte(text + line + eol)
		return written, nil
	})
	if err != nil {
		return nil, err
	}
	undo = func() error {
		// A fresh context: the undo must happen even when ctx ended.
		bg := context.WithoutCancel(ctx)
		if res.Created {
			cur, _, err := userfile.Read(bg, res.Target, userfile.MaxSize)
			if err == nil && bytes.Equal(cur, written) {
				err = os.Remove(res.Target)
			} else if err == nil {
				err = errors.New("it changed meanwhile")
			}
			if err != nil {
				return fmt.Errorf("%s could not be removed again (%v)", p, userfile.Bare(err))
			}
			return nil
		}
		_, err := userfile.Update(bg, p, []string{root}, func(cur []byte, _ bool) ([]byte, error) {
			if !bytes.Equal(cur, written) {
				return nil, errors.New("it changed meanwhile")
			}
			return old, nil
		})
		if err != nil {
			return fmt.Errorf("the line %s could not be taken out of %s again (%v)", line, p, err)
		}
		return nil
	}
	return undo, nil
}
