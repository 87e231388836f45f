package demo

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestRun is what a new user sees from "go run . demo".
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), &out); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"found service key dox-service-key.json",
		"the editor was told: dox/tokenStatus {key: dox-service-key.json, state: valid",
		"inserted the Bearer header into 2 request(s)",
		"foreign host api.example.com",
		"GET …/capabilities with that header: 200 OK",
		"language server shut down cleanly",
		"GET https://api.example.com/v1/status\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "Authorization: Bearer eyJ"); n != 2 {
		t.Errorf("the edited file shows %d Bearer headers, want 2", n)
	}
	if jwt := regexp.MustCompile(`eyJ[\w-]+\.[\w-]+\.[\w-]+`).FindString(got); jwt != "" {
		t.Errorf("the demo printed a whole token (%d chars)", len(jwt))
	}
}
