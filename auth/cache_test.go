package auth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
)

// fakeClock is a settable clock shared by the emulator and the client.
type fakeClock struct{ ns atomic.Int64 }

func newClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) Set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func TestCacheOneFetchFor500Callers(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	k := emuKey(t, s, uaatest.DefaultClient)
	cache := NewCache(quick(s, ClientOptions{}), 5*time.Minute)
	const n = 500
	start := make(chan struct{})
	tokens := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tok, _, err := cache.Token(context.Background(), k, false)
			tokens[i], errs[i] = tok.AccessToken, err
		}()
	}
	close(start)
	wg.Wait()
	if got := s.TokenRequests(); got != 1 {
		t.Errorf("%d token requests for %d concurrent callers, want 1", got, n)
	}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		sameToken(t, tokens[i], tokens[0])
	}
}

func TestCacheMarginAndForce(t *testing.T) {
	clock := newClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := emulator(t, uaatest.Options{Now: clock.Now})
	k := emuKey(t, s, uaatest.DefaultClient)
	cache := NewCache(quick(s, ClientOptions{Now: clock.Now}), 300*time.Second)
	ctx := context.Background()
	get := func(force, wantCached bool, wantRequests int) Token {
		t.Helper()
		tok, cached, err := cache.Token(ctx, k, force)
		if err != nil {
			t.Fatal(err)
		}
		if cached != wantCached || s.TokenRequests() != wantRequests {
			t.Errorf("fromCache %v, %d requests; want %v, %d", cached, s.TokenRequests(), wantCached, wantRequests)
		}
		return tok
	}
	first := get(false, false, 1)
	expires := first.ExpiresAt
	sameToken(t, get(false, true, 1).AccessToken, first.AccessToken)
	clock.Set(expires.Add(-301 * time.Second)) // more than the margin left
	sameToken(t, get(false, true, 1).AccessToken, first.AccessToken)
	clock.Set(expires.Add(-300 * time.Second)) // exactly the margin: refresh
	second := get(false, false, 2)
	if second.AccessToken == first.AccessToken || !second.ExpiresAt.After(expires) {
		t.Errorf("refresh kept the old token or expiry (%v)", second.ExpiresAt)
	}
	get(true, false, 3) // force bypasses a good token
	if tok, ok := cache.Peek(k.ID); !ok || tok.AccessToken == second.AccessToken {
		t.Errorf("Peek after force: %v, %s", ok, Redact(tok.AccessToken))
	}
	cache.SetMargin(43200 * time.Second) // longer than a token lives: always refresh
	get(false, false, 4)
	get(false, false, 5)
}

func TestCacheAdoptPeekClear(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	k := emuKey(t, s, uaatest.DefaultClient)
	cache := NewCache(quick(s, ClientOptions{}), 5*time.Minute)
	if _, ok := cache.Peek(k.ID); ok {
		t.Error("Peek on an empty cache found a token")
	}
	adopted := Token{AccessToken: jwt(t, map[string]any{"cid": "from-a-document"}), TokenType: "bearer", ExpiresAt: time.Now().Add(time.Hour)}
	if !cache.CanAdopt(k) || !cache.Adopt(k, adopted) {
		t.Fatal("a key's first token was not adopted")
	}
	if cache.Adopt(k, adopted) {
		t.Error("a second token was adopted for the same key")
	}
	tok, cached, err := cache.Token(context.Background(), k, false)
	if err != nil || !cached || s.TokenRequests() != 0 {
		t.Fatalf("adopted token not served: cached %v, err %v, %d requests", cached, err, s.TokenRequests())
	}
	sameToken(t, tok.AccessToken, adopted.AccessToken)
	// An expired token stays visible to Peek but is not served.
	other := *k
	other.ID = "other"
	cache.Adopt(&other, Token{AccessToken: "old", ExpiresAt: time.Now().Add(-time.Minute)})
	if tok, ok := cache.Peek("other"); !ok || tok.AccessToken != "old" || cache.Serves(&other) {
		t.Error("Peek does not return an expired token, or Serves serves it")
	}
	if n := cache.Clear(k.ID); n != 1 {
		t.Errorf("Clear(id) = %d, want 1", n)
	}
	if n := cache.Clear(k.ID); n != 0 {
		t.Errorf("second Clear(id) = %d, want 0", n)
	}
	if cache.CanAdopt(k) || cache.Adopt(k, adopted) {
		t.Error("a token was adopted after Clear")
	}
	if _, cached, _ := cache.Token(context.Background(), k, false); cached || s.TokenRequests() != 1 {
		t.Errorf("after Clear: cached %v, %d requests", cached, s.TokenRequests())
	}
	if n := cache.Clear(""); n != 2 {
		t.Errorf("Clear(\"\") = %d, want 2", n)
	}
	if _, ok := cache.Peek(k.ID); ok {
		t.Error("token still there after Clear(\"\")")
	}
	fresh := *k
	fresh.ID = "never-seen.json"
	if cache.CanAdopt(&fresh) {
		t.Error("a key may adopt after Clear(\"\")")
	}
}

