package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
)

// expires_in that is NaN or infinite is no lifetime: strconv reads "NaN"
// and "Inf", and NaN slips past every comparison after it.
func TestFetchRefusesNonFiniteExpiresIn(t *testing.T) {
	for _, raw := range []string{`"NaN"`, `"nan"`, `"Inf"`, `"-Infinity"`, `1e999`} {
		s := emulator(t, uaatest.Options{})
		s.SetFault(uaatest.Fault{Kind: uaatest.FaultExpiresIn, ExpiresIn: raw})
		k := emuKey(t, s, uaatest.DefaultClient)
		tok, err := quick(s, ClientOptions{}).Fetch(context.Background(), k)
		if err == nil || !strings.Contains(err.Error(), "which is no number of seconds") {
			t.Errorf("expires_in %s: token expiring %v, error %v", raw, tok.ExpiresAt, err)
		}
	}
}

// A token whose JWT exp has passed is useless: the fetch fails, saying so,
// instead of handing it out as fresh.
func TestFetchRefusesATokenThatExpiredAlready(t *testing.T) {
	now := time.Now()
	s := emulator(t, uaatest.Options{Now: func() time.Time { return now.Add(-13 * time.Hour) }})
	_, err := quick(s, ClientOptions{}).Fetch(context.Background(), emuKey(t, s, uaatest.DefaultClient))
	var te *TokenError
	if err == nil || !strings.Contains(err.Error(), "issued a token that expired already") || !errors.As(err, &te) || te.Kind != KindBadResponse {
		t.Errorf("a token expired an hour ago: %v", err)
	}
}

// A uaa.url with a password in it never shows the password in an error.
func TestTokenURLUserinfoStaysOutOfErrors(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	const password = "hunter2-$Xk2+Qz"
	s.SetFault(uaatest.Fault{Kind: uaatest.Fault404})
	k := emuKey(t, s, uaatest.DefaultClient)
	u, _ := url.Parse(k.UAA.URL)
	u.User = url.UserPassword("admin", password)
	k.UAA.URL = u.String()
	_, err := quick(s, ClientOptions{}).Fetch(context.Background(), k)
	if err == nil || !strings.Contains(err.Error(), "is not a token endpoint") {
		t.Fatalf("404 answer: %v", err)
	}
	noSecret(t, "the error", err.Error(), password, url.QueryEscape(password), "admin:")
	var te *TokenError
	if errors.As(err, &te) {
		noSecret(t, "TokenError.URL", te.URL, password, url.QueryEscape(password))
	}
	// Refused before any request: plain http to another host.
	k.UAA.URL = "http://admin:" + url.QueryEscape(password) + "@uaa.example.com"
	_, err = quick(s, ClientOptions{}).Fetch(context.Background(), k)
	if err == nil {
		t.Fatal("plain http accepted")
	}
	noSecret(t, "the error", err.Error(), password, url.QueryEscape(password))
}

// UAA (or a proxy before it) echoing the credentials back in an error:
// no encoding of the secret reaches the error line.
func TestEchoedSecretIsHiddenInEveryEncoding(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	s.SetFault(uaatest.Fault{Kind: uaatest.FaultEcho})
	c := uaatest.DefaultClient
	_, err := quick(s, ClientOptions{}).Fetch(context.Background(), emuKey(t, s, c))
	if err == nil || !strings.Contains(err.Error(), "[hidden]") {
		t.Fatalf("echo answer: %v", err)
	}
	msg := err.Error()
	forms := []string{c.Secret, url.QueryEscape(c.Secret), url.PathEscape(c.Secret), lowerHexOf(url.QueryEscape(c.Secret)),
		base64.StdEncoding.EncodeToString([]byte(c.Secret)),
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(c.ID) + ":" + url.QueryEscape(c.Secret))),
		base64.RawURLEncoding.EncodeToString([]byte(c.ID + ":" + c.Secret))}
	noSecret(t, "the error", msg, forms...)
	// The oneLine cut at 160 characters must not be what hid them.
	for _, f := range forms {
		if got := oneLine("x "+f+" y", secretForms(c.ID, c.Secret)...); got != "x [hidden] y" {
			t.Errorf("a form of the secret (%d chars) is not hidden: %d chars left", len(f), len(got))
		}
	}
}

// lowerHexOf writes the escapes of a URL-encoded secret in lower case.
var lowerHexOf = strings.NewReplacer("%2B", "%2b", "%2F", "%2f", "%3D", "%3d", "%3A", "%3a", "%7C", "%7c").Replace
