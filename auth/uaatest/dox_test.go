package uaatest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"slices"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
)

func TestAPIStubClients(t *testing.T) {
	s := start(t, uaatest.Options{APIClients: []uaatest.APIClient{
		{ID: "c_00", Name: "Client 00"}, {ID: "c_01", Name: "Client 01"}, {ID: "other", Name: "Other"},
	}})
	token, _ := fetchToken(t, s)
	ids := func(query string) (int, []string) {
		a := do(t, nil, apiRequest(t, "GET", s.APIURL+api+"/clients"+query, token, nil, ""))
		if a.status != http.StatusOK {
			return a.status, nil
		}
		var body struct{ Payload []uaatest.APIClient }
		if err := json.Unmarshal(a.body, &body); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range body.Payload {
			out = append(out, c.ID+"="+c.Name)
		}
		return a.status, out
	}
	cases := []struct {
		query  string
		status int
		want   []string
	}{
		{"", http.StatusBadRequest, nil},
		{"?limit=abc", http.StatusBadRequest, nil},
		{"?limit=10", 200, []string{"c_00=Client 00", "c_01=Client 01", "other=Other"}},
		{"?limit=1&offset=1", 200, []string{"c_01=Client 01"}},
		{"?limit=10&clientIdStartsWith=c_", 200, []string{"c_00=Client 00", "c_01=Client 01"}},
		{"?limit=10&offset=9", 200, nil},
	}
	for _, tc := range cases {
		status, got := ids(tc.query)
		if status != tc.status || !slices.Equal(got, tc.want) {
			t.Errorf("GET /clients%s: %d %v, want %d %v", tc.query, status, got, tc.status, tc.want)
		}
	}
}

func TestAPIStubCapabilitiesNameSupportedDocumentTypes(t *testing.T) {
	s := start(t, uaatest.Options{})
	token, _ := fetchToken(t, s)
	a := do(t, nil, apiRequest(t, "GET", s.APIURL+api+"/capabilities", token, nil, ""))
	var caps struct {
		DocumentTypes []string
		Extraction    struct {
			HeaderFields, LineItemFields []struct {
				Name, Type, Category   string
				SupportedDocumentTypes []string
			}
		}
	}
	if err := json.Unmarshal(a.body, &caps); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(caps.DocumentTypes, "invoice") || len(caps.Extraction.HeaderFields) == 0 || len(caps.Extraction.LineItemFields) == 0 {
		t.Fatalf("capabilities: %s", a.body)
	}
	for _, f := range append(caps.Extraction.HeaderFields, caps.Extraction.LineItemFields...) {
		if f.Name == "" || f.Type == "" || f.Category == "" || len(f.SupportedDocumentTypes) == 0 {
			t.Errorf("field without name, type, category or supportedDocumentTypes: %+v", f)
		}
	}
}

func TestAPIStubJobGoesFromPendingToDone(t *testing.T) {
	s := start(t, uaatest.Options{PendingPolls: 2})
	token, _ := fetchToken(t, s)
	body, ct := upload(t, "file", "options")
	created := do(t, nil, apiRequest(t, "POST", s.APIURL+api+"/document/jobs", token, body, ct)).json(t)
	id, _ := created["id"].(string)
	get := func() map[string]any {
		return do(t, nil, apiRequest(t, "GET", s.APIURL+api+"/document/jobs/"+id, token, nil, "")).json(t)
	}
	for i := range 2 {
		if doc := get(); doc["status"] != "PENDING" || doc["extraction"] != nil {
			t.Fatalf("poll %d: %v, want PENDING without extraction", i+1, doc)
		}
	}
	doc := get()
	if doc["status"] != "DONE" || doc["documentType"] != "invoice" {
		t.Fatalf("poll 3: %v, want DONE for an invoice", doc)
	}
	ext, _ := doc["extraction"].(map[string]any)
	fields, _ := ext["headerFields"].([]any)
	if len(fields) != 5 || ext["lineItems"] == nil {
		t.Fatalf("extraction: %v", ext)
	}
	for _, f := range fields {
		f := f.(map[string]any)
		for _, k := range []string{"name", "value", "confidence", "page", "type", "category", "coordinates"} {
			if _, ok := f[k]; !ok {
				t.Errorf("header field %v has no %s", f["name"], k)
			}
		}
	}
	list := do(t, nil, apiRequest(t, "GET", s.APIURL+api+"/document/jobs?clientId=default", token, nil, "")).json(t)
	if results, _ := list["results"].([]any); len(results) != 1 {
		t.Errorf("jobs of client default: %v", list)
	}
	list = do(t, nil, apiRequest(t, "GET", s.APIURL+api+"/document/jobs?clientId=c_00", token, nil, "")).json(t)
	if results, _ := list["results"].([]any); len(results) != 0 {
		t.Errorf("jobs of client c_00: %v", list)
	}
}

func TestAPIStubFinishJobAndUnknownOptions(t *testing.T) {
	s := start(t, uaatest.Options{PendingPolls: -1})
	token, _ := fetchToken(t, s)
	id := s.AddJob("default", "invoice")
	status := func() any {
		return do(t, nil, apiRequest(t, "GET", s.APIURL+api+"/document/jobs/"+id, token, nil, "")).json(t)["status"]
	}
	for range 3 {
		if got := status(); got != "PENDING" {
			t.Fatalf("status %v before FinishJob, want PENDING", got)
		}
	}
	if !s.FinishJob(id, uaatest.JobFailed) || status() != "FAILED" {
		t.Fatal("FinishJob(FAILED) did not show")
	}
	if s.FinishJob("3c9e1f0a-0000-4000-8000-000000000000", uaatest.JobDone) {
		t.Error("FinishJob of an unknown id reported true")
	}
	s2 := start(t, uaatest.Options{APIClients: []uaatest.APIClient{{ID: "c_00", Name: "Client 00"}}})
	token2, _ := fetchToken(t, s2)
	body, ct := upload(t, "file", "options") // clientId "default"
	if a := do(t, nil, apiRequest(t, "POST", s2.APIURL+api+"/document/jobs", token2, body, ct)); a.status != http.StatusBadRequest {
		t.Errorf("upload for a client the instance lacks: %d, want 400", a.status)
	}
}

func TestAPIStubHangs(t *testing.T) {
	s := start(t, uaatest.Options{})
	token, _ := fetchToken(t, s)
	s.HangAPI()
	ctx, cancel := context.WithCancel(context.Background())
	req := apiRequest(t, "GET", s.APIURL+api+"/capabilities", token, nil, "").WithContext(ctx)
	done := make(chan answer, 1)
	go func() { done <- send(req) }()
	for len(s.APIRequests()) == 0 {
		select {
		case a := <-done:
			t.Fatalf("a hung API answered: %d", a.status)
		default:
		}
		runtime.Gosched() // the call is on its way; no timer decides
	}
	s.Release()
	if a := <-done; a.err != nil || a.status != 200 {
		t.Fatalf("after Release: %v %d", a.err, a.status)
	}
	cancel()
}