// A key that had a fetch (even a failed one) never adopts afterwards: a
// wrong secret is reported, not hidden behind a document's token.
func TestCacheNoAdoptionAfterAFetch(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	bad := emuKey(t, s, uaatest.Client{ID: uaatest.DefaultClient.ID, Secret: "wrong+$/="})
	cache := NewCache(quick(s, ClientOptions{}), 5*time.Minute)
	if _, _, err := cache.Token(context.Background(), bad, false); err == nil {
		t.Fatal("a wrong secret got a token")
	}
	if cache.CanAdopt(bad) {
		t.Error("adoption allowed after a fetch")
	}
}

// The same key id with another secret (the file was edited) is a new key:
// the old credentials' token is not served.
func TestCacheKeyChangedSecret(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	cache := NewCache(quick(s, ClientOptions{}), 5*time.Minute)
	good := emuKey(t, s, uaatest.DefaultClient)
	if _, _, err := cache.Token(context.Background(), good, false); err != nil {
		t.Fatal(err)
	}
	changed := emuKey(t, s, uaatest.Client{ID: uaatest.DefaultClient.ID, Secret: "rotated+$/=!|"})
	if cache.Serves(changed) {
		t.Error("Serves says the old credentials' token is good for the new ones")
	}
	_, cached, err := cache.Token(context.Background(), changed, false)
	var te *TokenError
	if cached || !errors.As(err, &te) || te.Kind != KindUnauthorized || s.TokenRequests() != 2 {
		t.Errorf("changed secret: cached %v, err %v, %d requests", cached, err, s.TokenRequests())
	}
	noSecret(t, "the error", err.Error(), "rotated+$/=!|")
}

func TestCacheKeyChangedClient(t *testing.T) {
	other := uaatest.Client{ID: "sb-other!b1|dox-xsuaa-std-trial!b10844", Secret: "o+t/h=e$r"}
	s := emulator(t, uaatest.Options{Clients: []uaatest.Client{uaatest.DefaultClient, other}})
	cache := NewCache(quick(s, ClientOptions{}), 5*time.Minute)
	a := emuKey(t, s, uaatest.DefaultClient)
	b := emuKey(t, s, other) // same id "dox.json": the file was replaced
	ta, _, _ := cache.Token(context.Background(), a, false)
	tb, cached, err := cache.Token(context.Background(), b, false)
	if err != nil || cached || tb.AccessToken == ta.AccessToken {
		t.Errorf("the token of the old client was served for the new one (cached %v, err %v)", cached, err)
	}
	if c, _ := ParseClaims(tb.AccessToken); c.ClientID != other.ID {
		t.Errorf("token for %q", c.ClientID)
	}
}

func TestCacheErrorsAreNotCached(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	k := emuKey(t, s, uaatest.DefaultClient)
	cache := NewCache(quick(s, ClientOptions{}), 5*time.Minute)
	s.SetFault(uaatest.Fault{Kind: uaatest.Fault404, Count: 1})
	if _, _, err := cache.Token(context.Background(), k, false); err == nil {
		t.Fatal("no error on 404")
	}
	if _, cached, err := cache.Token(context.Background(), k, false); err != nil || cached || s.TokenRequests() != 2 {
		t.Errorf("second call: cached %v, err %v, %d requests", cached, err, s.TokenRequests())
	}
}

func TestCacheCancelledWaiter(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	k := emuKey(t, s, uaatest.DefaultClient)
	cache := NewCache(quick(s, ClientOptions{AttemptTimeout: time.Minute, Deadline: time.Minute}), 5*time.Minute)
	s.SetFault(uaatest.Fault{Kind: uaatest.FaultHang, Count: 1})

	type result struct {
		tok Token
		err error
	}
	stay := make(chan result, 1)
	go func() {
		tok, _, err := cache.Token(context.Background(), k, false)
		stay <- result{tok, err}
	}()
	waitRequests(t, s, 1)

	// A second caller joins the hung fetch, then gives up: it returns at
	// once, and the fetch goes on for the first caller.
	ctx, cancel := context.WithCancel(context.Background())
	left := make(chan error, 1)
	go func() {
		_, _, err := cache.Token(ctx, k, false)
		left <- err
	}()
	cancel()
	select {
	case err := <-left:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancelled caller still waiting")
	}
	s.Release()
	r := <-stay
	if r.err != nil {
		t.Fatal(r.err)
	}
	if n := s.TokenRequests(); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

func TestCacheAllWaitersGone(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	k := emuKey(t, s, uaatest.DefaultClient)
	cache := NewCache(quick(s, ClientOptions{AttemptTimeout: time.Minute, Deadline: time.Minute}), 5*time.Minute)
	s.SetFault(uaatest.Fault{Kind: uaatest.FaultHang, Count: 1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := cache.Token(ctx, k, false)
		done <- err
	}()
	waitRequests(t, s, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	// The abandoned fetch does not block the next caller, who starts afresh.
	tok, cached, err := cache.Token(context.Background(), k, false)
	if err != nil || cached {
		t.Fatalf("cached %v, err %v", cached, err)
	}
	if err := s.VerifyToken(tok.AccessToken); err != nil {
		t.Error(err)
	}
	if n := s.TokenRequests(); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}
