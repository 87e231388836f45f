package server_test

import (
	"encoding/json"
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
	"github.com/doxls/doxls/server"
	"go.lsp.dev/protocol"
)

// The figures in docs/performance.md come from these benchmarks; each says
// the command that runs it (scripts/bench.sh runs them all).

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

// BenchmarkInsertBearer inserts the token into every request of a document
// of 1,000, 5,000 and 50,000 requests (header mode: 500, 1,000 and 5,000;
// 50,000 would be an 87 MB document, past the server's 64 MB message
// cap), timed from the command to its
// answer, which the server sends after the client applied the edit and
// reported it. The client reports it as VS Code does (client=vscode: one
// didChange with one incremental change per edit, last to first) or with
// one full-text change (client=full). It reports the server's resident
// memory at that moment (MB-rss) and two seconds later
// (MB-rss-idle), the document still open. In header mode every
// request gets the whole token (about 1.7 KB), so the edit alone is 8.6 MB
// of JSON at 5,000 requests, and the didChange as much again; in variable
// mode the token is written once.
//
//	go test -run '^$' -bench 'InsertBearer$' -benchtime 5x ./server
func BenchmarkInsertBearer(b *testing.B) {
	for _, mode := range []string{"header", "variable"} {
		for _, client := range []string{"vscode", "full"} {
			for _, n := range insertSizes[mode] {
				b.Run(fmt.Sprintf("mode=%s/client=%s/requests=%d", mode, client, n), func(b *testing.B) {
					benchInsert(b, mode, client == "vscode", n)
				})
			}
		}
	}
}

// insertSizes are the document sizes of the insert benchmarks, by mode.
var insertSizes = map[string][]int{"header": {500, 1000, 5000}, "variable": {1000, 5000, 50000}}

func benchInsert(b *testing.B, mode string, incremental bool, n int) {
	e := newEnv(b, uaatest.Options{})
	c := e.start()
	c.incremental = incremental
	c.callWait = 5 * time.Minute
	c.initialize(e.dir, map[string]any{"insertMode": mode})
	doc := jobsDocument(e, n)
	if err := c.command("doxls.getToken", nil, nil); err != nil {
		b.Fatal(err)
	}
	i, rss, idle := 0, 0, 0
	var cpu, self time.Duration
	for b.Loop() {
		b.StopTimer()
		i++
		u := c.open(filepath.Join(e.dir, "big"+strconv.Itoa(i)+".http"), doc)
		c.must("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": u}, "position": protocol.Position{}}, nil) // opened
		cpu0, self0 := cpuTime(b, c.cmd.Process.Pid), cpuTime(b, os.Getpid())
		b.StartTimer()
		var res insertResult
		if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, &res); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime(b, c.cmd.Process.Pid) - cpu0
		self += cpuTime(b, os.Getpid()) - self0
		if res.Edited < n {
			b.Fatalf("edited %d lines, want at least %d", res.Edited, n)
		}
		rss = rssKB(b, c.cmd.Process.Pid)
		// The server returns the garbage of large messages once it has
		// been idle for half a second (docs/transport.md, "Memory"), after the
		// diagnostics of the new version: what
		// stays resident while the user reads the result.
		time.Sleep(2 * time.Second)
		idle = rssKB(b, c.cmd.Process.Pid)
		c.close(u)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(rss)/1024, "MB-rss")
	b.ReportMetric(float64(idle)/1024, "MB-rss-idle")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "server-cpu-ms")
	b.ReportMetric(float64(self.Microseconds())/1000/float64(b.N), "client-cpu-ms")
	c.shutdown()
}

// jobsDocument is a request file of n DOX requests without a token.
func jobsDocument(e *env, n int) string {
	var doc strings.Builder
	for i := range n {
		fmt.Fprintf(&doc, "### job %d\nGET %s/document/jobs/%d\nAccept: application/json\nX-Trace: %d\n\n", i, e.apiURL(), i, i)
	}
	return doc.String()
}

// tokenDocument opens a 5,000-request document and puts the token into
// every request (header mode): the document code lens and hover work on.
func tokenDocument(b *testing.B) (*client, protocol.DocumentURI, tokenResult) {
	e := newEnv(b, uaatest.Options{})
	c := e.start()
	c.incremental = true
	c.initialize(e.dir, nil)
	u := c.open(filepath.Join(e.dir, "big.http"), jobsDocument(e, 5000))
	if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, nil); err != nil {
		b.Fatal(err)
	}
	return c, u, c.token(nil)
}

