package envfile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzSetJSON: for any valid JSON object, SetJSON either refuses with an
// error or makes one contiguous edit after which the file is valid JSON,
// env.name holds value, every other variable is unchanged, and a second
// run makes no edit.
func FuzzSetJSON(f *testing.F) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	for _, in := range inputs {
		src, _ := os.ReadFile(in)
		f.Add(src, "dev", "doxToken", testToken)
	}
	f.Add([]byte(`{"a":{"b":"c"},"a":[1,{"}":"{"}]}`), "a", "b", `q"u\o/te`)
	f.Add([]byte("{\r\n\t\"x\" :\t{ }\r\n}"), "x", "y", "\u00e9\U0001F680")
	f.Fuzz(func(t *testing.T, src []byte, env, name, value string) {
		body, _ := withoutBOM(src)
		if len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
			if _, _, err := SetJSON(src, env, name, value); err == nil {
				t.Fatalf("invalid JSON %q accepted", src)
			}
			return
		}
		if !validString(env) || !validString(name) || !validString(value) {
			return // JSON strings cannot carry invalid UTF-8 through a round trip
		}
		e, changed, err := SetJSON(src, env, name, value)
		if err != nil {
			return // not an object, or env is not an object: refused
		}
		if !changed {
			if v, ok, _ := LookupJSON(src, env, name); !ok || v != value {
				t.Fatalf("no edit, but %q.%q is %q (%v)", env, name, v, ok)
			}
			return
		}
		if e.Start < 0 || e.End < e.Start || e.End > len(src) {
			t.Fatalf("edit span [%d,%d) outside a %d-byte file", e.Start, e.End, len(src))
		}
		after := Apply(src, e)
		if !bytes.Equal(after[:e.Start], src[:e.Start]) || !bytes.Equal(after[e.Start+len(e.NewText):], src[e.End:]) {
			t.Fatal("bytes outside the edit changed")
		}
		if v, ok, err := LookupJSON(after, env, name); err != nil || !ok || v != value {
			t.Fatalf("after the edit %q.%q = %q %v %v\n%q", env, name, v, ok, err, after)
		}
		if !sameExcept(t, src, after, env, name) {
			t.Fatalf("other variables changed:\n%q\n%q", src, after)
		}
		if _, again, err := SetJSON(after, env, name, value); err != nil || again {
			t.Fatalf("second run: changed %v, err %v", again, err)
		}
	})
}

func validString(s string) bool {
	b, _ := json.Marshal(s)
	var back string
	return json.Unmarshal(b, &back) == nil && back == s
}

// sameExcept compares the decoded files (last duplicate wins, as in
// JSON.parse) with env.name removed from both.
func sameExcept(t *testing.T, before, after []byte, env, name string) bool {
	strip := func(src []byte) map[string]any {
		body, _ := withoutBOM(src)
		m := map[string]any{}
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatalf("decoding %q: %v", body, err)
			}
		}
		if e, ok := m[env].(map[string]any); ok {
			delete(e, name)
			if len(e) == 0 {
				delete(m, env)
			}
		}
		return m
	}
	a, b := strip(before), strip(after)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}
