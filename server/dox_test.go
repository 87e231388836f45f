package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/doxls/doxls/auth/uaatest"
)

type completionList struct {
	IsIncomplete bool `json:"isIncomplete"`
	Items        []struct {
		Label    string `json:"label"`
		Kind     int    `json:"kind"`
		Detail   string `json:"detail"`
		TextEdit struct {
			NewText string `json:"newText"`
			Range   struct {
				Start, End struct{ Line, Character int }
			} `json:"range"`
		} `json:"textEdit"`
	} `json:"items"`
}

func (l completionList) labels() []string {
	var out []string
	for _, it := range l.Items {
		out = append(out, it.Label)
	}
	return out
}

// uploadDoc is an upload to the key's API with the given options JSON.
func uploadDoc(api, options string) string {
	return "### upload\nPOST " + api + "/document/jobs\nContent-Type: multipart/form-data; boundary=DoxBoundary\n\n" +
		"--DoxBoundary\nContent-Disposition: form-data; name=\"file\"; filename=\"sample.pdf\"\nContent-Type: application/pdf\n\n< ./sample.pdf\n" +
		"--DoxBoundary\nContent-Disposition: form-data; name=\"options\"\nContent-Type: application/json\n\n" +
		options + "\n--DoxBoundary--\n"
}

// position finds the cursor marker | in text, returns text without it and
// the marker's LSP position (ASCII text).
func position(text string) (string, map[string]int) {
	i := strings.Index(text, "|")
	before := text[:i]
	return before + text[i+1:], map[string]int{
		"line":      strings.Count(before, "\n"),
		"character": len(before) - strings.LastIndex(before, "\n") - 1,
	}
}

// complete asks for completion at pos; with full, until the server has the
// instance's data (an answer from an empty cache may be incomplete).
func (c *client) complete(u protocol.DocumentURI, pos map[string]int, full bool) completionList {
	c.t.Helper()
	for {
		var l completionList
		c.must("textDocument/completion", map[string]any{"textDocument": map[string]any{"uri": u}, "position": pos}, &l)
		if !full || !l.IsIncomplete {
			return l
		}
	}
}

func doxEnv(t testing.TB, opts uaatest.Options) (*env, *client) {
	if len(opts.APIClients) == 0 {
		opts.APIClients = []uaatest.APIClient{{ID: "default", Name: "Default client"}, {ID: "c_00", Name: "Client 00"}}
	}
	e := newEnv(t, opts)
	return e, e.session(map[string]any{"serviceKey": e.key})
}

func TestDoxCompletionAtEachPosition(t *testing.T) {
	e, c := doxEnv(t, uaatest.Options{})
	cases := []struct {
		name, doc string
		want      []string
		newText   string
	}{
		{"clientId in the options", uploadDoc(e.apiURL(), `{"clientId": "|", "documentType": "invoice"}`), []string{"default", "c_00"}, "default"},
		{"documentType in the options", uploadDoc(e.apiURL(), `{"clientId": "default", "documentType": |}`), []string{"invoice", "paymentAdvice", "purchaseOrder"}, `"invoice"`},
		{"header fields of a payment advice", uploadDoc(e.apiURL(), `{"documentType": "paymentAdvice", "extraction": {"headerFields": ["|"]}}`),
			[]string{"documentNumber", "documentDate", "currencyCode", "senderName"}, "documentNumber"},
		{"line item fields of an invoice", uploadDoc(e.apiURL(), `{"documentType": "invoice", "extraction": {"lineItemFields": ["q|"]}}`),
			[]string{"description", "quantity", "unitPrice", "netAmount"}, "description"},
		{"an option key", uploadDoc(e.apiURL(), `{"documentType": "invoice", "sch|"}`),
			[]string{"clientId", "documentType", "extraction", "schemaId", "templateId", "receivedDate", "enrichment"}, "clientId"},
		{"clientId in the query", "GET " + e.apiURL() + "/document/jobs?clientId=c|\n", []string{"default", "c_00"}, "default"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text, pos := position(tc.doc)
			u := c.open(filepath.Join(e.dir, fmt.Sprintf("c%d.http", i)), text)
			l := c.complete(u, pos, true)
			if !slices.Equal(l.labels(), tc.want) {
				t.Fatalf("labels %v, want %v", l.labels(), tc.want)
			}
			if it := l.Items[0]; it.TextEdit.NewText != tc.newText || it.Detail == "" || it.TextEdit.Range.End.Character != pos["character"] {
				t.Errorf("first item %+v", it)
			}
		})
	}
	t.Run("paths", func(t *testing.T) {
		text, pos := position("GET " + e.apiURL() + "/|\n")
		u := c.open(filepath.Join(e.dir, "paths.http"), text)
		l := c.complete(u, pos, false)
		if !slices.Contains(l.labels(), "document/jobs/{id}") || !slices.Contains(l.labels(), "capabilities") || l.IsIncomplete {
			t.Errorf("paths %v (incomplete %v)", l.labels(), l.IsIncomplete)
		}
		if l.Items[0].Detail != "DOX API v1 endpoint" {
			t.Errorf("detail %q", l.Items[0].Detail)
		}
	})
	t.Run("client detail", func(t *testing.T) {
		text, pos := position("GET " + e.apiURL() + "/document/jobs?clientId=|\n")
		u := c.open(filepath.Join(e.dir, "detail.http"), text)
		if l := c.complete(u, pos, true); l.Items[1].Detail != "DOX client · Client 00" {
			t.Errorf("detail %q", l.Items[1].Detail)
		}
	})
}

