package server_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/httpfile"
)

// A client shaped like VS Code reports each applied workspace edit as one
// didChange with one change per text edit, last to first. The server's text
// must stay the client's: the edits it plans next land where they belong.
func TestIncrementalChangesKeepTheServersTextTheClients(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.start()
	c.incremental = true
	c.initialize(e.dir, nil)
	var doc strings.Builder
	doc.WriteString("# Ünïcödé 🧾 requests\r\n@old = eyJhbGciOiJub25lIn0.eyJjaWQiOiJvbGQifQ.b2xk\r\n\r\n")
	for i := range 40 {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&doc, "### 🚀 %d\r\nGET %s/document/jobs/%d\r\nAccept: application/json\r\n\r\n", i, e.apiURL(), i)
		case 1:
			fmt.Fprintf(&doc, "### literal %d\nGET %s/capabilities\nAuthorization: Bearer eyJhbGciOiJub25lIn0.eyJjaWQiOiJ4In0.eA\nX-Ä: ö\n\n", i, e.apiURL())
		case 2:
			fmt.Fprintf(&doc, "### variable %d\nPOST %s/document/jobs\nAuthorization: Bearer {{old}}\n\n{}\n\n", i, e.apiURL())
		case 3:
			fmt.Fprintf(&doc, "### foreign %d\nGET https://erp.example.com/x\n\n", i)
		}
	}
	orig := doc.String()
	u := c.open(filepath.Join(e.dir, "sync.http"), orig)

	var res insertResult
	if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, &res); err != nil {
		t.Fatal(err)
	}
	// 10 inserted, 10 literals, one variable.
	if res.Edited != 21 {
		t.Fatalf("edited %d, want 21", res.Edited)
	}
	if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, &res); err != nil || res.Edited != 0 {
		t.Fatalf("a second insertBearer edited %d (%v); the server's text is not the client's", res.Edited, err)
	}
	// A new token: the server plans on its own text, the client applies.
	if err := c.command("doxls.refreshBearers", map[string]any{"uris": []string{string(u)}, "forceRefresh": true}, nil); err != nil {
		t.Fatal(err)
	}
	tok := c.token(nil)
	want := httpfile.PlanEdits([]byte(orig), httpfile.Options{Token: tok.AccessToken, APIHost: hostOf(e.uaa.APIURL), Line: -1})
	if got := c.text(u); got != string(httpfile.Apply([]byte(orig), want.Edits)) {
		t.Errorf("after insert and refresh over incremental changes the document is\n%s\nwant the original with the new token", redactAll(got, tok.AccessToken))
	}
}

// A client that keeps the BOM in the text it sends counts it as character
// 0 of line 0: variable mode's line goes after it (0:1), not in front.
func TestVariableLineGoesAfterALeadingBOM(t *testing.T) {
	for _, incremental := range []bool{false, true} {
		t.Run(fmt.Sprintf("incremental=%v", incremental), func(t *testing.T) {
			e := newEnv(t, uaatest.Options{})
			c := e.start()
			c.incremental = incremental
			c.initialize(e.dir, map[string]any{"insertMode": "variable"})
			u := c.open(filepath.Join(e.dir, "bom.http"), "\ufeffGET "+e.apiURL()+"/capabilities\r\n")
			if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, nil); err != nil {
				t.Fatal(err)
			}
			tok := c.token(nil)
			got := c.text(u)
			want := "\ufeff@doxToken = " + tok.AccessToken + "\r\n\r\n###\r\nGET " + e.apiURL() + "/capabilities\r\nAuthorization: Bearer {{doxToken}}\r\n"
			if got != want {
				t.Errorf("document after insertBearer:\n%q\nwant\n%q", redactAll(got, tok.AccessToken), redactAll(want, tok.AccessToken))
			}
		})
	}
}

func hostOf(url string) string {
	return strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://")
}

// redactAll replaces token in s, for failure messages.
func redactAll(s, token string) string { return strings.ReplaceAll(s, token, redacted(token)) }
