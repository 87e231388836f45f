package auth

import (
	"fmt"
	"time"
)

// Token is an access token and what the server said about it.
type Token struct {
	AccessToken string
	TokenType   string
	Scope       string // space-separated
	ExpiresAt   time.Time
	FetchedAt   time.Time
}

// Redact returns a short, safe stand-in for a token in logs and errors: its
// first characters (for a JWT, part of the public header) and its length.
func Redact(token string) string {
	if token == "" {
		return "(empty token)"
	}
	n := len(token)
	show := min(10, n/4)
	if show == 0 {
		return fmt.Sprintf("(%d chars)", n)
	}
	return fmt.Sprintf("%s…(%d chars)", token[:show], n)
}
