package httpfile

import (
	"strings"
	"testing"
)

// FuzzReadURL: reading a URL never panics; the fast path and the full
// parser agree, and what the fast path takes is plain; a host reads back as itself (the serialisation is the
// standard's, so "https://" + host reads the same); and a request line
// holding the URL gets the host readURL gives. TestHostsAgreeWithNode holds
// the full parser to Node's URL; its inputs are this target's seeds too
// (testdata/fuzz/FuzzReadURL has the tricks of issue 12).
func FuzzReadURL(f *testing.F) {
	for _, u := range genURLs(300) {
		f.Add(u)
	}
	f.Fuzz(func(t *testing.T, u string) {
		got, ok := readURL(u)
		if fast, fastOK := fastURL(u); fastOK {
			if slow, slowOK := parseURL(u); !slowOK || slow != fast {
				t.Fatalf("%q: fast path reads %+v, the parser %+v (%v)", u, fast, slow, slowOK)
			}
			if !plainURL(u) {
				t.Fatalf("%q: the fast path takes it, plainURL does not", u)
			}
		}
		if ok && got.host != "" {
			again, ok2 := readURL(got.scheme + "://" + got.host + "/")
			if !ok2 || again != got {
				t.Fatalf("%q reads as %+v, which reads back as %+v (%v)", u, got, again, ok2)
			}
		}
		if strings.ContainsAny(u, "\r\n{}") || strings.TrimSpace(u) != u || u == "" || strings.HasPrefix(u, "/") ||
			strings.HasPrefix(u, "#") || strings.HasPrefix(u, "@") || strings.HasPrefix(u, "<") || strings.HasPrefix(u, ">") || strings.HasPrefix(u, "HTTP/") {
			return // not a request line's URL as it stands
		}
		d := Parse([]byte("GET " + u + " HTTP/1.1\n"))
		if len(d.Requests) != 1 || d.Requests[0].URL != u {
			return // the grammar reads it otherwise (a version-like tail, …)
		}
		r := d.Requests[0]
		if want := map[bool]string{true: got.host, false: ""}[ok]; r.Host != want || ok && r.Scheme != got.scheme {
			t.Fatalf("GET %s: request reads %s %s, readURL %+v (%v)", u, r.Scheme, r.Host, got, ok)
		}
	})
}
