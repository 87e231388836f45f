package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/internal/testbin"
)

// The figures in docs/performance.md come from these benchmarks:
//
//	go test -run '^$' -bench . -benchtime 200x ./server

// BenchmarkSpawnToInitialize measures starting the binary until its
// initialize answer arrives (the median: one slow start on a shared
// machine says little).
func BenchmarkSpawnToInitialize(b *testing.B) {
	e := newEnv(b, uaatest.Options{})
	if _, err := testbin.Path(); err != nil { // built before anything is timed
		b.Fatal(err)
	}
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		c := e.session(nil)
		lat = append(lat, time.Since(start))
		c.shutdown()
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
}

// BenchmarkGetTokenCached is one doxls.getToken round trip over stdio with
// the token cached.
func BenchmarkGetTokenCached(b *testing.B) {
	c := benchSession(b)
	tok := c.token(nil)
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := c.command("doxls.getToken", nil, &tok); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
}

// BenchmarkRoundTripFloor is the cheapest request there is (a hover on a
// document that is not open), the transport's share of every figure above.
func BenchmarkRoundTripFloor(b *testing.B) {
	c := benchSession(b)
	params := map[string]any{"textDocument": map[string]any{"uri": "file:///none.http"}, "position": map[string]any{"line": 0, "character": 0}}
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		c.must("textDocument/hover", params, nil)
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
}

// BenchmarkHoverWhileAFetchIsStalled is a hover on a token while a forced
// getToken hangs at UAA: requests do not wait for each other.
func BenchmarkHoverWhileAFetchIsStalled(b *testing.B) {
	e := newEnv(b, uaatest.Options{})
	s := e.stallFetch()
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		s.c.must("textDocument/hover", s.hover, nil)
		lat = append(lat, time.Since(start))
	}
	s.stillStalled(b)
	e.uaa.Release()
	if err := <-s.stalled; err != nil {
		b.Fatal(err)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "ms-max")
}

// BenchmarkInsertBearerLarge inserts the token into every request of a
// 5,000-request document, timed from the command to its answer, which the
// server sends after the client applied the edit. It reports the server's
// resident memory at that moment, the document still open. In header mode
// every request gets the whole token (about 1.7 KB), so the edit alone is
// 8.6 MB of JSON; in variable mode the token is written once.
func BenchmarkInsertBearerLarge(b *testing.B) {
	for _, mode := range []string{"header", "variable"} {
		b.Run(mode, func(b *testing.B) {
			e := newEnv(b, uaatest.Options{})
			c := e.session(map[string]any{"insertMode": mode})
			var doc strings.Builder
			for i := 0; i < 5000; i++ {
				fmt.Fprintf(&doc, "### job %d\nGET %s/document/jobs/%d\nAccept: application/json\nX-Trace: %d\n\n", i, e.apiURL(), i, i)
			}
			if err := c.command("doxls.getToken", nil, nil); err != nil {
				b.Fatal(err)
			}
			i, rss := 0, 0
			for b.Loop() {
				b.StopTimer()
				i++
				path := filepath.Join(e.dir, "big"+strconv.Itoa(i)+".http")
				u := c.open(path, doc.String())
				b.StartTimer()
				var res insertResult
				if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, &res); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if res.Edited < 5000 {
					b.Fatalf("edited %d lines, want at least 5000", res.Edited)
				}
				rss = rssKB(b, c.cmd.Process.Pid)
				c.close(u)
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(rss)/1024, "MB-rss")
			c.shutdown()
		})
	}
}

func benchSession(b *testing.B) *client {
	e := newEnv(b, uaatest.Options{})
	c := e.session(nil)
	return c
}

// rssKB reads VmRSS of pid.
func rssKB(b *testing.B, pid int) int {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

// TestConcurrentGetTokenColdCache: 500 simultaneous doxls.getToken over
// one connection make one request to UAA.
func TestConcurrentGetTokenColdCache(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	c := e.session(nil)
	var wg sync.WaitGroup
	tokens := make([]string, 500)
	errs := make([]error, 500)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var tok tokenResult
			errs[i] = c.command("doxls.getToken", nil, &tok)
			tokens[i] = tok.AccessToken
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if tokens[i] != tokens[0] {
			t.Fatalf("call %d got a different token", i)
		}
	}
	if n := e.uaa.TokenRequests(); n != 1 {
		t.Errorf("500 concurrent getToken made %d token requests, want 1", n)
	}
	// The status went out before the first answer, and only once.
	c.mu.Lock()
	valid := 0
	for _, n := range c.notes {
		if n.method == "dox/tokenStatus" && strings.Contains(string(n.params), `"state":"valid"`) {
			valid++
		}
	}
	c.mu.Unlock()
	if valid != 1 {
		t.Errorf("the client was told %d times that the token is valid, want once", valid)
	}
}
