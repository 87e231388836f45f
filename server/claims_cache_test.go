package server

import (
	"strings"
	"testing"
	"unsafe"
)

// A token handed to the claims cache is a slice of its document's text;
// kept as the key, it kept the whole text alive after the document was
// closed (9 MB more resident memory after an insert into 5,000 requests).
func TestClaimsCacheKeepsNoDocumentText(t *testing.T) {
	doc := "GET https://api.example/x\nAuthorization: Bearer " + strings.Repeat("e30.", 4) + "sig\n"
	from := strings.Index(doc, "Bearer ") + len("Bearer ")
	token := doc[from : len(doc)-1]
	var cc claimsCache
	cc.parse(token)
	for k := range cc.m {
		if k == token && unsafe.StringData(k) == unsafe.StringData(token) {
			t.Error("the cache keys its entry with the document's own bytes")
		}
	}
	if len(cc.m) != 1 {
		t.Errorf("%d entries, want 1", len(cc.m))
	}
}
