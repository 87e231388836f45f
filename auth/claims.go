package auth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"
)

// Claims are the JWT payload fields shown to users.
type Claims struct {
	ClientID  string
	ZoneID    string
	Scopes    []string
	IssuedAt  time.Time
	ExpiresAt time.Time
	Issuer    string
	GrantType string
}

// ErrNotJWT is returned (wrapped) for text that is not a JWT.
var ErrNotJWT = errors.New("not a JWT")

// ParseClaims decodes a JWT payload without checking the signature. An
// optional "Bearer " prefix and surrounding space are ignored. Errors never
// repeat the token.
func ParseClaims(token string) (Claims, error) {
	token = strings.TrimSpace(token)
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[1] == "" {
		return Claims{}, notJWT("it does not have three dot-separated parts")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Claims{}, notJWT("its payload is not base64url")
	}
	// Claims of an unexpected type are left empty rather than failing:
	// this is for display, and the rest of the token is still worth showing.
	var raw object
	if err := json.Unmarshal(payload, &raw); err != nil || raw == nil {
		return Claims{}, notJWT("its payload is not a JSON object")
	}
	c := Claims{
		ClientID:  looseString(raw["client_id"]),
		ZoneID:    looseString(raw["zid"]),
		Scopes:    scopes(raw["scope"]),
		IssuedAt:  unixTime(raw["iat"]),
		ExpiresAt: unixTime(raw["exp"]),
		Issuer:    looseString(raw["iss"]),
		GrantType: looseString(raw["grant_type"]),
	}
	if c.ClientID == "" {
		c.ClientID = looseString(raw["cid"])
	}
	return c, nil
}

func notJWT(why string) error {
	return &jwtError{why}
}

type jwtError struct{ why string }

func (e *jwtError) Error() string        { return "not a JWT: " + e.why }
func (e *jwtError) Is(target error) bool { return target == ErrNotJWT }

// scopes accepts the array UAA writes and the space-separated string some
// other issuers use.
func scopes(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.Fields(s)
	}
	return nil
}

// unixTime converts a NumericDate (seconds, possibly fractional); absent or
// absurd values give the zero time.
func unixTime(raw json.RawMessage) time.Time {
	var f float64
	if json.Unmarshal(raw, &f) != nil || f <= 0 || f > 1e11 {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}
