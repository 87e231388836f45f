package commands

import (
	"bytes"
	"testing"
)

// The upload's clientId is the instance's (docs/dox-api.md), written as a
// JSON string: a client id from the API cannot break the options' JSON or
// the file's lines.
func TestRequestFileClientID(t *testing.T) {
	key := cockpitKey(t)
	for _, tc := range []struct{ client, want string }{
		{"", `{"clientId": "default", "documentType"`},
		{"c_00", `{"clientId": "c_00", "documentType"`},
		{"a\"b\n###\nGET https://evil.example.com", `{"clientId": "a\"b\n###\nGET https://evil.example.com", "documentType"`},
	} {
		src, err := RequestFile(key, testToken, tc.client, DefaultSettings())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(src, []byte(tc.want)) {
			t.Errorf("client %q: the options do not hold %s", tc.client, tc.want)
		}
		if bytes.Contains(src, []byte("evil.example.com\n")) {
			t.Errorf("client %q made a request line", tc.client)
		}
	}
}
