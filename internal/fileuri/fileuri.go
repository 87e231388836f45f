// Package fileuri turns file URIs into paths and back, and compares paths,
// the way the system the server runs on does: drive letters, `%3A` and UNC
// shares on Windows, file names that differ only in case naming one file on
// Windows and (by default) macOS. See docs/install.md.
//
// Every function exists twice: as a method of a Flavour, pure and testable
// with Windows- and macOS-shaped input on any machine, and as a plain
// function for the system the program runs on.
package fileuri

import (
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

// Flavour is how a system spells paths and compares file names.
type Flavour struct {
	// Windows: drive letters, `\` separators, UNC paths (\\server\share).
	Windows bool
	// FoldCase: names that differ only in case are one file.
	FoldCase bool
}

var (
	Windows = Flavour{Windows: true, FoldCase: true}
	// Darwin is macOS with its default, case-insensitive file system.
	Darwin = Flavour{FoldCase: true}
	Unix   = Flavour{}
)

// Native is the flavour of the system the program runs on.
var Native = native(runtime.GOOS)

func native(goos string) Flavour {
	switch goos {
	case "windows":
		return Windows
	case "darwin", "ios":
		return Darwin
	}
	return Unix
}

// IsFile reports whether s is a file URI rather than a path.
func IsFile(s string) bool {
	return len(s) >= 5 && strings.EqualFold(s[:5], "file:")
}

// ToPath is the path a file URI names: `file:///c%3A/Users/me/dox.http`
// and `file:///C:/Users/me/dox.http` are `C:\Users\me\dox.http` on Windows,
// `file://server/share/x` is `\\server\share\x`.
func (f Flavour) ToPath(uri string) (string, error) {
	if !IsFile(uri) {
		return "", fmt.Errorf("%q is not a file URI", uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Opaque != "" || u.Path == "" {
		return "", fmt.Errorf("%q is not a file URI", uri)
	}
	if strings.ContainsRune(u.Path, 0) {
		return "", fmt.Errorf("%q is not a file URI: it holds a NUL", uri)
	}
	host := u.Host
	if strings.EqualFold(host, "localhost") {
		host = ""
	}
	if !f.Windows {
		if host != "" {
			return "", fmt.Errorf("%q names a file on host %s; doxls reads local files only", uri, host)
		}
		return u.Path, nil
	}
	p := u.Path
	if hasDrive(host) { // file://C:/x, a malformed spelling some tools write
		p, host = "/"+host+p, ""
	}
	switch {
	case host != "":
		p = "//" + host + p
	case hasDrive(p[1:]):
		// A Windows URI's path is /c:/x; the path is C:\x, its drive
		// letter upper-case as Windows itself prints it.
		p = strings.ToUpper(p[1:2]) + p[2:]
		if len(p) == 2 {
			p += "/"
		}
	}
	return strings.ReplaceAll(p, "/", `\`), nil
}

// FromPath is the URI VS Code uses for an absolute path: a lower-case drive
// letter with its colon as `%3A`, `file://server/share/x` for UNC, and every
// byte other than letters, digits, `-._~` and `/` percent-escaped.
func (f Flavour) FromPath(p string) string {
	if !f.Windows {
		return "file://" + escape(p)
	}
	p = strings.ReplaceAll(p, `\`, "/")
	switch {
	case strings.HasPrefix(p, "//"):
		host, rest, _ := strings.Cut(p[2:], "/")
		return "file://" + escape(strings.ToLower(host)) + escape("/"+rest)
	case hasDrive(p):
		return "file:///" + strings.ToLower(p[:1]) + "%3A" + escape(p[2:])
	}
	return "file://" + escape(p)
}

// hasDrive reports whether p starts with a drive letter and its colon.
func hasDrive(p string) bool {
	if len(p) < 2 || p[1] != ':' {
		return false
	}
	c := p[0] | 0x20
	return 'a' <= c && c <= 'z' && (len(p) == 2 || p[2] == '/' || p[2] == '\\')
}

// escape percent-escapes s as VS Code's URI.toString does.
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// split is p cleaned and cut into its volume (`C:`, `//server/share`, or ""
// for a rooted Unix path) and its slash-separated names; rooted tells
// `\x` and `/x` from `x`.
func (f Flavour) split(p string) (vol string, names []string, rooted bool) {
	rooted = strings.HasPrefix(p, "/") || f.Windows && strings.HasPrefix(p, `\`)
	if f.Windows {
		p = strings.ReplaceAll(p, `\`, "/")
		switch {
		case strings.HasPrefix(p, "//"):
			parts := strings.SplitN(p[2:], "/", 3)
			if len(parts) >= 2 {
				vol = "//" + parts[0] + "/" + parts[1]
				p = "/"
				if len(parts) == 3 {
					p += parts[2]
				}
			}
		case hasDrive(p):
			vol, p, rooted = strings.ToUpper(p[:1])+":", p[2:], true
		}
	}
	p = path.Clean("/" + p)
	if p == "/" {
		return vol, nil, rooted
	}
	return vol, strings.Split(p[1:], "/"), rooted
}

func (f Flavour) same(a, b string) bool {
	if f.FoldCase {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// Rel is p relative to folder, with the flavour's separator, when p is
// folder itself (".") or inside it; ok is false otherwise. Names compare
// case-insensitively where the file system does.
func (f Flavour) Rel(folder, p string) (rel string, ok bool) {
	fv, fn, fr := f.split(folder)
	pv, pn, pr := f.split(p)
	if fr != pr || !f.same(fv, pv) || len(pn) < len(fn) {
		return "", false
	}
	for i, n := range fn {
		if !f.same(n, pn[i]) {
			return "", false
		}
	}
	if len(pn) == len(fn) {
		return ".", true
	}
	sep := "/"
	if f.Windows {
		sep = `\`
	}
	return strings.Join(pn[len(fn):], sep), true
}

// Within reports whether p is folder or inside it.
func (f Flavour) Within(folder, p string) bool {
	_, ok := f.Rel(folder, p)
	return ok
}

// Same reports whether a and b are spellings of one path.
func (f Flavour) Same(a, b string) bool {
	return f.Within(a, b) && f.Within(b, a)
}

// Key is the form under which two URIs of one file are equal (a file URI
// as VS Code writes it, in lower case where names fold), so that a
// document the client opened is found from a path the server computed.
// Anything else is returned as it is.
func (f Flavour) Key(uri string) string {
	p, err := f.ToPath(uri)
	if err != nil {
		return uri
	}
	vol, names, _ := f.split(p)
	k := f.FromPath(vol + "/" + strings.Join(names, "/"))
	if f.FoldCase {
		k = strings.ToLower(k)
	}
	return k
}

// ToPath is Native.ToPath.
func ToPath(uri string) (string, error) { return Native.ToPath(uri) }

// FromPath is Native.FromPath on p made absolute.
func FromPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return Native.FromPath(p)
}

// PathOf is s itself when it is a path, else the path the file URI names.
func PathOf(s string) (string, error) {
	if !IsFile(s) {
		return s, nil
	}
	return ToPath(s)
}

// Rel is Native.Rel.
func Rel(folder, p string) (string, bool) { return Native.Rel(folder, p) }

// Within is Native.Within.
func Within(folder, p string) bool { return Native.Within(folder, p) }

// Same is Native.Same.
func Same(a, b string) bool { return Native.Same(a, b) }

// Key is Native.Key.
func Key(uri string) string { return Native.Key(uri) }
