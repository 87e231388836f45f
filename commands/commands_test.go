package commands

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/httpfile"
)

func TestParseSettings(t *testing.T) {
	s, err := ParseSettings(json.RawMessage(`{"serviceKey":"k.json","refreshMarginSeconds":60,"autoRefresh":false,"insertMode":"variable","variableName":"t","extraHosts":["a:1"],"timeoutSeconds":2.5}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{ServiceKey: "k.json", RefreshMargin: time.Minute, AutoRefresh: false, InsertMode: httpfile.ModeVariable,
		VariableName: "t", EnvName: "dev", ExtraHosts: []string{"a:1"}, Timeout: 2500 * time.Millisecond}
	if s.ServiceKey != want.ServiceKey || s.RefreshMargin != want.RefreshMargin || s.AutoRefresh || s.InsertMode != want.InsertMode ||
		s.VariableName != want.VariableName || s.EnvName != want.EnvName || len(s.ExtraHosts) != 1 || s.Timeout != want.Timeout {
		t.Errorf("ParseSettings = %+v, want %+v", s, want)
	}
	for _, empty := range []string{``, `null`, `{}`} {
		if s, err := ParseSettings(json.RawMessage(empty)); err != nil || s.RefreshMargin != 300*time.Second || !s.AutoRefresh || s.VariableName != "doxToken" ||
			s.CertificateWarning != 48*time.Hour {
			t.Errorf("ParseSettings(%q) = %+v, %v; want the defaults", empty, s, err)
		}
	}
	for in, want := range map[string]string{
		`{"insertMode":"envfile"}`:       "insertMode",
		`{"refreshMarginSeconds":"300"}`: "refreshMarginSeconds must be a number",
		`{"refreshMarginSeconds":-1}`:    "refreshMarginSeconds",
		`{"extraHosts":"example.com"}`:   "extraHosts must be an array",
		`{"autoRefresh":"yes"}`:          "autoRefresh must be true or false",
		`{"certificateWarningDays":-1}`:  "certificateWarningDays must not be negative",
	} {
		if _, err := ParseSettings(json.RawMessage(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSettings(%s) = %v, want an error about %s", in, err, want)
		}
	}
}

func TestCertificateWarningDays(t *testing.T) {
	s, err := ParseSettings(json.RawMessage(`{"certificateWarningDays":0.5}`))
	if err != nil || s.CertificateWarning != 12*time.Hour {
		t.Errorf("certificateWarningDays 0.5 = %v, %v", s.CertificateWarning, err)
	}
}

func TestDecodeArgs(t *testing.T) {
	var a insertArgs
	if err := decodeArgs(InsertBearer, nil, &a); err != nil || a.URI != "" {
		t.Errorf("no arguments: %v", err)
	}
	if err := decodeArgs(InsertBearer, []json.RawMessage{[]byte(`{"uri":"file:///a.http","line":3}`)}, &a); err != nil || a.URI != "file:///a.http" || *a.Line != 3 {
		t.Errorf("one object: %+v, %v", a, err)
	}
	for _, args := range [][]json.RawMessage{
		{[]byte(`"file:///a.http"`)},
		{[]byte(`{"uri":1}`)},
		{[]byte(`{}`), []byte(`{}`)},
	} {
		err := decodeArgs(InsertBearer, args, &a)
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalidParams || !strings.HasPrefix(e.Message, InsertBearer) {
			t.Errorf("decodeArgs(%s) = %v, want InvalidParams naming the command", args, err)
		}
	}
}

func TestLineAfter(t *testing.T) {
	insert := httpfile.Edit{Range: httpfile.Range{Start: httpfile.Position{Line: 2}, End: httpfile.Position{Line: 2}}, NewText: "Authorization: Bearer x\n"}
	replace := httpfile.Edit{Range: httpfile.Range{Start: httpfile.Position{Line: 5, Character: 22}, End: httpfile.Position{Line: 5, Character: 30}}, NewText: "y"}
	edits := []httpfile.Edit{insert, replace}
	for line, want := range map[int]int{0: 0, 1: 1, 2: 3, 3: 4, 6: 7} {
		if got := lineAfter(line, edits); got != want {
			t.Errorf("lineAfter(%d) = %d, want %d", line, got, want)
		}
	}
}