// BenchmarkCodeLens is textDocument/codeLens on a 5,000-request document
// holding a token in every request: 5,000 lenses. cached: the same version
// again (its parse is shared); changed: right after a one-character edit,
// so the request pays for the new version's parse too.
//
//	go test -run '^$' -bench 'CodeLens|Hover$' -benchtime 200x ./server
func BenchmarkCodeLens(b *testing.B) {
	c, u, _ := tokenDocument(b)
	params := map[string]any{"textDocument": map[string]any{"uri": u}}
	benchAfterEdits(b, c, u, func() {
		var lenses []json.RawMessage
		c.must("textDocument/codeLens", params, &lenses)
		if len(lenses) != 5000 {
			b.Fatalf("%d lenses, want 5000", len(lenses))
		}
	})
}

// BenchmarkHover is a hover on the token of the last request of a
// 5,000-request document, as BenchmarkCodeLens.
func BenchmarkHover(b *testing.B) {
	c, u, tok := tokenDocument(b)
	text := c.text(u)
	at := strings.LastIndex(text, tok.AccessToken) + 10
	line := strings.Count(text[:at], "\n")
	col := at - strings.LastIndexByte(text[:at], '\n') - 1 // ASCII
	params := map[string]any{"textDocument": map[string]any{"uri": u}, "position": map[string]any{"line": line, "character": col}}
	benchAfterEdits(b, c, u, func() {
		var hover struct{ Contents struct{ Value string } }
		c.must("textDocument/hover", params, &hover)
		if !strings.Contains(hover.Contents.Value, "DOX access token") {
			b.Fatalf("hover %q, want the token's claims", hover.Contents.Value)
		}
	})
}

// benchAfterEdits times call on the same version (cached) and right after
// a one-character change at the top of the document (changed), reporting
// the median of each.
func benchAfterEdits(b *testing.B, c *client, u protocol.DocumentURI, call func()) {
	b.Run("cached", func(b *testing.B) { benchCall(b, c, nil, call) })
	version := 1000
	b.Run("changed", func(b *testing.B) {
		benchCall(b, c, func() {
			version++
			c.notify("textDocument/didChange", map[string]any{
				"textDocument":   map[string]any{"uri": u, "version": version},
				"contentChanges": []any{map[string]any{"range": protocol.Range{}, "text": "#"}},
			})
		}, call)
	})
}

// BenchmarkAfterIdle is a hover and code lens on the 5,000-request
// document of BenchmarkCodeLens once the server has been quiet long
// enough to shed the document's parse (docs/performance.md): the request
// pays for parsing the version again.
//
//	go test -run '^$' -bench AfterIdle -benchtime 5x ./server
func BenchmarkAfterIdle(b *testing.B) {
	c, u, tok := tokenDocument(b)
	text := c.text(u)
	at := strings.LastIndex(text, tok.AccessToken) + 10
	line := strings.Count(text[:at], "\n")
	col := at - strings.LastIndexByte(text[:at], '\n') - 1 // ASCII
	doc := map[string]any{"uri": u}
	idle := func() { time.Sleep(time.Second) } // the idle trim comes after 500 ms
	b.Run("hover", func(b *testing.B) {
		benchCall(b, c, idle, func() {
			c.must("textDocument/hover", map[string]any{"textDocument": doc, "position": map[string]any{"line": line, "character": col}}, nil)
		})
	})
	b.Run("codeLens", func(b *testing.B) {
		benchCall(b, c, idle, func() { c.must("textDocument/codeLens", map[string]any{"textDocument": doc}, nil) })
	})
}

// benchCall times call, after before (untimed) if there is one, reporting
// the median latency and the server's processor time per call.
func benchCall(b *testing.B, c *client, before, call func()) {
	var lat []time.Duration
	var cpu time.Duration
	for b.Loop() {
		if before != nil {
			b.StopTimer()
			before()
			b.StartTimer()
		}
		cpu0 := cpuTime(b, c.cmd.Process.Pid)
		start := time.Now()
		call()
		lat = append(lat, time.Since(start))
		cpu += cpuTime(b, c.cmd.Process.Pid) - cpu0
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(lat)), "server-cpu-ms")
}

func benchSession(b *testing.B) *client {
	e := newEnv(b, uaatest.Options{})
	c := e.session(nil)
	return c
}

// cpuTime is the processor time pid used so far (see server.ProcessCPU).
func cpuTime(b *testing.B, pid int) time.Duration {
	d, err := server.ProcessCPU(pid)
	if err != nil {
		b.Fatal(err)
	}
	return d
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
