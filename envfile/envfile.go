// Package envfile keeps a token in the environment files that HTTP clients
// read variables from, so that .http files can say
// "Authorization: Bearer {{doxToken}}" and hold no secret:
//
//   - http-client.private.env.json, the private environment file of the
//     JetBrains HTTP Client, which httpyac reads too (JSON: environment name
//     → variables). Requests use {{doxToken}} and run with an environment
//     selected (httpyac --env dev).
//   - .env, which VS Code REST Client reads through {{$dotenv doxToken}}
//     (and httpyac too).
//
// Edits are one byte span each: every other byte of the file stays as it
// was (formatting, key order, other environments and variables, line
// endings). Files are written atomically.
package envfile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/doxls/doxls/internal/fileuri"
	"github.com/doxls/doxls/internal/userfile"
)

// File names the clients look for.
const (
	PrivateJSON = "http-client.private.env.json"
	PublicJSON  = "http-client.env.json"
	Dotenv      = ".env"
)

// Format is the kind of environment file.
type Format string

const (
	// FormatJSON is http-client.private.env.json (JetBrains HTTP Client,
	// httpyac): requests use {{name}}.
	FormatJSON Format = "json"
	// FormatDotenv is .env (REST Client, httpyac): requests use
	// {{$dotenv name}}.
	FormatDotenv Format = "dotenv"
)

// Ref is how a request refers to variable name kept in a file of format f.
func Ref(f Format, name string) string {
	if f == FormatDotenv {
		return "{{$dotenv " + name + "}}"
	}
	return "{{" + name + "}}"
}

// Edit replaces the bytes [Start, End) of a file with NewText.
type Edit struct {
	Start, End int
	NewText    string
}

// Apply returns src with e applied.
func Apply(src []byte, e Edit) []byte {
	out := make([]byte, 0, len(src)-(e.End-e.Start)+len(e.NewText))
	out = append(out, src[:e.Start]...)
	out = append(out, e.NewText...)
	return append(out, src[e.End:]...)
}

// Set returns the edit that makes name hold value in a file of format f
// (for JSON, in environment env), and false when it already does.
func Set(f Format, src []byte, env, name, value string) (Edit, bool, error) {
	if f == FormatDotenv {
		e, changed := SetDotenv(src, name, value)
		return e, changed, nil
	}
	return SetJSON(src, env, name, value)
}

// Lookup returns the value of name in a file of format f.
func Lookup(f Format, src []byte, env, name string) (string, bool, error) {
	if f == FormatDotenv {
		v, ok := LookupDotenv(src, name)
		return v, ok, nil
	}
	return LookupJSON(src, env, name)
}

// FileName is the file a format's token goes into.
func FileName(f Format) string {
	if f == FormatDotenv {
		return Dotenv
	}
	return PrivateJSON
}

// Locate returns the environment file of format f that the request file
// httpFile uses, and whether it exists. It looks in the request file's
// folder and each parent up to root (the workspace folder or repository;
// "" or a folder that is not above httpFile: the request file's folder
// only), nearest first, as httpyac and REST Client do. Without one, a JSON
// file goes beside the nearest http-client.env.json (the user keeps the
// environments there), else beside the request file.
func Locate(httpFile, root string, f Format) (string, bool) {
	dirs := upTo(filepath.Dir(httpFile), root)
	name := FileName(f)
	for _, d := range dirs {
		if isFile(filepath.Join(d, name)) {
			return filepath.Join(d, name), true
		}
	}
	if f == FormatJSON {
		for _, d := range dirs {
			if isFile(filepath.Join(d, PublicJSON)) {
				return filepath.Join(d, name), false
			}
		}
	}
	return filepath.Join(dirs[0], name), false
}

// upTo lists dir and its parents up to root, nearest first.
func upTo(dir, root string) []string {
	dir = filepath.Clean(dir)
	out := []string{dir}
	if root == "" {
		return out
	}
	root = filepath.Clean(root)
	if !fileuri.Within(root, dir) {
		return out
	}
	for d := dir; !fileuri.Same(d, root); {
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
		out = append(out, d)
	}
	return out
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// ReadFile reads an environment file through userfile (a regular file up
// to userfile.MaxSize); a missing file is empty. Errors name the file.
func ReadFile(path string) ([]byte, bool, error) {
	src, _, err := userfile.Read(context.Background(), path, userfile.MaxSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return src, true, checkText(path, src)
}

// checkText refuses a file that is not UTF-8.
func checkText(path string, src []byte) error {
	if !utf8.Valid(src) {
		return fmt.Errorf("%s is not UTF-8 text; left untouched", path)
	}
	return nil
}

// Values lists the string values of every variable in src: for JSON, the
// members of each environment object; for dotenv, each assignment. A file
// that does not parse has none.
func Values(f Format, src []byte) []string {
	var out []string
	if f == FormatDotenv {
		for _, l := range parseDotenv(src) {
			v := string(src[l.valStart:l.valEnd])
			if l.quoted {
				v = v[1 : len(v)-1]
			}
			out = append(out, v)
		}
		return out
	}
	body, _ := withoutBOM(src)
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	top, err := topObject(body)
	if err != nil {
		return nil
	}
	for _, env := range top.members {
		if body[env.valStart] != '{' {
			continue
		}
		for _, m := range parseObject(body, env.valStart).members {
			var s string
			if body[m.valStart] == '"' && json.Unmarshal(body[m.valStart:m.valEnd], &s) == nil {
				out = append(out, s)
			}
		}
	}
	return out
}
