package lspconn

import (
	"bytes"
	"encoding/json"
	"testing"
)

// encoding/json is the reference: whatever string it decodes, unquote must
// decode to the same bytes.
func FuzzUnquote(f *testing.F) {
	for _, seed := range []string{
		`""`,
		`"GET https://api/capabilities\nAuthorization: Bearer eyJ.a.b\r\n"`,
		`"tab\there \"quoted\" back\\slash \/ \b\f"`,
		`"\u00e4\u20ac \ud83d\ude00 ok"`, // BMP and a surrogate pair
		`"lone \ud83d then \ude00 and \ud83d\u0041"`,
		`"\u003cscript\u003e \u0026 \u2028"`, // what Go encoders escape
		"\"invalid \xff\xfe bytes and \xe2\x82 cut\"",
		`"bad \x escape"`,
		`"short \u12"`,
		`"ends \"`,
		`null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		// Decoders hand UnmarshalJSON the value without the space around it.
		raw = bytes.Trim(raw, " \t\r\n")
		var want string
		wantErr := json.Unmarshal(raw, &want) != nil || !bytes.HasPrefix(raw, []byte(`"`))
		got, err := unquote(raw)
		if wantErr {
			return // unquote may be more lenient than the reference; it must not panic
		}
		if err != nil {
			t.Fatalf("unquote(%q) failed: %v; encoding/json decodes %q", raw, err, want)
		}
		if string(got) != want {
			t.Fatalf("unquote(%q) = %q, encoding/json gives %q", raw, got, want)
		}
	})
}

func TestUnquoteRejects(t *testing.T) {
	for _, raw := range []string{`null`, `42`, `"`, `"ends \"`, `"\q"`, `"\u12"`, `"\uZZZZ"`} {
		if _, err := unquote([]byte(raw)); err == nil {
			t.Errorf("unquote(%s) succeeded, want an error", raw)
		}
	}
}

// The didChange of a 5,000-request file, 9.4 MB of JSON.
func BenchmarkUnquote(b *testing.B) {
	var doc bytes.Buffer
	for i := 0; i < 5000; i++ {
		doc.WriteString("### job\nGET https://api.example.com/document-information-extraction/v1/document/jobs/1\nAuthorization: Bearer " +
			string(bytes.Repeat([]byte("eyJhbGciOiJSUzI1NiJ9"), 85)) + "\nAccept: application/json\n\n")
	}
	raw, err := json.Marshal(doc.String())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := unquote(raw); err != nil {
			b.Fatal(err)
		}
	}
}
