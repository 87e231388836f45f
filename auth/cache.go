package auth

import (
	"context"
	"sync"
	"time"
)

// Cache keeps one token per key id and shares concurrent fetches: however
// many callers ask for a key at once, UAA sees one request.
type Cache struct {
	client *Client

	mu      sync.Mutex
	margin  time.Duration
	tokens  map[string]entry
	flights map[string]*flight
}

// entry is a cached token and the client it was fetched for, so a key file
// that now names another client does not get the old client's token.
type entry struct {
	tok      Token
	clientID string // "" for a token adopted with Put: good for any client
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
	return &Cache{client: client, margin: margin, tokens: map[string]entry{}, flights: map[string]*flight{}}
}

// Token returns a cached token or fetches one; fromCache says which. With
// force it fetches even when a cached token is still good (joining a fetch
// already under way). A caller whose context ends gets its error at once;
// the fetch goes on for the other callers and is cancelled when none is left.
func (c *Cache) Token(ctx context.Context, key *ServiceKey, force bool) (tok Token, fromCache bool, err error) {
	if key == nil {
		return Token{}, false, &TokenError{Kind: KindBadKey, msg: "no service key given"}
	}
	c.mu.Lock()
	if !force {
		if e, ok := c.tokens[key.ID]; ok && (e.clientID == "" || e.clientID == key.UAA.ClientID) &&
			e.tok.ExpiresAt.Sub(c.client.now()) > c.margin {
			c.mu.Unlock()
			return e.tok, true, nil
		}
	}
	f := c.flights[key.ID]
	if f == nil {
		f = c.start(ctx, key)
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
			if c.flights[key.ID] == f {
				delete(c.flights, key.ID) // a later caller starts afresh
			}
		}
		c.mu.Unlock()
		return Token{}, false, (&fetch{key: key, url: key.TokenURL()}).stopped(ctx.Err())
	}
}

// start launches the fetch of key; c.mu is held. The fetch runs on a
// context detached from the first caller, so that caller leaving does not
// fail the others.
func (c *Cache) start(ctx context.Context, key *ServiceKey) *flight {
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &flight{done: make(chan struct{}), cancel: cancel}
	c.flights[key.ID] = f
	k := *key // the caller may change its key while we fetch
	go func() {
		defer cancel()
		tok, err := c.client.Fetch(fctx, &k)
		c.mu.Lock()
		if c.flights[k.ID] == f {
			delete(c.flights, k.ID)
			if err == nil {
				c.tokens[k.ID] = entry{tok: tok, clientID: k.UAA.ClientID}
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

// Put stores a token for a key id (used to adopt a token found in a document).
func (c *Cache) Put(id string, tok Token) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tokens[id] = entry{tok: tok}
}

// Clear drops the token of id, or every token when id is ""; it returns how many.
func (c *Cache) Clear(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id == "" {
		n := len(c.tokens)
		clear(c.tokens)
		return n
	}
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
