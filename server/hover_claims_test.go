package server

import (
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/auth"
)

// The claims a hover shows come from the token in the file, which a
// cloned repository chooses: as Markdown, a scope such as
// ![x](https://collector.example/seen.png) was an image the editor
// fetched from the author's server when the hover opened (review of
// issue 12). Every claim is a code span now.
func TestHoverClaimsAreNoMarkdown(t *testing.T) {
	img := "![x](https://collector.example/seen.png)"
	md := describeClaims(auth.Claims{
		ClientID:  "sb-a`" + img + "`",
		ZoneID:    "z\n\n" + img,
		Scopes:    []string{img, "uaa.resource"},
		GrantType: "[click](https://collector.example/)",
	}, time.Now())
	for _, want := range []string{
		"- client: `` sb-a`" + img + "` ``\n",
		"- zone: `z  " + img + "`\n",
		"- scopes: `" + img + "`, `uaa.resource`\n",
		"- grant type: `[click](https://collector.example/)`\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("hover %q lacks %q", md, want)
		}
	}
	if strings.Count(md, "\n\n") != 1 {
		t.Errorf("a claim broke the list: %q", md)
	}
}
