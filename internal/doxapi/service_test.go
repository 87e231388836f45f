package doxapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/internal/doxapi"
)

// stub is the emulator with a key whose token the target fetches.
func stub(t *testing.T, opts uaatest.Options) (*uaatest.Server, doxapi.Target) {
	t.Helper()
	emu, err := uaatest.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Close)
	key, err := auth.ParseKey("dox-key.json", emu.KeyJSON(uaatest.DefaultClient))
	if err != nil {
		t.Fatal(err)
	}
	client := auth.NewClient(auth.ClientOptions{})
	return emu, doxapi.Target{Key: key.ID, APIURL: key.APIURL, Token: func(ctx context.Context) (string, error) {
		tok, err := client.Fetch(ctx, key)
		return tok.AccessToken, err
	}}
}

func service(t *testing.T, o doxapi.Options) *doxapi.Service {
	s := doxapi.New(o)
	t.Cleanup(s.Close)
	return s
}

func TestLookupReadsClientsAndCapabilities(t *testing.T) {
	emu, target := stub(t, uaatest.Options{APIClients: []uaatest.APIClient{{ID: "c_00", Name: "Client 00"}, {ID: "default", Name: "Default client"}}})
	// A generous budget: this test is about what is read, not how fast.
	s := service(t, doxapi.Options{Wait: time.Minute})
	data, reason := s.Lookup(context.Background(), target)
	if reason != "" {
		t.Fatalf("reason %q", reason)
	}
	if got := data.Clients; len(got) != 2 || got[0].ID != "c_00" || got[0].Name != "Client 00" {
		t.Errorf("clients %+v", got)
	}
	if !slices.Contains(data.Capabilities.DocumentTypes, "invoice") || len(data.Capabilities.Extraction.HeaderFields) == 0 {
		t.Errorf("capabilities %+v", data.Capabilities)
	}
	for _, c := range emu.APIRequests() {
		if c.Path == doxapi.Base+"/clients" && !strings.Contains(c.Query, "limit=") {
			t.Errorf("GET /clients without limit: %q", c.Query)
		}
	}
	// From the cache: no new call.
	n := len(emu.APIRequests())
	if again, _ := s.Lookup(context.Background(), target); len(again.Clients) != 2 || len(emu.APIRequests()) != n {
		t.Errorf("second lookup: %d clients, %d calls (was %d)", len(again.Clients), len(emu.APIRequests()), n)
	}
}

func TestLookupRefreshesStaleDataInTheBackground(t *testing.T) {
	emu, target := stub(t, uaatest.Options{})
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	s := service(t, doxapi.Options{Wait: time.Minute, Now: func() time.Time { return time.Unix(0, clock.Load()) }})
	if _, reason := s.Lookup(context.Background(), target); reason != "" {
		t.Fatal(reason)
	}
	calls := len(emu.APIRequests())
	emu.HangAPI()
	clock.Add(int64(2 * time.Minute))
	data, reason := s.Lookup(context.Background(), target) // stale: answered at once
	if len(data.Clients) != 1 || reason != "" {
		t.Fatalf("stale lookup: %+v %q", data, reason)
	}
	for len(emu.APIRequests()) == calls {
		runtime.Gosched() // the background call is on its way; no timer decides
	}
	emu.Release()
}

func TestLookupOnAHangingAPIAnswersWithinTheBudgetAndSaysWhyOnce(t *testing.T) {
	emu, target := stub(t, uaatest.Options{})
	emu.HangAPI()
	s := service(t, doxapi.Options{Wait: 20 * time.Millisecond})
	data, reason := s.Lookup(context.Background(), target)
	if len(data.Clients) != 0 || !strings.Contains(reason, "did not answer within 20 ms") {
		t.Fatalf("first lookup: %+v %q", data, reason)
	}
	if _, again := s.Lookup(context.Background(), target); again != "" {
		t.Errorf("the reason was said twice: %q", again)
	}
	emu.Release()
}

func TestLookupSaysAnAPIErrorOnce(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"error":{"code":403,"message":"Missing scope\nxs_user.read"}}`))
	}))
	defer api.Close()
	s := service(t, doxapi.Options{Wait: time.Minute})
	target := doxapi.Target{Key: "k", APIURL: api.URL, Token: func(context.Context) (string, error) { return "eyJ.x.y", nil }}
	_, reason := s.Lookup(context.Background(), target)
	if reason != "DOX API: 403 Missing scope xs_user.read" {
		t.Errorf("reason %q", reason)
	}
	if _, again := s.Lookup(context.Background(), target); again != "" {
		t.Errorf("said twice: %q", again)
	}
}

func TestNoTokenGoesOverPlainHTTPOrRedirects(t *testing.T) {
	var tokenAsked atomic.Bool
	target := doxapi.Target{Key: "k", APIURL: "http://dox.example.com", Token: func(context.Context) (string, error) {
		tokenAsked.Store(true)
		return "", errors.New("not asked")
	}}
	s := service(t, doxapi.Options{})
	if _, reason := s.Lookup(context.Background(), target); !strings.Contains(reason, "not https") {
		t.Errorf("reason %q", reason)
	}
	if _, err := s.Job(context.Background(), target, "3c9e1f0a-0000-4000-8000-000000000000"); err == nil {
		t.Error("Job over plain http to a remote host succeeded")
	}
	if tokenAsked.Load() {
		t.Error("a token was asked for a plain-http remote host")
	}

	var elsewhere atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Store(true) }))
	defer other.Close()
	redirecting := httptest.NewServer(http.RedirectHandler(other.URL+"/steal", http.StatusFound))
	defer redirecting.Close()
	target = doxapi.Target{Key: "r", APIURL: redirecting.URL, Token: func(context.Context) (string, error) { return "eyJ.x.y", nil }}
	if _, err := s.Job(context.Background(), target, "3c9e1f0a-0000-4000-8000-000000000000"); err == nil {
		t.Error("a redirect was taken for an answer")
	}
	if elsewhere.Load() {
		t.Error("a redirect was followed to another host")
	}
	if _, err := s.Job(context.Background(), target, "../../clients"); err == nil {
		t.Error("a job id with a path was sent")
	}
}

func TestJobsFollowAJobFromPendingToDone(t *testing.T) {
	emu, target := stub(t, uaatest.Options{PendingPolls: -1})
	id := emu.AddJob("default", "invoice")
	s := service(t, doxapi.Options{Wait: time.Minute})
	got := s.Jobs(context.Background(), target, []string{id, "not/an/id"})
	if st := got[id]; !st.Known || st.Job.Status != doxapi.StatusPending {
		t.Fatalf("before: %+v", st)
	}
	if _, ok := got["not/an/id"]; ok {
		t.Error("an invalid id got a state")
	}
	emu.FinishJob(id, uaatest.JobDone)
	j, err := s.Job(context.Background(), target, id)
	if err != nil || j.Status != doxapi.StatusDone || len(j.Extraction.HeaderFields) != 5 {
		t.Fatalf("Job: %+v %v", j, err)
	}
	calls := len(emu.APIRequests())
	if st := s.Jobs(context.Background(), target, []string{id})[id]; st.Job.Status != doxapi.StatusDone || len(emu.APIRequests()) != calls {
		t.Errorf("after Job: %+v, %d new calls", st, len(emu.APIRequests())-calls)
	}
}
