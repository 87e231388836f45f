package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/httpfile"
)

// jobIDs lists the jobs the DOX API stub holds, asking it as a user would.
func jobIDs(t *testing.T, emu *uaatest.Server, token string) []string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, emu.APIURL+"/document-information-extraction/v1/document/jobs", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Results []struct {
			ID string `json:"id"`
		} `json:"results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatalf("job list: %v", err)
	}
	var ids []string
	for _, j := range list.Results {
		ids = append(ids, j.ID)
	}
	return ids
}

// The file "doxls init" writes runs as it is in httpyac: the four calls
// reach the DOX API stub with the file's token, the upload as multipart
// with both parts, and the job fetch asks for the job the upload made.
func TestInitWritesAFileHttpyacRuns(t *testing.T) {
	for _, mode := range []string{"header", "variable"} {
		t.Run(mode, func(t *testing.T) {
			emu := startUAA(t)
			dir := t.TempDir()
			writeFile(t, dir, "dox-key.json", emu.KeyJSON(uaatest.DefaultClient))

			res := runDoxls(t, dir, nil, "init", "requests", "--mode", mode)
			if res.code != 0 || res.stdout != filepath.Join("requests", "dox.http")+"\n" || res.stderr != "" {
				t.Fatalf("doxls init: exit %d, stdout %q, stderr %q; want the path of the new file", res.code, res.stdout, res.stderr)
			}
			src, err := os.ReadFile(filepath.Join(dir, "requests", "dox.http"))
			if err != nil {
				t.Fatal(err)
			}
			token := tokenIn(t, src)
			if _, err := os.Stat(filepath.Join(dir, "requests", "sample.pdf")); err != nil {
				t.Fatalf("no sample.pdf next to the request file: %v", err)
			}

			runHttpyac(t, filepath.Join(dir, "requests"), token, "dox.http", "--all", "--output", "none")
			calls := apiCalls(emu)
			want := []string{
				// doxls init asks which client the upload is for (docs/dox-api.md).
				"GET /document-information-extraction/v1/clients authorized=true",
				"GET /document-information-extraction/v1/capabilities authorized=true",
				"GET /document-information-extraction/v1/document/jobs authorized=true",
				"POST /document-information-extraction/v1/document/jobs authorized=true parts=file,options",
				"GET /document-information-extraction/v1/document/jobs/<id> authorized=true",
			}
			if got := jobPath(slices.Clone(calls)); !slices.Equal(got, want) {
				t.Fatalf("the DOX API stub received:\n %s\nwant:\n %s", strings.Join(got, "\n "), strings.Join(want, "\n "))
			}
			ids := jobIDs(t, emu, token)
			fetched := strings.Fields(strings.TrimPrefix(calls[4], "GET /document-information-extraction/v1/document/jobs/"))[0]
			if len(ids) != 1 || fetched != ids[0] {
				t.Errorf("the job fetch asked for %q; the upload made %q", fetched, ids)
			}
		})
	}
}

// "doxls init" never replaces a file: a second run picks the next name and
// leaves the first file and the user's own sample.pdf alone.
func TestInitNeverOverwrites(t *testing.T) {
	emu := startUAA(t)
	dir := t.TempDir()
	writeFile(t, dir, "dox-key.json", emu.KeyJSON(uaatest.DefaultClient))
	ownSample := []byte("%PDF-1.7 my own invoice")
	writeFile(t, dir, "sample.pdf", ownSample)

	first := runDoxls(t, dir, nil, "init")
	if first.code != 0 || first.stdout != "dox.http\n" {
		t.Fatalf("first doxls init: exit %d, stdout %q, stderr %q", first.code, first.stdout, first.stderr)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "dox.http"))
	second := runDoxls(t, dir, nil, "init", "--key", "dox-key.json", ".")
	if second.code != 0 || second.stdout != "dox-2.http\n" {
		t.Fatalf("second doxls init: exit %d, stdout %q, stderr %q; want dox-2.http", second.code, second.stdout, second.stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "dox.http")); string(after) != string(before) {
		t.Errorf("the second run changed dox.http")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "sample.pdf")); string(got) != string(ownSample) {
		t.Errorf("the user's sample.pdf was replaced")
	}
	if fi, err := os.Stat(filepath.Join(dir, "dox-2.http")); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 { // Windows keeps no mode bits
		t.Errorf("dox-2.http: %v (%v), want -rw------- for a file holding a token", fi.Mode().Perm(), err)
	}
	named := runDoxls(t, dir, nil, "init", "--name", "invoices.rest")
	if named.code != 0 || named.stdout != "invoices.rest\n" {
		t.Errorf("doxls init --name invoices.rest: exit %d, stdout %q, stderr %q", named.code, named.stdout, named.stderr)
	}
}

func TestInitErrors(t *testing.T) {
	emu := startUAA(t)
	dir := t.TempDir()
	writeFile(t, dir, "dox-key.json", emu.KeyJSON(uaatest.DefaultClient))
	writeFile(t, dir, "uaa.json", []byte(`{"clientid": "sb-x!b1|dox!b2", "clientsecret": "s3cr$t+/=:!|", "url": "`+emu.URL+`"}`))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"init", "--key", "dox-key.json", "--mode", "envfile"}, 2, `doxls: --mode must be header, variable or envFile, not "envfile"`},
		{[]string{"init", "--key", "dox-key.json", "--name", "sub/dox.http"}, 2, `doxls: --name "sub/dox.http" must be a file name without a folder`},
		{[]string{"init", "--key", "dox-key.json", "--name", "dox.txt"}, 2, `doxls: --name "dox.txt" must end in .http or .rest`},
		{[]string{"init", "--key", "dox-key.json", "a", "b"}, 2, "doxls: init takes at most one folder"},
		{[]string{"init", "--key", "uaa.json"}, 1, "doxls: the service key uaa.json has no API URL"},
	} {
		res := runDoxls(t, dir, nil, tc.args...)
		if res.code != tc.code || !strings.HasPrefix(res.stderr, tc.want) || strings.Count(res.stderr, "\n") != 1 {
			t.Errorf("doxls %s: exit %d, stderr %q; want exit %d and one line starting %q", strings.Join(tc.args, " "), res.code, res.stderr, tc.code, tc.want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the failed runs left files behind: %d entries, want the two keys", len(entries))
	}
}

// "doxls init --mode envFile": the token goes into the private environment
// file, the request file names it, and httpyac runs it with --env dev.
func TestInitEnvFileMode(t *testing.T) {
	emu := startUAA(t)
	dir := t.TempDir()
	writeFile(t, dir, "dox-key.json", emu.KeyJSON(uaatest.DefaultClient))

	res := runDoxls(t, dir, nil, "init", "requests", "--mode", "envFile")
	if res.code != 0 || res.stdout != filepath.Join("requests", "dox.http")+"\n" {
		t.Fatalf("doxls init --mode envFile: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	src, err := os.ReadFile(filepath.Join(dir, "requests", "dox.http"))
	if err != nil {
		t.Fatal(err)
	}
	if len(httpfile.Tokens(src)) != 0 || strings.Count(string(src), "Authorization: Bearer {{doxToken}}") != 4 {
		t.Fatalf("the request file should name the token, not hold it:\n%s", hideToken(string(src), ""))
	}
	env, err := os.ReadFile(filepath.Join(dir, "requests", "http-client.private.env.json"))
	if err != nil {
		t.Fatalf("no private environment file next to the request file: %v", err)
	}
	token := strings.Split(strings.Split(string(env), `"doxToken": "`)[1], `"`)[0]

	runHttpyac(t, filepath.Join(dir, "requests"), token, "dox.http", "--all", "--env", "dev", "--output", "none")
	for _, c := range apiCalls(emu) {
		if !strings.Contains(c, "authorized=true") {
			t.Errorf("the DOX API stub got %s", c)
		}
	}
	if n := len(apiCalls(emu)); n != 5 { // GET /clients from doxls init, then the file's four
		t.Errorf("the DOX API stub got %d calls, want 5", n)
	}
}
