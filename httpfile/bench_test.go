package httpfile

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// generate writes a request file of n requests the way the corpus files
// are written: file variables, token variables and pasted tokens, multipart
// uploads, query continuations, foreign hosts; about 200 bytes a request.
func generate(n int) []byte {
	var b bytes.Buffer
	b.WriteString("# generated DOX requests\n@host = https://" + doxHost + "\n@api = {{host}}/document-information-extraction/v1\n@tok = old.token.value\n\n")
	for i := 0; i < n; i++ {
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "### capabilities %d\nGET {{api}}/capabilities\nAccept: application/json\nX-Request-Id: %08x-0d7b-4e3a-9c6f-2b8d1e4a7c30\n\n", i, i)
		case 1:
			fmt.Fprintf(&b, "### job %d\n# @name job%d\nGET {{api}}/document/jobs/%08x-5a4d-4f6e-9d2b-7c1e3a8f4b60\nAccept: application/json\nAuthorization: Bearer {{tok}}\n\n", i, i, i)
		case 2:
			fmt.Fprintf(&b, "### upload %d\nPOST {{api}}/document/jobs\nContent-Type: multipart/form-data; boundary=B\n\n--B\nContent-Disposition: form-data; name=\"file\"; filename=\"i%d.pdf\"\n\n< ./i%d.pdf\n--B\nContent-Disposition: form-data; name=\"options\"\n\n{\"clientId\": \"default\", \"documentType\": \"invoice\"}\n--B--\n\n", i, i, i)
		case 3:
			fmt.Fprintf(&b, "### erp %d\nPOST https://erp.example.com:8443/api/invoices?n=%d\nAuthorization: Basic c2FuZGJveDpzM2NyM3Q=\n\n{}\n\n", i, i)
		case 4:
			fmt.Fprintf(&b, "### list %d\nGET https://%s/document-information-extraction/v1/document/jobs\n    ?clientId=default\n    &limit=%d\nAccept: application/json\nAuthorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJjaWQiOiJzYi1vbGQifQ.b2xk\n\n", i, doxHost, i)
		}
	}
	return b.Bytes()
}

var benchOpts = Options{Token: tokenA, APIHost: doxHost, Line: -1}

// BenchmarkPlanEdits is parse + planning on 5,000 requests (about 1 MB)
// and on ten times that: the time must grow linearly.
//
//	go test -run '^$' -bench . -benchmem ./httpfile
func BenchmarkPlanEdits(b *testing.B) {
	for _, n := range []int{5000, 50000} {
		src := generate(n)
		b.Run(fmt.Sprintf("requests=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			cpu := cpuTime()
			for b.Loop() {
				if p := PlanEdits(src, benchOpts); len(p.Edits) == 0 {
					b.Fatal("no edits")
				}
			}
			reportCPU(b, cpu)
		})
	}
}

func BenchmarkParse(b *testing.B) {
	src := generate(5000)
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	cpu := cpuTime()
	for b.Loop() {
		Parse(src)
	}
	reportCPU(b, cpu)
}

func reportCPU(b *testing.B, since time.Duration) {
	if since > 0 && b.N > 0 {
		b.ReportMetric(float64(cpuTime()-since)/float64(b.N)/1e6, "cpu-ms/op")
	}
}

// TestPlanEditsGrowsLinearly checks what the benchmark times, in a measure
// a busy machine cannot disturb: ten times the requests take less than
// eleven times the allocations.
func TestPlanEditsGrowsLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	small, large := generate(5000), generate(50000)
	if len(small) < 900_000 || len(small) > 1_300_000 {
		t.Fatalf("5,000 generated requests are %d bytes, want about 1 MB", len(small))
	}
	a := testing.AllocsPerRun(2, func() { PlanEdits(small, benchOpts) })
	z := testing.AllocsPerRun(2, func() { PlanEdits(large, benchOpts) })
	if z > 11*a {
		t.Errorf("allocations: %.0f for 5,000 requests, %.0f for 50,000 (%.1f×, want under 11×)", a, z, z/a)
	}
}
