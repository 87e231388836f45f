package auth

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/doxls/doxls/internal/fileuri"
	"github.com/doxls/doxls/internal/userfile"
)

// DiscoverOptions narrows discovery.
type DiscoverOptions struct {
	Patterns []string // files or globs relative to the folder ("**" spans folders); empty: scan
}

// skipDirs are never scanned: version control, dependencies and build
// output, which are large and hold copies rather than the user's keys.
var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, "node_modules": true, "vendor": true,
	"dist": true, "build": true, "out": true, "target": true, "bin": true, "obj": true,
	"gen": true, "mta_archives": true, ".venv": true, "__pycache__": true,
}

// Discover finds keys below folder. Files that look like keys but fail to
// parse come back as errors (one per file); other files are ignored. Keys
// are sorted by ID, which is the path relative to folder with forward
// slashes.
func Discover(folder string, opts DiscoverOptions) ([]*ServiceKey, []error) {
	abs, err := filepath.Abs(folder)
	if err != nil {
		return nil, []error{&KeyError{Name: folder, Problem: err.Error()}}
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		problem := "is not a folder"
		if err != nil {
			problem = fileProblem(err)
		}
		return nil, []error{&KeyError{Name: folder, Problem: problem}}
	}
	d := &discovery{root: abs, seen: map[string]bool{}}
	if len(opts.Patterns) == 0 {
		d.scan(abs, nil)
	}
	for _, p := range opts.Patterns {
		d.pattern(p)
	}
	sort.Slice(d.keys, func(i, j int) bool { return d.keys[i].ID < d.keys[j].ID })
	return d.keys, d.errs
}

type discovery struct {
	root string
	seen map[string]bool
	keys []*ServiceKey
	errs []error
}

// scan walks dir and tries every *.json and *.txt file (or, with match,
// every file whose path matches).
func (d *discovery) scan(dir string, match func(path string) bool) {
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable folder: nothing to find there
		}
		if e.IsDir() {
			if p != dir && skipDirs[e.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		if match != nil {
			if match(p) {
				d.try(p, true)
			}
			return nil
		}
		// A link may lead to a key kept elsewhere; what it leads to is
		// checked when it is read. A FIFO, device or socket is no key.
		if !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		if ext := strings.ToLower(filepath.Ext(p)); ext == ".json" || ext == ".txt" {
			d.try(p, true)
		}
		return nil
	})
}

// pattern adds the files a setting names: a plain path must be a key, a
// glob adds the matching files that look like keys.
func (d *discovery) pattern(pat string) {
	full := pat
	if !filepath.IsAbs(full) {
		full = filepath.Join(d.root, filepath.FromSlash(pat))
	}
	if !strings.ContainsAny(pat, "*?[") {
		d.try(full, false)
		return
	}
	if !strings.Contains(pat, "**") {
		matches, err := filepath.Glob(full)
		if err != nil {
			d.errs = append(d.errs, &KeyError{Name: pat, Problem: "is not a valid glob pattern"})
		}
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() {
				d.try(m, true)
			}
		}
		return
	}
	// Walk from the folder before the first wildcard, matching slash paths.
	base := filepath.Dir(full[:strings.IndexAny(full, "*?[")])
	want := filepath.ToSlash(full)
	d.scan(base, func(p string) bool { return matchGlob(want, filepath.ToSlash(p)) })
}

// rel is the id of a file: relative to the root with forward slashes, or
// the absolute path for a file outside the root.
func (d *discovery) rel(p string) string {
	r, ok := fileuri.Rel(d.root, p)
	if !ok {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}

// try parses one file. With precheck, files that are too big or do not
// mention "clientid" are skipped silently as not being keys.
func (d *discovery) try(p string, precheck bool) {
	if d.seen[p] {
		return
	}
	d.seen[p] = true
	id := d.rel(p)
	if precheck {
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() || st.Size() > maxKeySize {
			return
		}
	}
	data, err := readKeyFile(p)
	if precheck && errors.Is(err, userfile.ErrNotRegular) {
		return // swapped for a FIFO or device since the look: no key
	}
	if err != nil {
		if ke, ok := err.(*KeyError); ok {
			ke.Name = id
		}
		d.errs = append(d.errs, err)
		return
	}
	if precheck && !bytes.Contains(data, []byte(`"clientid"`)) {
		return
	}
	k, err := ParseKey(id, data)
	if err != nil {
		d.errs = append(d.errs, err)
		return
	}
	k.Path = p
	d.keys = append(d.keys, k)
}

// matchGlob matches a slash path against a pattern whose "**" segments
// stand for any number of folders.
func matchGlob(pattern, name string) bool {
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegments(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
