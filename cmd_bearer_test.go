package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/testbin"
)

// A token pasted from the browser yesterday: the emulator refuses it.
const staleToken = "eyJhbGciOiJSUzI1NiJ9.eyJjbGllbnRfaWQiOiJzYi1vbGQiLCJleHAiOjE3MDAwMDAwMDB9.c3RhbGUtc2lnbmF0dXJl"

// doxFile is a request file as a REST Client or httpyac user writes it:
// DOX calls to the emulator's API (%[1]s), one of them with a stale pasted
// token, a multipart upload of ./invoice.pdf, a job fetched by the id the
// upload returned, and a call to somebody else's server (%[2]s) that must
// never see the DOX token. {TOKEN} marks where the token goes.
const doxFile = `# DOX against the emulator
@api = %[1]s/document-information-extraction/v1

### Capabilities
GET {{api}}/capabilities
Accept: application/json
Authorization: Bearer {TOKEN}

### Upload an invoice
# @name upload
POST {{api}}/document/jobs
Content-Type: multipart/form-data; boundary=DoxFormBoundary
{HEADER}
--DoxFormBoundary
Content-Disposition: form-data; name="file"; filename="invoice.pdf"
Content-Type: application/pdf

< ./invoice.pdf
--DoxFormBoundary
Content-Disposition: form-data; name="options"
Content-Type: application/json

{"schemaName": "SAP_invoice_schema", "clientId": "default", "documentType": "invoice"}
--DoxFormBoundary--

### The job just uploaded
GET {{api}}/document/jobs/{{upload.id}}
{HEADER}
### Tell the bookkeeping service about it
POST %[2]s/collect
Content-Type: application/json

{"doxJob": "{{upload.id}}"}
`

// render fills doxFile: before the edit (stale token, no new headers) or
// after it (token everywhere a DOX request needs one).
func render(apiURL, foreignURL, token string, edited bool) string {
	s := fmt.Sprintf(doxFile, apiURL, foreignURL)
	if !edited {
		return strings.NewReplacer("{TOKEN}", staleToken, "{HEADER}\n", "\n").Replace(s)
	}
	return strings.NewReplacer("{TOKEN}", token, "{HEADER}\n", "Authorization: Bearer "+token+"\n\n").Replace(s)
}

// foreignServer is a loopback server that records the Authorization header
// of every request it gets.
type foreignServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string // "METHOD /path Authorization=<value>"
}

func startForeign(t *testing.T) *foreignServer {
	f := &foreignServer{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.seen = append(f.seen, r.Method+" "+r.URL.Path+" Authorization="+r.Header.Get("Authorization"))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintln(w, `{"ok": true}`)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *foreignServer) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.seen)
}

// httpyac returns the httpyac CLI that make node-deps installs.
func httpyac(t *testing.T) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("test", "node", "node_modules", ".bin", "httpyac"))
	if err == nil {
		_, err = os.Stat(path)
	}
	if err == nil {
		_, err = exec.LookPath("node")
	}
	if err != nil {
		testbin.Missing(t, "httpyac (make node-deps)", err)
	}
	return path
}

