// Package dist checks the files make vsix and make release write: every
// .vsix names its VS Code target and carries a server of that platform's
// format and architecture (the universal one none), every archive holds the
// same binary, SHA256SUMS covers them all, and the Mason package names the
// archives. DOXLS_DIST names the folder and DOXLS_DIST_VERSION the version;
// make release and scripts/release-check.sh set both.
package dist

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// target is a VS Code target and what its server must be.
type target struct {
	name, goos, goarch string
}

var targets = []target{
	{"linux-x64", "linux", "amd64"},
	{"linux-arm64", "linux", "arm64"},
	{"alpine-x64", "linux", "amd64"},
	{"darwin-x64", "darwin", "amd64"},
	{"darwin-arm64", "darwin", "arm64"},
	{"win32-x64", "windows", "amd64"},
	{"win32-arm64", "windows", "arm64"},
}

func (t target) exe() string {
	if t.goos == "windows" {
		return "doxls.exe"
	}
	return "doxls"
}

func dist(t *testing.T) (dir, version string) {
	dir, version = os.Getenv("DOXLS_DIST"), os.Getenv("DOXLS_DIST_VERSION")
	if dir == "" || version == "" {
		t.Skip("DOXLS_DIST and DOXLS_DIST_VERSION are not set: scripts/release-check.sh runs this on what make release wrote")
	}
	return dir, version
}

func TestVSIX(t *testing.T) {
	dir, version := dist(t)
	for _, tg := range append(targets, target{name: "universal"}) {
		t.Run(tg.name, func(t *testing.T) {
			z, err := zip.OpenReader(filepath.Join(dir, fmt.Sprintf("doxls-%s-%s.vsix", version, tg.name)))
			if err != nil {
				t.Fatal(err)
			}
			defer z.Close()
			var m struct {
				Metadata struct {
					Identity struct {
						Version        string `xml:",attr"`
						TargetPlatform string `xml:",attr"`
					}
				}
			}
			if err := xml.Unmarshal(read(t, &z.Reader, "extension.vsixmanifest"), &m); err != nil {
				t.Fatal(err)
			}
			id := m.Metadata.Identity
			want := tg.name
			if tg.goos == "" {
				want = "" // runs anywhere
			}
			if id.TargetPlatform != want || id.Version != version {
				t.Errorf("manifest: target %q version %q, want %q %q", id.TargetPlatform, id.Version, want, version)
			}
			var servers []string
			for _, f := range z.File {
				if strings.HasPrefix(f.Name, "extension/server/") {
					servers = append(servers, f.Name)
				}
			}
			if tg.goos == "" {
				if len(servers) != 0 {
					t.Errorf("the universal .vsix carries %v", servers)
				}
				return
			}
			if len(servers) != 1 || servers[0] != "extension/server/"+tg.exe() {
				t.Fatalf("server files %v, want extension/server/%s alone", servers, tg.exe())
			}
			checkBinary(t, tg, read(t, &z.Reader, servers[0]))
		})
	}
}

func TestArchives(t *testing.T) {
	dir, version := dist(t)
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			name := filepath.Join(dir, fmt.Sprintf("doxls-%s-%s", version, tg.name))
			var files map[string][]byte
			if tg.goos == "windows" {
				files = unzip(t, name+".zip")
			} else {
				files = untar(t, name+".tar.gz")
			}
			bin, ok := files[tg.exe()]
			if !ok || len(files["LICENSE"]) == 0 {
				t.Fatalf("%s holds %d files without %s or LICENSE", name, len(files), tg.exe())
			}
			checkBinary(t, tg, bin)
			z, err := zip.OpenReader(filepath.Join(dir, fmt.Sprintf("doxls-%s-%s.vsix", version, tg.name)))
			if err != nil {
				t.Fatal(err)
			}
			defer z.Close()
			if !bytes.Equal(bin, read(t, &z.Reader, "extension/server/"+tg.exe())) {
				t.Errorf("the archive's %s differs from the one in the .vsix", tg.exe())
			}
			if tg.goos == runtime.GOOS && tg.goarch == runtime.GOARCH {
				p := filepath.Join(t.TempDir(), tg.exe())
				if err := os.WriteFile(p, bin, 0o755); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command(p, "version").Output()
				if want := "doxls " + version + "\n"; err != nil || string(out) != want {
					t.Errorf("%s version: %q %v, want %q", tg.exe(), out, err, want)
				}
			}
		})
	}
}

// Every file in dist is in SHA256SUMS with its hash, as sha256sum -c reads it.
func TestChecksums(t *testing.T) {
	dir, _ := dist(t)
	f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 || strings.ContainsAny(name, `/\`) {
			t.Fatalf("SHA256SUMS line %q is not `<hash>  <file>`", sc.Text())
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s: hash differs from SHA256SUMS", name)
		}
		listed[name] = true
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "SHA256SUMS" && !listed[e.Name()] {
			t.Errorf("%s is not in SHA256SUMS", e.Name())
		}
	}
	if want := 2*len(targets) + 1; len(listed) != want {
		t.Errorf("SHA256SUMS lists %d files, want %d (an archive and a .vsix per target, the universal .vsix)", len(listed), want)
	}
}

// checkBinary: the executable format, the architecture, and (ELF) static.
func checkBinary(t *testing.T, tg target, bin []byte) {
	t.Helper()
	r := bytes.NewReader(bin)
	switch tg.goos {
	case "linux":
		f, err := elf.NewFile(r)
		if err != nil {
			t.Fatalf("not ELF: %v", err)
		}
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[tg.goarch]
		if f.Machine != want {
			t.Errorf("ELF machine %v, want %v", f.Machine, want)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
				t.Errorf("dynamically linked (%v): it would not run on musl or old glibc", p.Type)
			}
		}
	case "darwin":
		f, err := macho.NewFile(r)
		if err != nil {
			t.Fatalf("not Mach-O: %v", err)
		}
		want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[tg.goarch]
		if f.Cpu != want || f.Type != macho.TypeExec {
			t.Errorf("Mach-O cpu %v type %v, want %v executable", f.Cpu, f.Type, want)
		}
	case "windows":
		f, err := pe.NewFile(r)
		if err != nil {
			t.Fatalf("not PE: %v", err)
		}
		want := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[tg.goarch]
		if f.Machine != want || f.Characteristics&pe.IMAGE_FILE_EXECUTABLE_IMAGE == 0 {
			t.Errorf("PE machine %#x characteristics %#x, want %#x executable", f.Machine, f.Characteristics, want)
		}
	}
}

func read(t *testing.T, z *zip.Reader, name string) []byte {
	t.Helper()
	f, err := z.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func unzip(t *testing.T, name string) map[string][]byte {
	t.Helper()
	z, err := zip.OpenReader(name)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	out := map[string][]byte{}
	for _, f := range z.File {
		out[f.Name] = read(t, &z.Reader, f.Name)
	}
	return out
}

func untar(t *testing.T, name string) map[string][]byte {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == "doxls" && h.Mode&0o111 == 0 {
			t.Errorf("doxls in %s is not executable (mode %o)", name, h.Mode)
		}
		b, _ := io.ReadAll(tr)
		out[h.Name] = b
	}
}