func TestDoxCompletionAnswersWhileTheAPIHangs(t *testing.T) {
	e, c := doxEnv(t, uaatest.Options{})
	e.uaa.HangAPI()
	defer e.uaa.Release()
	text, pos := position(uploadDoc(e.apiURL(), `{"clientId": "|"}`))
	u := c.open(filepath.Join(e.dir, "a.http"), text)
	l := c.complete(u, pos, false)
	if len(l.Items) != 0 || !l.IsIncomplete {
		t.Errorf("from a hanging API: %v, incomplete %v", l.labels(), l.IsIncomplete)
	}
	msg := c.waitNote("window/showMessage", func(raw json.RawMessage) bool {
		return strings.Contains(string(raw), "did not answer within 300 ms")
	})
	if !strings.Contains(string(msg), e.uaa.APIURL[len("http://"):]) {
		t.Errorf("the message does not name the API host: %s", msg)
	}
	// Paths need no API: still there.
	text, pos = position("GET " + e.apiURL() + "/doc|\n")
	u = c.open(filepath.Join(e.dir, "b.http"), text)
	if l := c.complete(u, pos, false); len(l.Items) < 20 {
		t.Errorf("paths while the API hangs: %v", l.labels())
	}
	// Said once: a second completion adds no message.
	c.complete(u, pos, false)
	c.mu.Lock()
	n := 0
	for _, note := range c.notes {
		if note.method == "window/showMessage" && strings.Contains(string(note.params), "did not answer") {
			n++
		}
	}
	c.mu.Unlock()
	if n != 1 {
		t.Errorf("the reason was shown %d times", n)
	}
	// A fetch hanging at the API does not hold up the end of the session.
	if code := c.shutdown(); code != 0 {
		t.Errorf("exit status %d after shutdown with the API hanging", code)
	}
}

type lens struct {
	Range   struct{ Start struct{ Line int } } `json:"range"`
	Command struct {
		Title     string            `json:"title"`
		Command   string            `json:"command"`
		Arguments []json.RawMessage `json:"arguments"`
	} `json:"command"`
}

// jobLens is the lens of the job request on line, once its status is known.
func (c *client) jobLens(u protocol.DocumentURI, line int, want string) lens {
	c.t.Helper()
	for {
		var lenses []lens
		c.must("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": u}}, &lenses)
		for _, l := range lenses {
			if l.Command.Command == "doxls.waitForJob" && l.Range.Start.Line == line && l.Command.Title == want {
				return l
			}
			if l.Command.Command == "doxls.waitForJob" && l.Command.Title != "DOX job · wait for the result" && l.Command.Title != want {
				c.t.Fatalf("job lens %q, want %q", l.Command.Title, want)
			}
		}
	}
}

type jobResult struct {
	ID, Status, DocumentType string
	Fields                   []struct {
		Name       string  `json:"name"`
		Value      any     `json:"value"`
		Confidence float64 `json:"confidence"`
		Page       int     `json:"page"`
	}
}

