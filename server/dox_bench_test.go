package server_test

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
)

// BenchmarkDoxCompletionWarm is one completion of clientId values in an
// upload's options, the instance's data cached, over stdio.
func BenchmarkDoxCompletionWarm(b *testing.B) {
	e, c := doxEnv(b, uaatest.Options{})
	text, pos := position(uploadDoc(e.apiURL(), `{"clientId": "|", "documentType": "invoice"}`))
	u := c.open(filepath.Join(e.dir, "bench.http"), text)
	c.complete(u, pos, true) // warm
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		if l := c.complete(u, pos, false); len(l.Items) != 2 {
			b.Fatalf("items %v", l.labels())
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
}

// BenchmarkDoxJobLensLarge is textDocument/codeLens on a document of 5,000
// GET …/document/jobs/<id> requests whose statuses are cached (the first
// calls fetch them, a bounded number per call).
func BenchmarkDoxJobLensLarge(b *testing.B) {
	e, c := doxEnv(b, uaatest.Options{})
	var doc strings.Builder
	for i := range 5000 {
		id := e.uaa.AddJob("default", "invoice")
		fmt.Fprintf(&doc, "### job %d\nGET %s/document/jobs/%s\nAccept: application/json\n\n", i, e.apiURL(), id)
	}
	u := c.open(filepath.Join(e.dir, "jobs.http"), doc.String())
	lenses := func() (done int) {
		var ls []lens
		c.must("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": u}}, &ls)
		for _, l := range ls {
			if strings.HasPrefix(l.Command.Title, "DOX job DONE") {
				done++
			}
		}
		return done
	}
	for lenses() < 5000 { // warm: each call fetches a bounded batch
	}
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		if n := lenses(); n != 5000 {
			b.Fatalf("%d DONE lenses", n)
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
}
