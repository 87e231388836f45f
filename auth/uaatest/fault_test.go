package uaatest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
)

// goodRequest is a token request that succeeds when no fault is set.
func goodRequest(t *testing.T, s *uaatest.Server) *http.Request {
	t.Helper()
	r := tokenRequest(t, s.URL, clientCredentials)
	r.Header.Set("Authorization", basic(uaatest.DefaultClient.ID, uaatest.DefaultClient.Secret))
	return r
}

func TestFaultAnswers(t *testing.T) {
	cases := []struct {
		fault      uaatest.Fault
		wantStatus int
		wantType   string
		check      func(t *testing.T, a answer)
	}{
		{uaatest.Fault{Kind: uaatest.Fault500}, 500, "application/json;charset=UTF-8", func(t *testing.T, a answer) {
			if a.json(t)["error"] != "server_error" {
				t.Errorf("body %s, want error server_error", a.body)
			}
		}},
		{uaatest.Fault{Kind: uaatest.Fault503}, 503, "text/plain; charset=utf-8", nil},
		{uaatest.Fault{Kind: uaatest.Fault429, RetryAfter: 1500 * time.Millisecond}, 429, "application/json;charset=UTF-8", func(t *testing.T, a answer) {
			if got := a.header.Get("Retry-After"); got != "2" {
				t.Errorf("Retry-After %q, want 2 (1.5 s rounded up)", got)
			}
		}},
		{uaatest.Fault{Kind: uaatest.Fault429}, 429, "application/json;charset=UTF-8", func(t *testing.T, a answer) {
			if got, ok := a.header["Retry-After"]; ok {
				t.Errorf("Retry-After %q sent, want none without RetryAfter", got)
			}
		}},
		{uaatest.Fault{Kind: uaatest.FaultHTML}, 200, "text/html;charset=UTF-8", func(t *testing.T, a answer) {
			if !strings.Contains(string(a.body), "<form") {
				t.Errorf("HTML page lacks a login form")
			}
		}},
		{uaatest.Fault{Kind: uaatest.Fault404}, 404, "text/html;charset=UTF-8", nil},
		{uaatest.Fault{Kind: uaatest.FaultNoExpiresIn}, 200, "application/json;charset=UTF-8", func(t *testing.T, a answer) {
			wantToken(t, a)
			if v, ok := a.json(t)["expires_in"]; ok {
				t.Errorf("expires_in %v present", v)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.fault.Kind.String(), func(t *testing.T) {
			s := start(t, uaatest.Options{})
			s.SetFault(uaatest.Fault{Kind: tc.fault.Kind, Count: 1, RetryAfter: tc.fault.RetryAfter})
			a := do(t, nil, goodRequest(t, s))
			if a.status != tc.wantStatus {
				t.Fatalf("status %d, want %d", a.status, tc.wantStatus)
			}
			if ct := a.header.Get("Content-Type"); ct != tc.wantType {
				t.Errorf("Content-Type %q, want %q", ct, tc.wantType)
			}
			if tc.check != nil {
				tc.check(t, a)
			}
			// Count 1: the next request is served normally.
			a = do(t, nil, goodRequest(t, s))
			if a.json(t)["expires_in"] != float64(43199) {
				t.Errorf("after the fault: status %d, expires_in %v", a.status, a.json(t)["expires_in"])
			}
			wantToken(t, a)
			if n := s.TokenRequests(); n != 2 {
				t.Errorf("TokenRequests %d, want 2", n)
			}
		})
	}
}

func TestFaultTruncated(t *testing.T) {
	s := start(t, uaatest.Options{})
	s.SetFault(uaatest.Fault{Kind: uaatest.FaultTruncated, Count: 1})
	resp, err := http.DefaultClient.Do(goodRequest(t, s))
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json;charset=UTF-8" {
		t.Errorf("status %d, Content-Type %q; want 200 JSON", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading the body: %v, want unexpected EOF", err)
	}
	if int64(len(body)) >= resp.ContentLength {
		t.Errorf("got %d of %d bytes, want fewer", len(body), resp.ContentLength)
	}
}

func TestFaultCount(t *testing.T) {
	s := start(t, uaatest.Options{})
	s.SetFault(uaatest.Fault{Kind: uaatest.Fault503, Count: 2})
	for i, want := range []int{503, 503, 200} {
		if a := do(t, nil, goodRequest(t, s)); a.status != want {
			t.Errorf("request %d: status %d, want %d", i+1, a.status, want)
		}
	}
	s.SetFault(uaatest.Fault{Kind: uaatest.Fault500}) // Count 0: until changed
	for i := range 3 {
		if a := do(t, nil, goodRequest(t, s)); a.status != 500 {
			t.Errorf("request %d with a lasting fault: status %d, want 500", i+1, a.status)
		}
	}
	s.SetFault(uaatest.Fault{})
	wantToken(t, do(t, nil, goodRequest(t, s)))
	if n := s.TokenRequests(); n != 7 {
		t.Errorf("TokenRequests %d, want 7", n)
	}
}

// A hung request goes on once released, and Release clears the fault.
func TestFaultHangRelease(t *testing.T) {
	s := start(t, uaatest.Options{})
	s.SetFault(uaatest.Fault{Kind: uaatest.FaultHang})
	done := make(chan answer, 1)
	req := goodRequest(t, s)
	go func() { done <- send(req) }()
	s.AwaitTokenRequests(t, 1)
	select {
	case a := <-done:
		t.Fatalf("hung request answered %d before Release", a.status)
	default:
	}
	s.Release()
	wantToken(t, <-done)
	wantToken(t, do(t, nil, goodRequest(t, s)))
}

func TestFaultHangCancelled(t *testing.T) {
	s := start(t, uaatest.Options{})
	s.SetFault(uaatest.Fault{Kind: uaatest.FaultHang})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan answer, 1)
	req := goodRequest(t, s).WithContext(ctx)
	go func() { done <- send(req) }()
	s.AwaitTokenRequests(t, 1)
	cancel()
	if err := (<-done).err; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: %v, want context.Canceled", err)
	}
	s.Close() // returns: the handler noticed the cancellation
}

func TestFaultHangClose(t *testing.T) {
	s, err := uaatest.New(uaatest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.SetFault(uaatest.Fault{Kind: uaatest.FaultHang})
	done := make(chan answer, 1)
	req := goodRequest(t, s)
	go func() { done <- send(req) }()
	s.AwaitTokenRequests(t, 1)
	s.Close()
	s.Close() // a second Close is harmless
	if err := (<-done).err; err == nil {
		t.Error("hung request succeeded after Close, want a connection error")
	}
}

// Every arrival counts, answered, faulted or refused, from many goroutines.
func TestTokenRequestsConcurrent(t *testing.T) {
	s := start(t, uaatest.Options{})
	s.SetFault(uaatest.Fault{Kind: uaatest.Fault500, Count: 10})
	const n = 60
	var wg sync.WaitGroup
	statuses := make(chan int, n)
	for i := range n {
		r := goodRequest(t, s)
		if i%3 == 0 {
			r.Header.Set("Authorization", basic(uaatest.DefaultClient.ID, "wrong"))
		}
		wg.Go(func() {
			a := send(r)
			if a.err != nil {
				t.Errorf("request %d: %v", i, a.err)
				return
			}
			statuses <- a.status
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	if got := s.TokenRequests(); got != n {
		t.Errorf("TokenRequests %d, want %d", got, n)
	}
	if count[500] != 10 {
		t.Errorf("%d answers were 500, want exactly the 10 of the fault's Count (all: %v)", count[500], count)
	}
}
