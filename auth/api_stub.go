// Package auth holds service keys, the UAA token client, the token cache and
// JWT claims for display.
//
// THIS FILE IS THE AGREED API SKELETON. The auth helper replaces it with the
// real implementation, keeping every exported name and signature below.
package auth

import (
	"context"
	"time"
)

// Credential types as BTP writes them in uaa.credential-type.
const (
	BindingSecret  = "binding-secret"
	InstanceSecret = "instance-secret"
	X509           = "x509"
)

// UAA is the uaa object of a service key.
type UAA struct {
	URL            string
	ClientID       string
	ClientSecret   string // never logged, never in an error
	CredentialType string
	CertURL        string
	Certificate    string // PEM, may hold a chain
	Key            string // PEM private key
	IdentityZone   string
	UAADomain      string
	XSAppName      string
}

// ServiceKey is a DOX service key in any of the accepted input forms.
type ServiceKey struct {
	ID         string // stable id: path relative to the workspace folder, or env:VCAP_SERVICES / env:DOX_SERVICE_KEY
	Path       string // absolute path of the file it came from; "" for env keys
	APIURL     string // endpoints.backend.url, else url; "" for a bare uaa object
	SwaggerURL string // tenantuiurl + swagger, when the key has both
	UAA        UAA
}

// APIHost is the host[:port] of APIURL, lower-cased, default ports dropped.
func (k *ServiceKey) APIHost() string { panic("todo") }

// TokenURL is where tokens are fetched: certurl for x509 keys, else url, plus /oauth/token.
func (k *ServiceKey) TokenURL() string { panic("todo") }

// ParseKey parses key data; name (usually the file path) is used in errors.
func ParseKey(name string, data []byte) (*ServiceKey, error) { panic("todo") }

// LoadKey reads and parses a key file; its ID is the path as given.
func LoadKey(path string) (*ServiceKey, error) { panic("todo") }

// KeysFromEnv returns keys from VCAP_SERVICES and DOX_SERVICE_KEY.
func KeysFromEnv(getenv func(string) string) ([]*ServiceKey, error) { panic("todo") }

// DiscoverOptions narrows discovery.
type DiscoverOptions struct {
	Patterns []string // files or globs relative to the folder; empty: scan
}

// Discover finds keys below folder. Files that look like keys but fail to
// parse come back as errors (one per file); other files are ignored.
func Discover(folder string, opts DiscoverOptions) ([]*ServiceKey, []error) { panic("todo") }

// Token is an access token and what the server said about it.
type Token struct {
	AccessToken string
	TokenType   string
	Scope       string // space-separated
	ExpiresAt   time.Time
	FetchedAt   time.Time
}

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

// ParseClaims decodes a JWT payload without checking the signature.
func ParseClaims(token string) (Claims, error) { panic("todo") }

// Redact returns a short, safe stand-in for a token in logs and errors.
func Redact(token string) string { panic("todo") }

// ClientOptions configure the token client; zero values take defaults.
type ClientOptions struct {
	AttemptTimeout time.Duration // default 10s
	Deadline       time.Duration // default 30s
	MaxAttempts    int           // default 4
	Now            func() time.Time
}

// Client fetches tokens from UAA.
type Client struct{}

// NewClient returns a token client.
func NewClient(opts ClientOptions) *Client { panic("todo") }

// Fetch gets a new token for key.
func (c *Client) Fetch(ctx context.Context, key *ServiceKey) (Token, error) { panic("todo") }

// Cache keeps one token per key id and shares concurrent fetches.
type Cache struct{}

// NewCache returns a cache that serves tokens while more than margin remains.
func NewCache(client *Client, margin time.Duration) *Cache { panic("todo") }

// Token returns a cached token or fetches one; fromCache says which.
func (c *Cache) Token(ctx context.Context, key *ServiceKey, force bool) (tok Token, fromCache bool, err error) {
	panic("todo")
}

// Peek returns the cached token for a key id, if any, expired or not.
func (c *Cache) Peek(id string) (Token, bool) { panic("todo") }

// Put stores a token for a key id (used to adopt a token found in a document).
func (c *Cache) Put(id string, tok Token) { panic("todo") }

// Clear drops the token of id, or every token when id is ""; it returns how many.
func (c *Cache) Clear(id string) int { panic("todo") }

// SetMargin changes the refresh margin.
func (c *Cache) SetMargin(margin time.Duration) { panic("todo") }
