package httpfile

import (
	"fmt"
	"strconv"
	"strings"
)

// Tokens used by the tests: shaped like the JWTs UAA issues (header,
// payload with client_id, zid, scope, exp; signature). Dumps and failure
// messages show them as <token-A> / <token-B>, never in full.
const (
	tokenA = "eyJhbGciOiJSUzI1NiIsImprdSI6Imh0dHBzOi8vbXlzdWIuYXV0aGVudGljYXRpb24udXMxMC5oYW5hLm9uZGVtYW5kLmNvbS90b2tlbl9rZXlzIiwia2lkIjoiZGVmYXVsdC1qd3Qta2V5IiwidHlwIjoiSldUIn0" +
		".eyJjbGllbnRfaWQiOiJzYi0zZjFjOWEyZSFiNDg3NTF8ZG94LXhzdWFhLXN0ZC10cmlhbCFiMTA4NDQiLCJ6aWQiOiI0YjJhIiwic2NvcGUiOlsidWFhLnJlc291cmNlIl0sImV4cCI6MTcxNDY3MjAwMH0" +
		".c2lnbmF0dXJlLUEtbm90LWNoZWNrZWQtYnktZG94bHM"
	tokenB = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImRlZmF1bHQtand0LWtleSIsInR5cCI6IkpXVCJ9" +
		".eyJjbGllbnRfaWQiOiJzYi0zZjFjOWEyZSFiNDg3NTF8ZG94LXhzdWFhLXN0ZC10cmlhbCFiMTA4NDQiLCJleHAiOjE3MTQ3MTUyMDB9" +
		".c2lnbmF0dXJlLUItbm90LWNoZWNrZWQtYnktZG94bHM"
	// The host the corpus files call the DOX API on.
	doxHost = "aiservices-trial-dox.cfapps.us10.hana.ondemand.com"
)

// redact replaces the test tokens with short placeholders.
func redact(s string) string {
	return strings.NewReplacer(tokenA, "<token-A>", tokenB, "<token-B>").Replace(s)
}

func fmtPos(p Position) string { return fmt.Sprintf("%d:%d", p.Line, p.Character) }

func fmtRange(r Range) string { return fmtPos(r.Start) + "-" + fmtPos(r.End) }

// dumpDocument renders a parse for golden files.
func dumpDocument(d *Document) string {
	var b strings.Builder
	b.WriteString("# lines and characters are 0-based LSP positions (UTF-16)\n")
	fmt.Fprintf(&b, "variables: %d\n", len(d.Variables))
	for _, v := range d.Variables {
		fmt.Fprintf(&b, "  L%d @%s = %s  [%s]\n", v.Line, v.Name, strconv.Quote(v.Value), fmtRange(v.ValueRange))
	}
	fmt.Fprintf(&b, "requests: %d\n", len(d.Requests))
	for _, r := range d.Requests {
		fmt.Fprintf(&b, "request L%d-L%d", r.StartLine, r.EndLine)
		if r.Title != "" {
			fmt.Fprintf(&b, " title=%s", strconv.Quote(r.Title))
		}
		if r.Name != "" {
			fmt.Fprintf(&b, " name=%s", strconv.Quote(r.Name))
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "  L%d %s %s", r.Line, r.Method, strconv.Quote(r.RawURL))
		if r.Version != "" {
			b.WriteString(" " + r.Version)
		}
		b.WriteString("\n")
		if r.URL != r.RawURL {
			fmt.Fprintf(&b, "  url  %s\n", strconv.Quote(r.URL))
		}
		host := r.Host
		if host == "" {
			host = "(unresolved)"
		}
		fmt.Fprintf(&b, "  host %s\n", host)
		for _, h := range r.Headers {
			fmt.Fprintf(&b, "  L%d %s: %s  [%s]\n", h.Line, h.Name, strconv.Quote(h.Value), fmtRange(h.ValueRange))
		}
	}
	return redact(b.String())
}

// dumpPlan renders a plan and the file it produces.
func dumpPlan(src []byte, p Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "edits: %d\n", len(p.Edits))
	for _, e := range p.Edits {
		if e.Start == e.End {
			fmt.Fprintf(&b, "  %s insert %s\n", fmtPos(e.Range.Start), strconv.Quote(e.NewText))
		} else {
			fmt.Fprintf(&b, "  %s replace %s with %s\n", fmtRange(e.Range),
				strconv.Quote(string(src[e.Start:e.End])), strconv.Quote(e.NewText))
		}
	}
	fmt.Fprintf(&b, "skipped: %d\n", len(p.Skipped))
	for _, s := range p.Skipped {
		fmt.Fprintf(&b, "  L%d %s\n", s.Line, s.Reason)
	}
	b.WriteString("----- result -----\n")
	b.Write(Apply(src, p.Edits))
	return redact(b.String())
}
