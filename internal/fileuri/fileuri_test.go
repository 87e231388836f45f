package fileuri

import (
	"path/filepath"
	"runtime"
	"testing"
)

func TestToPath(t *testing.T) {
	for _, c := range []struct {
		f         Flavour
		uri, want string
	}{
		// What VS Code on Windows sends, and what Neovim and others write.
		{Windows, "file:///c%3A/Users/me/dox.http", `C:\Users\me\dox.http`},
		{Windows, "file:///C:/Users/me/dox.http", `C:\Users\me\dox.http`},
		{Windows, "file:///c%3a/Users/me/dox.http", `C:\Users\me\dox.http`},
		{Windows, "file:///z%3A/tmp/doxls-win-1/a%20b%2Bc%21.http", `Z:\tmp\doxls-win-1\a b+c!.http`},
		{Windows, "file:///c%3A", `C:\`},
		{Windows, "file:///c%3A/", `C:\`},
		{Windows, "file://C:/Users/me/dox.http", `C:\Users\me\dox.http`},
		{Windows, "file://server/share/x/dox.http", `\\server\share\x\dox.http`},
		{Windows, "file://server/c%24/x", `\\server\c$\x`},
		{Windows, "file://localhost/c%3A/x", `C:\x`},
		{Windows, "file:///c%3A/%C3%BCber/d%C3%B6x.http", `C:\über\döx.http`},
		{Windows, "FILE:///c%3A/x", `C:\x`},
		// macOS and Linux.
		{Darwin, "file:///Users/me/My%20Keys/dox.http", "/Users/me/My Keys/dox.http"},
		{Unix, "file:///home/me/100%25/a%23b.http", "/home/me/100%/a#b.http"},
		{Unix, "file://localhost/home/me/x.http", "/home/me/x.http"},
		{Unix, "file:///c%3A/x", "/c:/x"},
	} {
		got, err := c.f.ToPath(c.uri)
		if err != nil || got != c.want {
			t.Errorf("%+v ToPath(%q) = %q, %v; want %q", c.f, c.uri, got, err, c.want)
		}
	}
}

func TestToPathRefuses(t *testing.T) {
	for _, c := range []struct {
		f   Flavour
		uri string
	}{
		{Unix, "file://server/share/x"},
		{Unix, "untitled:Untitled-1"},
		{Unix, "/home/me/x.http"},
		{Unix, "file:"},
		{Unix, "file:///a%zzb"},
		{Unix, "file:///a%00b"},
		{Windows, "file:c:/x"},
		{Windows, "https://example.com/x"},
	} {
		if got, err := c.f.ToPath(c.uri); err == nil {
			t.Errorf("%+v ToPath(%q) = %q, want an error", c.f, c.uri, got)
		}
	}
}

func TestFromPath(t *testing.T) {
	for _, c := range []struct {
		f          Flavour
		path, want string
	}{
		{Windows, `C:\Users\me\dox.http`, "file:///c%3A/Users/me/dox.http"},
		{Windows, `c:/Users/me/dox.http`, "file:///c%3A/Users/me/dox.http"},
		{Windows, `Z:\tmp\a b+c!.http`, "file:///z%3A/tmp/a%20b%2Bc%21.http"},
		{Windows, `C:\`, "file:///c%3A/"},
		{Windows, `\\Server\share\x\dox.http`, "file://server/share/x/dox.http"},
		{Windows, `\\server\c$\x`, "file://server/c%24/x"},
		{Windows, `C:\über\döx.http`, "file:///c%3A/%C3%BCber/d%C3%B6x.http"},
		{Darwin, "/Users/me/My Keys/dox.http", "file:///Users/me/My%20Keys/dox.http"},
		{Unix, "/home/me/100%/a#b?.http", "file:///home/me/100%25/a%23b%3F.http"},
		{Unix, "/home/me/key:1.json", "file:///home/me/key%3A1.json"},
	} {
		if got := c.f.FromPath(c.path); got != c.want {
			t.Errorf("%+v FromPath(%q) = %q, want %q", c.f, c.path, got, c.want)
		}
	}
}

// A path that goes out as a URI comes back as itself.
func TestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		f    Flavour
		path string
	}{
		{Windows, `C:\Users\me\a b\#1;x=y&z@w.http`},
		{Windows, `\\server\share\dox\keys.json`},
		{Darwin, "/Users/me/[draft] (1)/dox.http"},
		{Unix, "/tmp/%41/é/x.http"},
	} {
		got, err := c.f.ToPath(c.f.FromPath(c.path))
		if err != nil || got != c.path {
			t.Errorf("%+v: %q → %q → %q, %v", c.f, c.path, c.f.FromPath(c.path), got, err)
		}
	}
}

func TestRel(t *testing.T) {
	for _, c := range []struct {
		f            Flavour
		folder, path string
		want         string
		ok           bool
	}{
		{Windows, `C:\Users\me\ws`, `c:\users\ME\WS\keys\dox.json`, `keys\dox.json`, true},
		{Windows, `C:\Users\me\ws`, `C:/Users/me/ws/a.http`, `a.http`, true},
		{Windows, `C:\Users\me\ws\`, `C:\Users\me\ws`, `.`, true},
		{Windows, `C:\Users\me\ws`, `C:\Users\me\ws2\a.http`, "", false},
		{Windows, `C:\Users\me\ws`, `D:\Users\me\ws\a.http`, "", false},
		{Windows, `C:\Users\me\ws`, `C:\Users\me\ws\..\other\a.http`, "", false},
		{Windows, `\\server\share\ws`, `\\SERVER\Share\ws\a.http`, `a.http`, true},
		{Windows, `\\server\share`, `\\server\other\a.http`, "", false},
		{Windows, `C:\`, `C:\a\b.http`, `a\b.http`, true},
		{Darwin, "/Users/me/WS", "/users/me/ws/Keys/k.json", "Keys/k.json", true},
		{Unix, "/home/me/WS", "/home/me/ws/k.json", "", false},
		{Unix, "/home/me/ws", "/home/me/ws/k.json", "k.json", true},
		{Unix, "/home/me/ws", "/home/me/wsx/k.json", "", false},
		{Unix, "/", "/k.json", "k.json", true},
		{Unix, "/home/me/ws", "home/me/ws/k.json", "", false},
	} {
		got, ok := c.f.Rel(c.folder, c.path)
		if got != c.want || ok != c.ok {
			t.Errorf("%+v Rel(%q, %q) = %q, %v; want %q, %v", c.f, c.folder, c.path, got, ok, c.want, c.ok)
		}
	}
}

func TestSame(t *testing.T) {
	for _, c := range []struct {
		f    Flavour
		a, b string
		want bool
	}{
		{Windows, `C:\Users\me\dox.json`, `c:/users/me/DOX.json`, true},
		{Windows, `C:\Users\me\dox.json`, `C:\Users\me\dox.json.bak`, false},
		{Darwin, "/Users/me/Dox.json", "/Users/me/dox.json", true},
		{Unix, "/home/me/Dox.json", "/home/me/dox.json", false},
		{Unix, "/home/me/./dox.json", "/home/me/dox.json", true},
	} {
		if got := c.f.Same(c.a, c.b); got != c.want {
			t.Errorf("%+v Same(%q, %q) = %v", c.f, c.a, c.b, got)
		}
	}
}

// The URI VS Code sends and the one Neovim sends for one file have one key,
// as has the URI the server builds from that file's path.
func TestKey(t *testing.T) {
	for _, c := range []struct {
		f    Flavour
		a, b string
		want bool
	}{
		{Windows, "file:///c%3A/Users/me/dox.http", "file:///C:/Users/me/dox.http", true},
		{Windows, "file:///c%3A/Users/me/dox.http", Windows.FromPath(`C:\users\me\DOX.http`), true},
		{Windows, "file:///c%3A/Users/me/dox.http", "file:///c%3A/Users/me/dox2.http", false},
		{Darwin, "file:///Users/me/Dox.http", "file:///users/me/dox.http", true},
		{Unix, "file:///home/me/Dox.http", "file:///home/me/dox.http", false},
		{Unix, "file:///home/me/a%20b.http", "file:///home/me/a b.http", true},
		{Unix, "untitled:Untitled-1", "untitled:Untitled-1", true},
	} {
		if got := c.f.Key(c.a) == c.f.Key(c.b); got != c.want {
			t.Errorf("%+v Key(%q) = %q, Key(%q) = %q", c.f, c.a, c.f.Key(c.a), c.b, c.f.Key(c.b))
		}
	}
}

func TestNative(t *testing.T) {
	if native("windows") != Windows || native("darwin") != Darwin || native("linux") != Unix {
		t.Fatal("wrong flavour for a system")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "a b.http")
	got, err := ToPath(FromPath(p))
	if err != nil || got != p {
		t.Fatalf("%q → %q → %q, %v", p, FromPath(p), got, err)
	}
	if runtime.GOOS == "windows" && FromPath(p)[:9] != "file:///"+string(p[0]|0x20) {
		t.Fatalf("FromPath(%q) = %q, want a lower-case drive letter", p, FromPath(p))
	}
	if path, err := PathOf(p); err != nil || path != p {
		t.Fatalf("PathOf(%q) = %q, %v", p, path, err)
	}
}