func TestDoxJobLensAndWaitForJob(t *testing.T) {
	e, c := doxEnv(t, uaatest.Options{PendingPolls: -1})
	id := e.uaa.AddJob("default", "invoice")
	u := c.open(filepath.Join(e.dir, "job.http"), "# the job\nGET "+e.apiURL()+"/document/jobs/"+id+"\nAccept: application/json\n\n###\nGET "+e.apiURL()+"/document/jobs/42\n")
	l := c.jobLens(u, 1, "DOX job PENDING")
	var args map[string]any
	if err := json.Unmarshal(l.Command.Arguments[0], &args); err != nil || args["uri"] != string(u) || args["line"] != float64(1) {
		t.Errorf("lens arguments %s", l.Command.Arguments[0])
	}

	// Cancelled while PENDING, as an editor does with $/cancelRequest.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- protocol.Call(ctx, c.conn, "workspace/executeCommand", map[string]any{
			"command": "doxls.waitForJob", "arguments": []any{args},
		}, nil)
	}()
	c.waitNote("$/progress", func(raw json.RawMessage) bool { return strings.Contains(string(raw), "PENDING (poll") })
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a cancelled waitForJob succeeded")
	}
	// protocol.Call returns at once; the server's answer to the cancel is
	// what an editor sees next: check it through a second, real call.
	e.uaa.FinishJob(id, uaatest.JobDone)
	var res jobResult
	if err := c.command("doxls.waitForJob", args, &res); err != nil {
		t.Fatal(err)
	}
	if res.ID != id || res.Status != "DONE" || res.DocumentType != "invoice" || len(res.Fields) != 5 {
		t.Fatalf("waitForJob %+v", res)
	}
	if f := res.Fields[0]; f.Name != "documentNumber" || f.Value != "INV-2024-0042" || f.Confidence == 0 || f.Page != 1 {
		t.Errorf("first field %+v", f)
	}
	c.jobLens(u, 1, "DOX job DONE · 5 fields")
	var lenses []lens
	c.must("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": u}}, &lenses)
	for _, l := range lenses {
		if l.Range.Start.Line == 5 && l.Command.Command == "doxls.waitForJob" {
			t.Errorf("a job lens for an id that is no UUID: %+v", l)
		}
	}

	failed := e.uaa.AddJob("default", "invoice")
	e.uaa.FinishJob(failed, uaatest.JobFailed)
	if err := c.command("doxls.waitForJob", map[string]any{"id": failed}, &res); err != nil || res.Status != "FAILED" || len(res.Fields) != 0 {
		t.Errorf("a failed job: %+v %v", res, err)
	}
	if err := c.command("doxls.waitForJob", map[string]any{"uri": u}, nil); rpcCode(err) != -32602 {
		t.Errorf("waitForJob without a line: %v", err)
	}
}

func TestDoxWaitForJobCancelledAnswers32800(t *testing.T) {
	e := newEnv(t, uaatest.Options{PendingPolls: -1})
	id := e.uaa.AddJob("default", "invoice")
	r := startRaw(t, e.dir)
	r.send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":"` + string(uri.File(e.dir)) + `","capabilities":{}}}`)
	r.reply()
	r.send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
	r.send(`{"jsonrpc":"2.0","id":7,"method":"workspace/executeCommand","params":{"command":"doxls.waitForJob","arguments":[{"id":"` + id + `"}]}}`)
	for n := 0; n < 2; { // wait until the server polls (twice): the command is running
		n = 0
		for _, c := range e.uaa.APIRequests() {
			if strings.HasSuffix(c.Path, id) {
				n++
			}
		}
		runtime.Gosched() // the server polls on its own clock; no timer here decides
	}
	r.send(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":7}}`)
	msg := r.reply()
	if er, _ := msg["error"].(map[string]any); er == nil || er["code"] != float64(-32800) {
		t.Errorf("cancelled waitForJob answered %v, want -32800", msg)
	}
}

func TestDoxDiagnosticsAndQuickFix(t *testing.T) {
	e, c := doxEnv(t, uaatest.Options{})
	src := uploadDoc(e.apiURL(), `{"clientId": "defualt", "documentType": "invoice"}`)
	u := c.open(filepath.Join(e.dir, "up.http"), src)
	var diags diagnosticsNote
	var raw json.RawMessage
	c.waitNote("textDocument/publishDiagnostics", func(r json.RawMessage) bool {
		diags = diagnosticsNote{}
		_ = json.Unmarshal(r, &diags)
		raw = r
		return diags.URI == string(u) && len(diags.Diagnostics) == 1
	})
	d := diags.Diagnostics[0]
	if d.Code != "dox-unknown-value" || d.Severity != 2 || d.Range.Start.Line != 13 ||
		d.Message != `clientId "defualt" is not a client of this DOX instance; it has default, c_00` {
		t.Fatalf("diagnostic %+v", d)
	}
	var note struct {
		Diagnostics []any `json:"diagnostics"`
	}
	_ = json.Unmarshal(raw, &note)
	var actions []struct {
		Title string `json:"title"`
		Kind  string `json:"kind"`
		Edit  struct {
			Changes map[string][]struct {
				NewText string `json:"newText"`
			} `json:"changes"`
		} `json:"edit"`
	}
	c.must("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": u},
		"range":        map[string]any{"start": map[string]any{"line": 13, "character": 15}, "end": map[string]any{"line": 13, "character": 15}},
		"context":      map[string]any{"diagnostics": note.Diagnostics},
	}, &actions)
	if len(actions) != 1 || actions[0].Title != `Use clientId "default"` || actions[0].Kind != "quickfix" || actions[0].Edit.Changes[string(u)][0].NewText != "default" {
		t.Fatalf("actions %+v", actions)
	}
}

