package uaatest_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
)

const api = "/document-information-extraction/v1"

func apiRequest(t *testing.T, method, url, token string, body *bytes.Buffer, contentType string) *http.Request {
	t.Helper()
	if body == nil {
		body = &bytes.Buffer{}
	}
	r, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

// upload is a DOX document upload with the given parts.
func upload(t *testing.T, parts ...string) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		var err error
		switch p {
		case "file":
			var fw io.Writer
			fw, err = mw.CreateFormFile("file", "invoice.pdf")
			if err == nil {
				_, err = fw.Write([]byte("%PDF-1.4\n%âãÏÓ\n"))
			}
		case "options":
			err = mw.WriteField("options", `{"schemaName":"SAP_invoice_schema","clientId":"default","documentType":"invoice","receivedDate":"2024-05-17","enrichment":{}}`)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, mw.FormDataContentType()
}

func TestAPIStubWithIssuedToken(t *testing.T) {
	s := start(t, uaatest.Options{})
	token, _ := fetchToken(t, s)

	a := do(t, nil, apiRequest(t, "GET", s.APIURL+api+"/capabilities", token, nil, ""))
	if a.status != 200 || a.json(t)["documentTypes"] == nil {
		t.Fatalf("capabilities: status %d, body %s", a.status, a.body)
	}
	a = do(t, nil, apiRequest(t, "GET", s.APIURL+api+"/document/jobs", token, nil, ""))
	if a.status != 200 || string(a.body) != `{"results":[]}` {
		t.Fatalf("list jobs: status %d, body %s", a.status, a.body)
	}

	body, ct := upload(t, "file", "options")
	a = do(t, nil, apiRequest(t, "POST", s.APIURL+api+"/document/jobs", token, body, ct))
	created := a.json(t)
	id, _ := created["id"].(string)
	if a.status != http.StatusCreated || created["status"] != "PENDING" || len(id) != 36 {
		t.Fatalf("upload: status %d, body %s", a.status, a.body)
	}

	a = do(t, nil, apiRequest(t, "GET", s.APIURL+api+"/document/jobs/"+id, token, nil, ""))
	doc := a.json(t)
	if a.status != 200 || doc["status"] != "DONE" || doc["id"] != id || doc["extraction"] == nil {
		t.Fatalf("get job: status %d, body %s", a.status, a.body)
	}
	a = do(t, nil, apiRequest(t, "GET", s.APIURL+api+"/document/jobs", token, nil, ""))
	if results, _ := a.json(t)["results"].([]any); len(results) != 1 {
		t.Errorf("list jobs after an upload: %s", a.body)
	}
	a = do(t, nil, apiRequest(t, "GET", s.APIURL+api+"/document/jobs/3c9e1f0a-0000-4000-8000-000000000000", token, nil, ""))
	if a.status != http.StatusNotFound {
		t.Errorf("unknown job: status %d, want 404", a.status)
	}

	calls := s.APIRequests()
	if len(calls) != 6 {
		t.Fatalf("APIRequests has %d calls, want 6: %+v", len(calls), calls)
	}
	for _, c := range calls {
		if !c.Authorized {
			t.Errorf("%s %s not authorized", c.Method, c.Path)
		}
	}
	if up := calls[2]; up.Method != "POST" || up.Path != api+"/document/jobs" || !slices.Equal(up.Parts, []string{"file", "options"}) {
		t.Errorf("upload recorded as %+v", up)
	}
}

func TestAPIStubUploadNeedsBothParts(t *testing.T) {
	s := start(t, uaatest.Options{})
	token, _ := fetchToken(t, s)
	for _, parts := range [][]string{{"file"}, {"options"}, {}} {
		body, ct := upload(t, parts...)
		a := do(t, nil, apiRequest(t, "POST", s.APIURL+api+"/document/jobs", token, body, ct))
		if a.status != http.StatusBadRequest {
			t.Errorf("upload with parts %v: status %d, want 400", parts, a.status)
		}
	}
	a := do(t, nil, apiRequest(t, "POST", s.APIURL+api+"/document/jobs", token, bytes.NewBufferString(`{}`), "application/json"))
	if a.status != http.StatusBadRequest {
		t.Errorf("JSON upload: status %d, want 400", a.status)
	}
}

func TestAPIStubRefusesBadTokens(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Now().Unix())
	s := start(t, uaatest.Options{TokenTTL: time.Hour, Now: func() time.Time { return time.Unix(clock.Load(), 0) }})
	token, _ := fetchToken(t, s)
	other := start(t, uaatest.Options{})
	foreign, _ := fetchToken(t, other)

	parts := strings.Split(token, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	forgedPayload := bytes.Replace(payload, []byte(`"xs_user.write"`), []byte(`"xs_user.admin"`), 1)
	if bytes.Equal(forgedPayload, payload) {
		t.Fatal("test setup: scope to forge not found in the payload")
	}
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(forgedPayload) + "." + parts[2]
	unsigned := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."

	cases := []struct{ name, auth string }{
		{"no Authorization", ""},
		{"Basic scheme", basic(uaatest.DefaultClient.ID, uaatest.DefaultClient.Secret)},
		{"not a JWT", "Bearer abc"},
		{"forged payload", "Bearer " + forged},
		{"alg none", "Bearer " + unsigned},
		{"token of another emulator", "Bearer " + foreign},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := apiRequest(t, "GET", s.APIURL+api+"/capabilities", "", nil, "")
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			if a := do(t, nil, r); a.status != http.StatusUnauthorized || a.json(t)["error"] == nil {
				t.Errorf("status %d, body %s; want 401 JSON", a.status, a.body)
			}
		})
	}

	if a := do(t, nil, apiRequest(t, "GET", s.APIURL+api+"/capabilities", token, nil, "")); a.status != 200 {
		t.Fatalf("fresh token: status %d", a.status)
	}
	clock.Add(int64(time.Hour/time.Second) + 1)
	if err := s.VerifyToken(token); err == nil {
		t.Error("VerifyToken accepted an expired token")
	} else if strings.Contains(err.Error(), parts[1]) {
		t.Errorf("VerifyToken's error holds the token: %s", redact(err.Error()))
	}
	if a := do(t, nil, apiRequest(t, "GET", s.APIURL+api+"/capabilities", token, nil, "")); a.status != http.StatusUnauthorized {
		t.Errorf("expired token: status %d, want 401", a.status)
	}

	calls := s.APIRequests()
	authorized := 0
	for _, c := range calls {
		if c.Authorized {
			authorized++
		}
	}
	if len(calls) != len(cases)+2 || authorized != 1 {
		t.Errorf("APIRequests: %d calls, %d authorized; want %d and 1", len(calls), authorized, len(cases)+2)
	}
}
