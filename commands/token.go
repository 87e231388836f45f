package commands

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/httpfile"
)

type getTokenArgs struct {
	Key          string `json:"key"`
	ForceRefresh bool   `json:"forceRefresh"`
}

type tokenResult struct {
	Key         string `json:"key"`
	AccessToken string `json:"accessToken"`
	TokenType   string `json:"tokenType"`
	ExpiresAt   string `json:"expiresAt"`
	ExpiresIn   int64  `json:"expiresIn"`
	Scope       string `json:"scope"`
	FromCache   bool   `json:"fromCache"`
}

func (h *Handler) getToken(ctx context.Context, raw []json.RawMessage) (any, error) {
	var args getTokenArgs
	if err := decodeArgs(GetToken, raw, &args); err != nil {
		return nil, err
	}
	key, err := h.Keys.Get(args.Key)
	if err != nil {
		return nil, err
	}
	tok, fromCache, err := h.Token(ctx, key, args.ForceRefresh)
	if err != nil {
		return nil, err
	}
	return tokenResult{
		Key:         key.ID,
		AccessToken: tok.AccessToken,
		TokenType:   tok.TokenType,
		ExpiresAt:   tok.ExpiresAt.UTC().Format(time.RFC3339),
		ExpiresIn:   int64(math.Max(0, time.Until(tok.ExpiresAt).Seconds())),
		Scope:       tok.Scope,
		FromCache:   fromCache,
	}, nil
}

// Token returns the key's token: cached, adopted from an open document (a
// key's first token only), or fetched. It reports every fetch and failure
// to Status.
func (h *Handler) Token(ctx context.Context, key *auth.ServiceKey, force bool) (auth.Token, bool, error) {
	margin := h.Settings().RefreshMargin
	if !force && h.Tokens.CanAdopt(key) {
		h.adopt(key, margin)
	}
	var (
		tok       auth.Token
		fromCache bool
	)
	fetch := func() error {
		var err error
		tok, fromCache, err = h.Tokens.Token(ctx, key, force)
		return err
	}
	var err error
	if h.Progress != nil && (force || !h.Tokens.Serves(key)) {
		err = h.Progress(ctx, "Fetching DOX token", fetch)
	} else {
		err = fetch()
	}
	var te *auth.TokenError
	if errors.As(err, &te) && te.Kind == auth.KindUnauthorized {
		// A key from Cloud Foundry may have been rotated on the platform:
		// read it again and, when it changed, try once more.
		if fresh, ok := h.Keys.Reread(ctx, key); ok {
			key = fresh
			err = fetch()
		}
	}
	if err != nil {
		if ctx.Err() == nil {
			h.Status.Failed(key, err)
		}
		return auth.Token{}, false, err
	}
	if !fromCache {
		h.Status.Fetched(key, tok)
	}
	return tok, fromCache, nil
}

// TokensOf lists the Bearer tokens doc uses: written in it (literal or as
// an @variable), or kept in its environment file in envFile mode.
func (h *Handler) TokensOf(doc Document) []httpfile.TokenRef {
	// Clipped: the parse's own list is shared and must not grow in place.
	return append(slices.Clip(doc.Source().Tokens()), h.EnvTokensOf(doc)...)
}

// EnvTokensOf lists the Bearer headers of doc that take their token from
// its environment file, with that token (see EnvTokens).
func (h *Handler) EnvTokensOf(doc Document) []httpfile.TokenRef {
	path, err := PathOf(string(doc.URI))
	if err != nil || path == string(doc.URI) {
		return nil
	}
	key, _ := h.Keys.Get("")
	return EnvTokens(doc.Text, path, h.Keys.Folders(), h.Settings(), key)
}

// adopt takes a still-valid token of this key's client and UAA from an
// open document, so that a restarted server does not fetch a new one. The
// cache takes it only as the key's first token: never after a fetch or a
// clear (docs/lifecycle.md).
func (h *Handler) adopt(key *auth.ServiceKey, margin time.Duration) {
	var best auth.Token
	for _, doc := range h.Docs.All() {
		for _, ref := range h.TokensOf(doc) {
			c, err := auth.ParseClaims(ref.Token)
			if err != nil || c.ClientID != key.UAA.ClientID || !issuedFor(c, key) || time.Until(c.ExpiresAt) <= margin {
				continue
			}
			if c.ExpiresAt.After(best.ExpiresAt) {
				best = auth.Token{AccessToken: ref.Token, TokenType: "bearer", Scope: strings.Join(c.Scopes, " "), ExpiresAt: c.ExpiresAt, FetchedAt: c.IssuedAt}
			}
		}
	}
	if best.AccessToken != "" && h.Tokens.Adopt(key, best) {
		h.Status.Fetched(key, best)
	}
}

// issuedFor reports whether the token's issuer is the key's UAA, so that a
// token of the same client id from another subaccount is never adopted.
func issuedFor(c auth.Claims, key *auth.ServiceKey) bool {
	iss, err := url.Parse(c.Issuer)
	if err != nil || iss.Host == "" {
		return false
	}
	for _, u := range []string{key.UAA.URL, key.UAA.CertURL} {
		if parsed, err := url.Parse(u); err == nil && parsed.Host != "" && strings.EqualFold(parsed.Host, iss.Host) {
			return true
		}
	}
	return false
}

type tokenInfoArgs struct {
	Key   string `json:"key"`
	Token string `json:"token"`
}

// TokenDetails is the decoded claims of a token, for display.
type TokenDetails struct {
	ClientID  string   `json:"clientId"`
	ZoneID    string   `json:"zoneId"`
	Scopes    []string `json:"scopes"`
	IssuedAt  string   `json:"issuedAt"`
	ExpiresAt string   `json:"expiresAt"`
	Issuer    string   `json:"issuer"`
	GrantType string   `json:"grantType"`
}

func (h *Handler) tokenInfo(ctx context.Context, raw []json.RawMessage) (any, error) {
	var args tokenInfoArgs
	if err := decodeArgs(TokenInfo, raw, &args); err != nil {
		return nil, err
	}
	token := args.Token
	if token == "" {
		key, err := h.Keys.Get(args.Key)
		if err != nil {
			return nil, err
		}
		tok, _, err := h.Token(ctx, key, false)
		if err != nil {
			return nil, err
		}
		token = tok.AccessToken
	}
	c, err := auth.ParseClaims(token)
	if err != nil {
		return nil, invalidParams("%s: %v", TokenInfo, err)
	}
	scopes := c.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return TokenDetails{
		ClientID: c.ClientID, ZoneID: c.ZoneID, Scopes: scopes,
		IssuedAt: rfc3339(c.IssuedAt), ExpiresAt: rfc3339(c.ExpiresAt),
		Issuer: c.Issuer, GrantType: c.GrantType,
	}, nil
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

type clearArgs struct {
	Key string `json:"key"`
}

func (h *Handler) clearToken(ctx context.Context, raw []json.RawMessage) (any, error) {
	var args clearArgs
	if err := decodeArgs(ClearToken, raw, &args); err != nil {
		return nil, err
	}
	var ids []string
	if args.Key != "" {
		if !h.Keys.Has(args.Key) {
			if _, err := h.Keys.Get(args.Key); err != nil {
				return nil, err
			}
		}
		ids = []string{args.Key}
	} else {
		keys, _ := h.Keys.List()
		for _, k := range keys {
			ids = append(ids, k.ID)
		}
	}
	n := 0
	for _, id := range ids {
		if c := h.Tokens.Clear(id); c > 0 {
			n += c
			h.Status.Cleared(id)
		}
	}
	return struct {
		Cleared int `json:"cleared"`
	}{n}, nil
}