func TestDoxNeverCallsAForeignHost(t *testing.T) {
	var hits atomic.Int64
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"payload":[{"clientId":"stolen"}],"documentTypes":["x"],"status":"DONE"}`))
	}))
	defer foreign.Close()
	e, c := doxEnv(t, uaatest.Options{})
	api := foreign.URL + "/document-information-extraction/v1"
	text, pos := position(uploadDoc(api, `{"clientId": "|", "documentType": "nope"}`) +
		"\n###\nGET " + api + "/document/jobs/3c9e1f0a-0000-4000-8000-000000000000\n" +
		"\n###\nGET " + e.apiURL() + "/capabilities\n")
	u := c.open(filepath.Join(e.dir, "foreign.http"), text)
	if l := c.complete(u, pos, false); len(l.Items) != 0 {
		t.Errorf("completion for a foreign host: %v", l.labels())
	}
	var lenses []lens
	c.must("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": u}}, &lenses)
	for _, l := range lenses {
		if l.Command.Command == "doxls.waitForJob" {
			t.Errorf("a job lens for a foreign host: %+v", l)
		}
	}
	if err := c.command("doxls.waitForJob", map[string]any{"uri": u, "line": 17}, nil); rpcCode(err) != -32602 {
		t.Errorf("waitForJob on a foreign host's job: %v", err)
	}
	var diags diagnosticsNote
	c.waitNote("textDocument/publishDiagnostics", func(r json.RawMessage) bool {
		_ = json.Unmarshal(r, &diags)
		return diags.URI == string(u)
	})
	if len(diags.Diagnostics) != 0 {
		t.Errorf("diagnostics for a foreign host: %+v", diags.Diagnostics)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the foreign host was contacted %d times", n)
	}
}

func TestDoxNewRequestFileUsesTheInstancesFirstClient(t *testing.T) {
	e, c := doxEnv(t, uaatest.Options{APIClients: []uaatest.APIClient{{ID: "c_00", Name: "Client 00"}, {ID: "c_01", Name: "Client 01"}}})
	// The 300 ms budget holds for the new file too: warm the cache first.
	text, pos := position("GET " + e.apiURL() + "/document/jobs?clientId=|\n")
	c.complete(c.open(filepath.Join(e.dir, "warm.http"), text), pos, true)
	if err := c.command("doxls.newRequestFile", map[string]any{}, nil); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, filepath.Join(e.dir, "dox.http"))
	if !strings.Contains(got, `{"clientId": "c_00", "documentType": "invoice"`) {
		t.Errorf("the new file's upload is not for c_00")
	}
}

func TestDoxWaitForJobCancelledFromItsProgress(t *testing.T) {
	e, c := doxEnv(t, uaatest.Options{PendingPolls: -1})
	id := e.uaa.AddJob("default", "invoice")
	done := make(chan error, 1)
	go func() { done <- c.command("doxls.waitForJob", map[string]any{"id": id}, nil) }()
	var begin struct {
		Token string `json:"token"`
		Value struct {
			Kind        string `json:"kind"`
			Title       string `json:"title"`
			Cancellable bool   `json:"cancellable"`
		} `json:"value"`
	}
	c.waitNote("$/progress", func(raw json.RawMessage) bool {
		_ = json.Unmarshal(raw, &begin)
		return begin.Value.Kind == "begin" && begin.Value.Title == "DOX job "+id
	})
	if !begin.Value.Cancellable {
		t.Error("the job's progress is not cancellable")
	}
	if err := c.conn.Notify(context.Background(), "window/workDoneProgress/cancel", map[string]any{"token": begin.Token}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; rpcCode(err) != -32800 {
		t.Errorf("waitForJob cancelled from its progress: %v, want -32800", err)
	}
}
