package envfile

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/doxls/doxls/internal/testbin"
)

func TestSetDotenvRewritesOnlyTheValue(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"append to a file without final newline", "API=https://dox.example.com", "API=https://dox.example.com\ndoxToken=<T>\n"},
		{"append CRLF", "# secrets\r\nAPI=x\r\n", "# secrets\r\nAPI=x\r\ndoxToken=<T>\r\n"},
		{"new file", "", "doxToken=<T>\n"},
		{"replace bare value, keep comment", "doxToken=old.jwt.value # from the browser\nOTHER=1\n", "doxToken=<T> # from the browser\nOTHER=1\n"},
		{"replace quoted", "export doxToken = \"old\"\r\n", "export doxToken = <T>\r\n"},
		{"last assignment wins", "doxToken=a\ndoxToken=b\n", "doxToken=a\ndoxToken=<T>\n"},
		{"commented out is no assignment", "#doxToken=a\n", "#doxToken=a\ndoxToken=<T>\n"},
		{"similar names", "doxTokenOld=a\nmydoxToken=b\n", "doxTokenOld=a\nmydoxToken=b\ndoxToken=<T>\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, changed := SetDotenv([]byte(tc.src), "doxToken", testToken)
			got := strings.ReplaceAll(string(Apply([]byte(tc.src), e)), testToken, "<T>")
			if !changed || got != tc.want {
				t.Fatalf("got %q (changed %v), want %q", got, changed, tc.want)
			}
			after := Apply([]byte(tc.src), e)
			if v, ok := LookupDotenv(after, "doxToken"); !ok || v != testToken {
				t.Errorf("LookupDotenv after the edit = %q %v", redactIn([]byte(v)), ok)
			}
			if _, again := SetDotenv(after, "doxToken", testToken); again {
				t.Error("a second run changed the file again")
			}
		})
	}
}

func TestLocateFollowsTheClientsSearchOrder(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "api", "dox")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	req := filepath.Join(sub, "dox.http")
	touch := func(p string) {
		t.Helper()
		if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	check := func(f Format, wantPath string, wantExists bool) {
		t.Helper()
		if got, exists := Locate(req, root, f); got != wantPath || exists != wantExists {
			t.Errorf("Locate(%s) = %s %v, want %s %v", f, got, exists, wantPath, wantExists)
		}
	}
	check(FormatJSON, filepath.Join(sub, PrivateJSON), false)
	touch(filepath.Join(root, "api", PublicJSON))
	check(FormatJSON, filepath.Join(root, "api", PrivateJSON), false)
	touch(filepath.Join(root, PrivateJSON))
	check(FormatJSON, filepath.Join(root, PrivateJSON), true)
	touch(filepath.Join(sub, PrivateJSON))
	check(FormatJSON, filepath.Join(sub, PrivateJSON), true)

	check(FormatDotenv, filepath.Join(sub, Dotenv), false)
	touch(filepath.Join(root, Dotenv))
	check(FormatDotenv, filepath.Join(root, Dotenv), true)
	// Above the root nothing counts.
	if got, _ := Locate(req, sub, FormatDotenv); got != filepath.Join(sub, Dotenv) {
		t.Errorf("with root %s: %s", sub, got)
	}
	if got, _ := Locate(req, "", FormatDotenv); got != filepath.Join(sub, Dotenv) {
		t.Errorf("without root: %s", got)
	}
}

