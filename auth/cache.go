package auth

import (
	"context"
	"sync"
	"time"
)

// Cache keeps one token per key id and shares concurrent fetches: however
// many callers ask for a key at once, UAA sees one request. A token is tied
// to the credentials it was fetched with (docs/lifecycle.md): a key whose
// file now holds another client, secret or certificate is a new key.
type Cache struct {
	client *Client

	mu      sync.Mutex
	margin  time.Duration
	tokens  map[string]entry
	flights map[flightKey]*flight
	// settled holds the key ids that had a token or a fetch, or were
	// cleared: only a key's first token may be adopted from a document.
	settled map[string]bool
	// clearedAll is set by Clear(""): no key adopts after that.
	clearedAll bool
}

// entry is a cached token and the fingerprint of the credentials it was
// fetched (or adopted) for.
type entry struct {
	tok  Token
	cred [32]byte
}

// flightKey keeps fetches for the old and the new credentials of a key
// file apart.
type flightKey struct {
	id   string
	cred [32]byte
}

// flight is a fetch in progress that callers wait on.
type flight struct {
	done    chan struct{}
	cancel  context.CancelFunc
	waiters int
	tok     Token
	err     error
}

// NewCache returns a cache that serves tokens while more than margin remains.
func NewCache(client *Client, margin time.Duration) *Cache {
	return &Cache{client: client, margin: margin, tokens: map[string]entry{}, flights: map[flightKey]*flight{}, settled: map[string]bool{}}
}

// Token returns a cached token or fetches one; fromCache says which. With
// force it fetches even when a cached token is still good (joining a fetch
// already under way). A caller whose context ends gets its error at once;
// the fetch goes on for the other callers and is cancelled when none is left.
func (c *Cache) Token(ctx context.Context, key *ServiceKey, force bool) (tok Token, fromCache bool, err error) {
	if key == nil {
		return Token{}, false, &TokenError{Kind: KindBadKey, msg: "no service key given"}
	}
	fk := flightKey{key.ID, key.fingerprint()}
	c.mu.Lock()
	if !force {
		if e, ok := c.tokens[key.ID]; ok && e.cred == fk.cred && e.tok.ExpiresAt.Sub(c.client.now()) > c.margin {
			c.mu.Unlock()
			return e.tok, true, nil
		}
	}
	f := c.flights[fk]
	if f == nil {
		f = c.start(ctx, key, fk)
	}
	f.waiters++
	c.mu.Unlock()

	select {
	case <-f.done:
		return f.tok, false, f.err
	case <-ctx.Done():
		c.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
			if c.flights[fk] == f {
				delete(c.flights, fk) // a later caller starts afresh
			}
		}
		c.mu.Unlock()
		return Token{}, false, (&fetch{key: key, url: key.TokenURL()}).stopped(ctx.Err())
	}
}

// start launches the fetch of key; c.mu is held. The fetch runs on a
// context detached from the first caller, so that caller leaving does not
// fail the others.
func (c *Cache) start(ctx context.Context, key *ServiceKey, fk flightKey) *flight {
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &flight{done: make(chan struct{}), cancel: cancel}
	c.flights[fk] = f
	c.settled[key.ID] = true
	k := *key // the caller may change its key while we fetch
	go func() {
		defer cancel()
		tok, err := c.client.Fetch(fctx, &k)
		c.mu.Lock()
		if c.flights[fk] == f {
			delete(c.flights, fk)
			if err == nil {
				c.tokens[k.ID] = entry{tok: tok, cred: fk.cred}
			}
		}
		f.tok, f.err = tok, err
		c.mu.Unlock()
		close(f.done)
	}()
	return f
}

// Peek returns the cached token for a key id, if any, expired or not.
func (c *Cache) Peek(id string) (Token, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.tokens[id]
	return e.tok, ok
}

// Serves reports whether Token would answer for key from the cache.
func (c *Cache) Serves(key *ServiceKey) bool {
	cred := key.fingerprint()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.tokens[key.ID]
	return ok && e.cred == cred && e.tok.ExpiresAt.Sub(c.client.now()) > c.margin
}

// CanAdopt reports whether a token found in a document may become key's
// token: only as its first one, before any fetch and never after a clear.
func (c *Cache) CanAdopt(key *ServiceKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.clearedAll && !c.settled[key.ID]
}

// Adopt stores tok as key's token if CanAdopt still holds; it reports
// whether it did.
func (c *Cache) Adopt(key *ServiceKey, tok Token) bool {
	cred := key.fingerprint()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.clearedAll || c.settled[key.ID] {
		return false
	}
	c.settled[key.ID] = true
	c.tokens[key.ID] = entry{tok: tok, cred: cred}
	return true
}

// Clear drops the token of id, or every token when id is "", and makes
// sure the next token comes from UAA; it returns how many it dropped.
func (c *Cache) Clear(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id == "" {
		n := len(c.tokens)
		clear(c.tokens)
		c.clearedAll = true
		return n
	}
	c.settled[id] = true
	if _, ok := c.tokens[id]; !ok {
		return 0
	}
	delete(c.tokens, id)
	return 1
}

// SetMargin changes the refresh margin.
func (c *Cache) SetMargin(margin time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.margin = margin
}
