package auth

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tree writes files (slash paths relative to a temp folder) and returns the folder.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func ids(keys []*ServiceKey) string {
	var s []string
	for _, k := range keys {
		s = append(s, k.ID)
	}
	return strings.Join(s, " ")
}

func errTexts(errs []error) string {
	var s []string
	for _, e := range errs {
		s = append(s, e.Error())
	}
	return strings.Join(s, "\n")
}

func TestDiscover(t *testing.T) {
	cockpit, _ := os.ReadFile("testdata/keys/cockpit.json")
	cf, _ := os.ReadFile("testdata/keys/cf-v8.txt")
	key := string(cockpit)
	dir := tree(t, map[string]string{
		"dox-key.json":                  key,
		"keys/cf output.txt":            string(cf),
		"keys/nested/deep/prod.JSON":    key,
		"package.json":                  `{"name": "app", "dependencies": {}}`,
		"notes.txt":                     "clientid is in the key file",
		"README.md":                     key, // not *.json or *.txt
		"broken.json":                   "{\n  \"uaa\": {\"clientid\": \"x\",\n}",
		"nokey.json":                    `{"clientid": "x", "url": "https://u"}`,
		"big.json":                      key + strings.Repeat(" ", 1<<20),
		".git/config.json":              key,
		"node_modules/x/key.json":       key,
		"vendor/key.json":               key,
		"dist/key.json":                 key,
		"build/key.json":                key,
		"out/key.json":                  key,
		"target/key.json":               key,
		"bin/key.json":                  key,
		"app/node_modules/lib/key.json": key,
	})
	keys, errs := Discover(dir, DiscoverOptions{})
	if got, want := ids(keys), "dox-key.json keys/cf output.txt keys/nested/deep/prod.JSON"; got != want {
		t.Errorf("ids = %q, want %q", got, want)
	}
	for _, k := range keys {
		if k.Path != filepath.Join(dir, filepath.FromSlash(k.ID)) || k.UAA.ClientID != testClientID {
			t.Errorf("%s: Path %q, client %q", k.ID, k.Path, k.UAA.ClientID)
		}
	}
	want := "broken.json:3:1: invalid JSON: invalid character '}' looking for beginning of object key string\nnokey.json: clientsecret is missing"
	if got := errTexts(errs); got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
}

func TestDiscoverPatterns(t *testing.T) {
	cockpit, _ := os.ReadFile("testdata/keys/cockpit.json")
	key := string(cockpit)
	dir := tree(t, map[string]string{
		"a.json":           key,
		"keys/dev.json":    key,
		"keys/prod.json":   key,
		"keys/x/qa.json":   key,
		"keys/readme.json": `{"name": "x"}`,
		"secrets/dox.key":  key, // any name when named explicitly
		"other/b.json":     key,
	})
	outside := tree(t, map[string]string{"k.json": key})
	for _, tc := range []struct {
		patterns []string
		ids      string
		errs     string
	}{
		{[]string{"keys/*.json"}, "keys/dev.json keys/prod.json", ""},
		{[]string{"keys/**/*.json"}, "keys/dev.json keys/prod.json keys/x/qa.json", ""},
		{[]string{"**/prod.json", "secrets/dox.key"}, "keys/prod.json secrets/dox.key", ""},
		{[]string{"a.json", "a.json", "*.json"}, "a.json", ""},
		{[]string{"keys/readme.json"}, "", "keys/readme.json: has no uaa object and no clientid: not a service key"},
		{[]string{"missing.json"}, "", "missing.json: no such file"},
		{[]string{filepath.Join(outside, "k.json")}, filepath.ToSlash(filepath.Join(outside, "k.json")), ""},
	} {
		t.Run(fmt.Sprint(tc.patterns), func(t *testing.T) {
			keys, errs := Discover(dir, DiscoverOptions{Patterns: tc.patterns})
			if got := ids(keys); got != tc.ids {
				t.Errorf("ids = %q, want %q", got, tc.ids)
			}
			if got := errTexts(errs); got != tc.errs {
				t.Errorf("errors = %q, want %q", got, tc.errs)
			}
		})
	}
}

func TestDiscoverNoFolder(t *testing.T) {
	_, errs := Discover(filepath.Join(t.TempDir(), "nope"), DiscoverOptions{})
	if len(errs) != 1 || !strings.HasSuffix(errs[0].Error(), "nope: no such file") {
		t.Errorf("errors = %v", errs)
	}
}

func TestMatchGlob(t *testing.T) {
	for _, tc := range []struct {
		pat, name string
		want      bool
	}{
		{"**/*.json", "a.json", true},
		{"**/*.json", "a/b/c.json", true},
		{"a/**/c.json", "a/c.json", true},
		{"a/**/c.json", "a/b/x/c.json", true},
		{"a/*/c.json", "a/b/x/c.json", false},
		{"a/**", "a/b/c", true},
		{"*.json", "a/b.json", false},
	} {
		if got := matchGlob(tc.pat, tc.name); got != tc.want {
			t.Errorf("matchGlob(%q, %q) = %v", tc.pat, tc.name, got)
		}
	}
}
