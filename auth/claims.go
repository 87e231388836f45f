package auth

import (
	"bytes"
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
	var raw struct {
		ClientID  string          `json:"client_id"`
		CID       string          `json:"cid"`
		ZID       string          `json:"zid"`
		Scope     json.RawMessage `json:"scope"`
		IAT       json.Number     `json:"iat"`
		EXP       json.Number     `json:"exp"`
		ISS       string          `json:"iss"`
		GrantType string          `json:"grant_type"`
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return Claims{}, notJWT("its payload is not a JSON object of the expected claims")
	}
	c := Claims{ClientID: raw.ClientID, ZoneID: raw.ZID, Issuer: raw.ISS, GrantType: raw.GrantType}
	if c.ClientID == "" {
		c.ClientID = raw.CID
	}
	c.Scopes = scopes(raw.Scope)
	c.IssuedAt = unixTime(raw.IAT)
	c.ExpiresAt = unixTime(raw.EXP)
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
func unixTime(n json.Number) time.Time {
	f, err := n.Float64()
	if err != nil || f <= 0 || f > 1e11 || math.IsNaN(f) {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9))
}
