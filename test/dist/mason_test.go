package dist

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// masonTarget is Mason's name for each platform target; alpine-x64 needs
// none, as Mason's linux_x64 takes the static Linux build on musl too.
var masonTarget = map[string]string{
	"darwin-arm64": "darwin_arm64", "darwin-x64": "darwin_x64",
	"linux-x64": "linux_x64", "linux-arm64": "linux_arm64",
	"win32-x64": "win_x64", "win32-arm64": "win_arm64",
}

// The Mason package names, for each platform, the archive release.sh
// writes for it and the binary inside; with DOXLS_DIST set, the archive is
// there.
func TestMasonPackage(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "packaging", "mason", "doxls", "package.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	for _, want := range []string{"\nname: doxls\n", "\ncategories:\n  - LSP\n", "\n  id: pkg:github/doxls/doxls@v", "\nbin:\n  doxls: \"{{source.asset.bin}}\"\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("package.yaml lacks %q", want)
		}
	}
	assets := regexp.MustCompile(`- target: (\S+)\n\s+file: (.+)\n\s+bin: (\S+)`).FindAllStringSubmatch(text, -1)
	found := map[string]bool{}
	dir, version := os.Getenv("DOXLS_DIST"), os.Getenv("DOXLS_DIST_VERSION")
	for _, tg := range targets {
		mt, ok := masonTarget[tg.name]
		if !ok {
			continue
		}
		ext := ".tar.gz"
		if tg.goos == "windows" {
			ext = ".zip"
		}
		for _, a := range assets {
			if a[1] != mt {
				continue
			}
			found[mt] = true
			if want := `doxls-{{ version | strip_prefix "v" }}-` + tg.name + ext; a[2] != want || a[3] != tg.exe() {
				t.Errorf("%s: file %s bin %s, want %s and %s", mt, a[2], a[3], want, tg.exe())
			}
			if dir != "" && version != "" {
				if _, err := os.Stat(filepath.Join(dir, "doxls-"+version+"-"+tg.name+ext)); err != nil {
					t.Errorf("%s: %v", mt, err)
				}
			}
		}
	}
	if len(found) != len(masonTarget) || len(assets) != len(masonTarget) {
		t.Errorf("assets for %v of %d targets (%d assets)", found, len(masonTarget), len(assets))
	}
}
