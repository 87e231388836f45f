package commands

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/doxls/doxls/internal/userfile"
)

// DefaultRequestFile is the name doxls.newRequestFile and "doxls init" give
// a new request file.
const DefaultRequestFile = "dox.http"

// maxCandidates bounds the numbered names tried (dox.http … dox-99.http).
const maxCandidates = 99

// CheckFileName reports a name that cannot be a new request file: it must
// be a plain file name (no folder) ending in .http or .rest.
func CheckFileName(name string) error {
	ext := strings.ToLower(filepath.Ext(name))
	if name != filepath.Base(name) || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return fmt.Errorf("name %q must be a file name without a folder", name)
	}
	if ext != ".http" && ext != ".rest" {
		return fmt.Errorf("name %q must end in .http or .rest", name)
	}
	return nil
}

// candidates lists dox.http, dox-2.http, dox-3.http, … for name.
func candidates(name string) []string {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	out := []string{name}
	for i := 2; i <= maxCandidates; i++ {
		out = append(out, fmt.Sprintf("%s-%d%s", stem, i, ext))
	}
	return out
}

// FreeName returns the path of the first of name's candidates in dir that
// does not exist, for a client that creates the file itself. A dir reached
// through a symbolic link must lie inside roots (docs/security-files.md).
func FreeName(dir string, roots []string, name string) (string, error) {
	if err := checkFolder(dir, roots); err != nil {
		return "", err
	}
	for _, c := range candidates(name) {
		p := filepath.Join(dir, c)
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			return p, nil
		} else if err != nil {
			return "", fmt.Errorf("cannot look at %s: %v", p, userfile.Bare(err))
		}
	}
	return "", tooMany(dir, name)
}

// CreateFile writes content to the first of name's candidates in dir that
// does not exist yet and returns its path. It never replaces a file: the
// name is claimed with O_EXCL, so a file that appears meanwhile is skipped.
// A dir reached through a symbolic link must lie inside roots.
func CreateFile(dir string, roots []string, name string, content []byte) (string, error) {
	if err := checkFolder(dir, roots); err != nil {
		return "", err
	}
	for _, c := range candidates(name) {
		p := filepath.Join(dir, c)
		err := userfile.Create(p, content)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		return p, nil
	}
	return "", tooMany(dir, name)
}

// WriteSample puts the placeholder document the upload request sends into
// dir, unless a file of that name is there already (the user's own).
func WriteSample(dir string) error {
	if err := userfile.Create(filepath.Join(dir, SampleName), samplePDF()); !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}

// checkFolder: dir must be a folder, and one a link leads to must be inside roots.
func checkFolder(dir string, roots []string) error {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("folder %s does not exist", dir)
		}
		return fmt.Errorf("cannot use folder %s: %v", dir, userfile.Bare(err))
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	_, err = userfile.Confine(dir, roots)
	return err
}

func tooMany(dir, name string) error {
	return fmt.Errorf("%s already holds %s and %d numbered variants; pick another name", dir, name, maxCandidates-1)
}