func TestUpdateCreatesPrivatelyAndKeepsModes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := filepath.Join(dir, PrivateJSON)
	res, err := Update(ctx, p, []string{dir}, FormatJSON, "dev", "doxToken", testToken)
	if err != nil || !res.Changed || !res.Created {
		t.Fatalf("Update on a new file: %+v %v", res, err)
	}
	unixModes := runtime.GOOS != "windows" // Windows keeps no mode bits
	if st, err := os.Stat(p); err != nil || unixModes && st.Mode().Perm() != 0o600 {
		t.Errorf("a new env file has mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	res, err = Update(ctx, p, []string{dir}, FormatJSON, "prod", "doxToken", testToken)
	if err != nil || !res.Changed || res.Created {
		t.Fatalf("Update on an existing file: %+v %v", res, err)
	}
	if st, _ := os.Stat(p); unixModes && st.Mode().Perm() != 0o640 {
		t.Errorf("mode after the edit %v, want 0640 kept", st.Mode().Perm())
	}
	if res, err = Update(ctx, p, []string{dir}, FormatJSON, "prod", "doxToken", testToken); err != nil || res.Changed {
		t.Errorf("the same token again: %+v %v", res, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files, want the env file alone (no temporary left)", len(entries))
	}

	bad := filepath.Join(dir, "bad", PrivateJSON)
	os.MkdirAll(filepath.Dir(bad), 0o755)
	os.WriteFile(bad, []byte("{\"dev\": {,}}"), 0o600)
	_, err = Update(ctx, bad, []string{dir}, FormatJSON, "dev", "doxToken", testToken)
	if err == nil || !strings.HasPrefix(err.Error(), bad+" is not valid JSON (line 1, column 10)") || strings.Contains(err.Error(), testToken) {
		t.Errorf("error for invalid JSON: %v", err)
	}
	if b, _ := os.ReadFile(bad); string(b) != "{\"dev\": {,}}" {
		t.Error("an invalid file was changed")
	}
}

func TestUpdateFollowsASymlink(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	real := filepath.Join(dir, "secrets.env")
	os.WriteFile(real, []byte("A=1\n"), 0o600)
	link := filepath.Join(dir, Dotenv)
	testbin.SkipUnderWine(t, "a symbolic link it makes cannot be opened")
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symlinks here:", err) // Windows without the privilege
	}
	if _, err := Update(ctx, link, []string{dir}, FormatDotenv, "", "doxToken", testToken); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}
	if b, _ := os.ReadFile(real); string(b) != "A=1\ndoxToken="+testToken+"\n" {
		t.Errorf("target = %q", redactIn(b))
	}
}

// A repository can hold a .env that is a symbolic link to a file outside
// it (git stores links): the token is not written there, nor into a file
// reached through a linked folder, and the target keeps every byte.
func TestUpdateRefusesALinkOutOfTheWorkspace(t *testing.T) {
	ctx := context.Background()
	ws, elsewhere := t.TempDir(), t.TempDir()
	outside := filepath.Join(elsewhere, "profile")
	os.WriteFile(outside, []byte("PATH=/usr/bin\n"), 0o644)
	testbin.SkipUnderWine(t, "a symbolic link it makes cannot be opened")
	if err := os.Symlink(outside, filepath.Join(ws, Dotenv)); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(ws, "conf")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(ws, Dotenv), filepath.Join(ws, "conf", PrivateJSON)} {
		_, err := Update(ctx, p, []string{ws}, FormatDotenv, "", "doxToken", testToken)
		if err == nil || !strings.Contains(err.Error(), "leads out of the workspace") || !strings.HasPrefix(err.Error(), p+" ") {
			t.Errorf("Update through %s: %v", p, err)
		}
	}
	if b, _ := os.ReadFile(outside); string(b) != "PATH=/usr/bin\n" {
		t.Errorf("the file outside the workspace now holds %q", redactIn(b))
	}
	if _, err := os.Stat(filepath.Join(elsewhere, PrivateJSON)); err == nil {
		t.Error("an env file was created outside the workspace")
	}
}

// A FIFO named .env never blocks a read or a write.
func TestEnvFileThatIsAFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), Dotenv)
	if err := mkfifo(p); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if _, _, err := ReadFile(p); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("ReadFile: %v", err)
	}
	if _, err := Update(context.Background(), p, []string{filepath.Dir(p)}, FormatDotenv, "", "doxToken", testToken); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("Update: %v", err)
	}
}

func TestValuesListsEveryVariable(t *testing.T) {
	js := []byte(`{"$schema": "x", "dev": {"a": "1", "n": 2, "t": "` + testToken + `"}, "prod": {"t": "p"}}`)
	if got := strings.Join(Values(FormatJSON, js), ","); got != "1,"+testToken+",p" {
		t.Errorf("JSON values %q", redactIn([]byte(got)))
	}
	env := []byte("A=1\nexport T='" + testToken + "'\n# B=2\n")
	if got := strings.Join(Values(FormatDotenv, env), ","); got != "1,"+testToken {
		t.Errorf("dotenv values %q", redactIn([]byte(got)))
	}
	if Values(FormatJSON, []byte("{oops")) != nil {
		t.Error("values from invalid JSON")
	}
}
