package envfile

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the .golden files of testdata/golden")

// testToken is a DOX-shaped JWT (no real signature).
const testToken = "eyJhbGciOiJSUzI1NiJ9.eyJjbGllbnRfaWQiOiJzYi1ib3QhYjEifQ.c2lnbmF0dXJl"

// TestSetJSONGolden edits every testdata/golden/*.json (env dev, variable
// doxToken) and compares with its .golden file byte for byte. The golden
// files were checked by eye: only the token's value or one inserted member
// differs from the input.
func TestSetJSONGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			e, changed, err := SetJSON(src, "dev", "doxToken", testToken)
			if err != nil {
				t.Fatalf("SetJSON: %v", err)
			}
			got := src
			if changed {
				got = Apply(src, e)
			}
			checkJSONEdit(t, src, got, "dev", "doxToken", testToken)
			golden := strings.TrimSuffix(in, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./envfile -run Golden -update and check the result)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("result differs from %s:\n got %q\nwant %q", golden, redactIn(got), redactIn(want))
			}
			// Once more with the same token: nothing to do.
			if _, again, err := SetJSON(got, "dev", "doxToken", testToken); err != nil || again {
				t.Errorf("a second run changed the file again (err %v)", err)
			}
		})
	}
}

// redactIn hides the test token in failure output.
func redactIn(b []byte) string { return strings.ReplaceAll(string(b), testToken, "<token>") }

// checkJSONEdit asserts what a user relies on: the result is valid JSON, it
// holds value at env.name, every other variable of every environment is
// what it was, and one contiguous span changed.
func checkJSONEdit(t *testing.T, before, after []byte, env, name, value string) {
	t.Helper()
	body, _ := withoutBOM(after)
	if !json.Valid(body) {
		t.Fatalf("the result is not valid JSON: %q", redactIn(after))
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if v, _ := got[env].(map[string]any)[name]; v != value {
		t.Errorf("%s.%s is %q after the edit", env, name, redactIn([]byte(toString(v))))
	}
	delete(got[env].(map[string]any), name)
	if len(got[env].(map[string]any)) == 0 {
		delete(got, env)
	}
	var was map[string]any
	if b, _ := withoutBOM(before); len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, &was); err != nil {
			t.Fatal(err)
		}
	}
	if e, ok := was[env].(map[string]any); ok {
		delete(e, name)
		if len(e) == 0 {
			delete(was, env)
		}
	}
	if was == nil {
		was = map[string]any{}
	}
	if !reflect.DeepEqual(got, was) {
		t.Errorf("other variables changed:\n got %v\nwant %v", got, was)
	}
}

func toString(v any) string {
	s, _ := json.Marshal(v)
	return string(s)
}

func TestSetJSONRefusesFilesItCannotEditSafely(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"trailing comma", "{\n  \"dev\": {\"a\": \"b\",}\n}\n", "is not valid JSON (line 2, column 20)"},
		{"comment", "{\n  // my tokens\n  \"dev\": {}\n}\n", "is not valid JSON (line 2, column 3)"},
		{"array", "[{\"dev\": {}}]", "is not a JSON object of environments"},
		{"dev is a string", "{\"dev\": \"x\"}", `has "dev" as something other than an object of variables`},
		{"two values", "{} {}", "is not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := SetJSON([]byte(tc.src), "dev", "doxToken", testToken)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Fatal("the error holds the token")
			}
		})
	}
}

func TestLookupJSONReadsWhatJSONParseKeeps(t *testing.T) {
	src := []byte(`{"dev": {"doxToken": "a"}, "prod": {}, "dev": {"doxToken": "b", "n": 1}}`)
	if v, ok, err := LookupJSON(src, "dev", "doxToken"); err != nil || !ok || v != "b" {
		t.Errorf("LookupJSON = %q %v %v, want the last dev's value b", v, ok, err)
	}
	if _, ok, _ := LookupJSON(src, "dev", "n"); ok {
		t.Error("a number counts as a token")
	}
	if _, ok, _ := LookupJSON(src, "test", "doxToken"); ok {
		t.Error("an environment that is not there has a value")
	}
	envs, err := Environments(src)
	if err != nil || strings.Join(envs, ",") != "dev,prod,dev" {
		t.Errorf("Environments = %q %v", envs, err)
	}
}