// runHttpyac sends requests of file in dir; its output is only shown with
// the token taken out.
func runHttpyac(t *testing.T, dir, token string, args ...string) {
	t.Helper()
	cmd := exec.Command(httpyac(t), append([]string{"send"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("httpyac %s: %v\n%s", strings.Join(args, " "), err, hideToken(string(out), token))
	}
}

// hideToken replaces the token in text: failure messages never show one.
func hideToken(text, token string) string {
	if token == "" {
		return text
	}
	return strings.ReplaceAll(text, token, "<token>")
}

// tokenIn returns the one Bearer token written in src, failing if there
// are several.
func tokenIn(t *testing.T, src []byte) string {
	t.Helper()
	refs := httpfile.Tokens(src)
	if len(refs) == 0 {
		t.Fatalf("no Bearer token in the edited file")
	}
	for _, r := range refs[1:] {
		if r.Token != refs[0].Token {
			t.Fatalf("the edited file holds different tokens (lines %d and %d)", refs[0].Line+1, r.Line+1)
		}
	}
	if refs[0].Token == staleToken {
		t.Fatalf("the stale token is still there")
	}
	return refs[0].Token
}

// lineOf is the 1-based number of the first line of text holding s.
func lineOf(text, s string) int {
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	return 0
}

// apiCalls renders what the DOX API stub received, one call a string.
func apiCalls(emu *uaatest.Server) []string {
	var out []string
	for _, c := range emu.APIRequests() {
		s := fmt.Sprintf("%s %s authorized=%v", c.Method, c.Path, c.Authorized)
		if len(c.Parts) > 0 {
			s += " parts=" + strings.Join(c.Parts, ",")
		}
		out = append(out, s)
	}
	return out
}

// jobPath hides the job id the stub made up.
func jobPath(calls []string) []string {
	for i, c := range calls {
		if rest, ok := strings.CutPrefix(c, "GET /document-information-extraction/v1/document/jobs/"); ok {
			_, after, _ := strings.Cut(rest, " ")
			calls[i] = "GET /document-information-extraction/v1/document/jobs/<id> " + after
		}
	}
	return calls
}

func TestBearerWritesTheTokenThatHttpyacSends(t *testing.T) {
	emu := startUAA(t)
	foreign := startForeign(t)
	dir := t.TempDir()
	writeFile(t, dir, "dox-key.json", emu.KeyJSON(uaatest.DefaultClient))
	writeFile(t, dir, "invoice.pdf", []byte("%PDF-1.4\n%fake invoice for the DOX stub\n%%EOF\n"))
	before := render(emu.APIURL, foreign.URL, "", false)
	path := writeFile(t, dir, "dox.http", []byte(before))
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}

	res := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "dox.http")
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	token := tokenIn(t, after)
	noSecret(t, "doxls output", res.stdout+res.stderr, token)
	foreignHost := strings.TrimPrefix(foreign.URL, "http://")
	wantOut := fmt.Sprintf("dox.http: 3 edit(s)\ndox.http:%d: skipped: foreign host %s\n", lineOf(before, "/collect"), foreignHost)
	if res.code != 0 || res.stdout != wantOut || res.stderr != "" {
		t.Fatalf("doxls bearer: exit %d\nstdout %q\nstderr %q\nwant exit 0, stdout %q", res.code, res.stdout, res.stderr, wantOut)
	}
	if want := render(emu.APIURL, foreign.URL, token, true); string(after) != want {
		t.Errorf("dox.http after the edit:\n%s\nwant:\n%s", hideToken(string(after), token), hideToken(want, token))
	}
	if fi, err := os.Stat(path); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 { // Windows keeps no mode bits
		t.Errorf("file mode after the edit: %v (%v), want -rw-r-----", fi.Mode().Perm(), err)
	}

	// A second run (a new process, so a new token) replaces the three
	// tokens and adds nothing.
	again := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "dox.http")
	second, _ := os.ReadFile(path)
	token2 := tokenIn(t, second)
	if want := render(emu.APIURL, foreign.URL, token2, true); string(second) != want {
		t.Errorf("dox.http after a second run:\n%s\nwant:\n%s", hideToken(string(second), token2), hideToken(want, token2))
	}
	edits := 3
	if token2 == token {
		edits = 0
	}
	if want := fmt.Sprintf("dox.http: %d edit(s)\n", edits); again.code != 0 || !strings.HasPrefix(again.stdout, want) {
		t.Errorf("second run: exit %d, stdout %q, want it to start with %q", again.code, hideToken(again.stdout, token2), want)
	}

	runHttpyac(t, dir, token2, "dox.http", "--all", "--output", "none")
	want := []string{
		"GET /document-information-extraction/v1/capabilities authorized=true",
		"POST /document-information-extraction/v1/document/jobs authorized=true parts=file,options",
		"GET /document-information-extraction/v1/document/jobs/<id> authorized=true",
	}
	if got := jobPath(apiCalls(emu)); !slices.Equal(got, want) {
		t.Errorf("the DOX API stub received:\n %s\nwant:\n %s", strings.Join(got, "\n "), strings.Join(want, "\n "))
	}
	if got := foreign.requests(); !slices.Equal(got, []string{"POST /collect Authorization="}) {
		t.Errorf("the foreign server received %q, want one POST /collect without Authorization", hideToken(strings.Join(got, "; "), token2))
	}
}

// In variable mode the token goes into one @doxToken variable in a block
// of its own: httpyac scopes variables to their block, so a request sent
// alone still sees it.
func TestBearerVariableModeWorksForASingleHttpyacRequest(t *testing.T) {
	emu := startUAA(t)
	dir := t.TempDir()
	writeFile(t, dir, "dox-key.json", emu.KeyJSON(uaatest.DefaultClient))
	api := emu.APIURL + "/document-information-extraction/v1"
	before := "# @name capabilities\r\nGET " + api + "/capabilities\r\n\r\n###\r\nGET " + api + "/document/jobs\r\nAccept: application/json\r\n"
	path := writeFile(t, dir, "dox.http", []byte(before))

	res := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "--mode", "variable", "dox.http")
	after, _ := os.ReadFile(path)
	token := tokenIn(t, after)
	if res.code != 0 || res.stdout != "dox.http: 3 edit(s)\n" {
		t.Fatalf("doxls bearer --mode variable: exit %d, stdout %q, stderr %q", res.code, hideToken(res.stdout, token), hideToken(res.stderr, token))
	}
	want := "@doxToken = " + token + "\r\n\r\n###\r\n# @name capabilities\r\nGET " + api + "/capabilities\r\nAuthorization: Bearer {{doxToken}}\r\n\r\n###\r\nGET " + api +
		"/document/jobs\r\nAccept: application/json\r\nAuthorization: Bearer {{doxToken}}\r\n"
	if string(after) != want {
		t.Fatalf("dox.http after the edit:\n%q\nwant:\n%q", hideToken(string(after), token), hideToken(want, token))
	}

	runHttpyac(t, dir, token, "dox.http", "--line", fmt.Sprint(lineOf(string(after), "/document/jobs")), "--output", "none")
	if got, want := apiCalls(emu), []string{"GET /document-information-extraction/v1/document/jobs authorized=true"}; !slices.Equal(got, want) {
		t.Errorf("the DOX API stub received %q, want %q", got, want)
	}
}

func TestBearerReportsBadFilesAndEditsTheRest(t *testing.T) {
	emu := startUAA(t)
	dir := t.TempDir()
	writeFile(t, dir, "dox-key.json", emu.KeyJSON(uaatest.DefaultClient))
	good := "GET " + emu.APIURL + "/document-information-extraction/v1/capabilities\n"
	writeFile(t, dir, "good.http", []byte(good))
	latin1 := "# Rechnungseingang f\xfcr M\xe4rz\nGET " + emu.APIURL + "/document-information-extraction/v1/capabilities\n"
	writeFile(t, dir, "latin1.http", []byte(latin1))
	if err := os.Mkdir(filepath.Join(dir, "folder.http"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := []string{"good.http", "latin1.http", "vanished.http", "folder.http"}
	if runtime.GOOS != "windows" && os.Geteuid() != 0 { // root reads anything; mode 0 is only read-only on Windows
		p := writeFile(t, dir, "locked.http", []byte(good))
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		files = append(files, "locked.http")
	}

	res := runDoxls(t, dir, nil, append([]string{"bearer", "--key", "dox-key.json"}, files...)...)
	edited, _ := os.ReadFile(filepath.Join(dir, "good.http"))
	token := tokenIn(t, edited)
	noSecret(t, "doxls output", res.stdout+res.stderr, token)
	if string(edited) != good+"Authorization: Bearer "+token+"\n" {
		t.Errorf("good.http was not edited:\n%s", hideToken(string(edited), token))
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "latin1.http")); string(got) != latin1 {
		t.Errorf("latin1.http was changed")
	}
	if _, err := os.Stat(filepath.Join(dir, "vanished.http")); !os.IsNotExist(err) {
		t.Errorf("vanished.http exists now: %v", err)
	}

	if res.code != 1 {
		t.Errorf("exit %d, want 1", res.code)
	}
	if !strings.Contains(res.stdout, "good.http: 1 edit(s)\n") {
		t.Errorf("stdout does not report the edit of good.http:\n%s", res.stdout)
	}
	// One line per bad file that names it and says what is wrong (on
	// stdout or stderr: the CLI may move them).
	all := strings.Split(res.stdout+res.stderr, "\n")
	for f, why := range map[string]string{"latin1.http": "not UTF-8", "vanished.http": "does not exist", "folder.http": "is a folder", "locked.http": "permission denied"} {
		if !slices.Contains(files, f) {
			continue
		}
		var about []string
		for _, l := range all {
			if strings.Contains(l, f) {
				about = append(about, l)
			}
		}
		if len(about) != 1 || !strings.Contains(about[0], why) {
			t.Errorf("lines about %s: %q, want one that says %q", f, about, why)
		}
	}
	wantErr := fmt.Sprintf("doxls: %d of %d files could not be edited\n", len(files)-1, len(files))
	if !strings.HasSuffix(res.stderr, wantErr) {
		t.Errorf("stderr %q, want it to end with %q", res.stderr, wantErr)
	}
}
