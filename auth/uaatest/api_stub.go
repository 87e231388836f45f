// Package uaatest is an in-process UAA emulator (and a small DOX API stub
// that checks the tokens it issued) for tests and for "doxls demo".
//
// THIS FILE IS THE AGREED API SKELETON. The uaatest helper replaces it with
// the real implementation, keeping every exported name and signature below.
package uaatest

import (
	"crypto/x509"
	"time"
)

// Client is an OAuth client the emulator knows.
type Client struct {
	ID     string
	Secret string // empty for x509 clients
}

// Options configure the emulator; zero values take realistic defaults.
type Options struct {
	Clients []Client // default: DefaultClient
	// AlwaysDecode is UAA with compatibility mode off: Basic credentials are
	// always URL-decoded. Off (the default), they are read verbatim unless
	// the request says X-CF-ENCODED-CREDENTIALS: true.
	AlwaysDecode bool
	TokenTTL     time.Duration // expires_in; default 43199s
	Zone         string        // identity zone id; default a realistic GUID
	Now          func() time.Time
}

// DefaultClient has the shape of a real XSUAA binding.
var DefaultClient = Client{
	ID:     "sb-3f1c9a2e-7d4b-4c1a-9e0f-2b6d8a1c5e7f!b48751|dox-xsuaa-std-trial!b10844",
	Secret: "0f5b8c2d-1e4a-4b7f-9c3d-6a2e8f1b0c4d$Xk2+Qz/9a=:!|",
}

// FaultKind selects a misbehaviour of the token endpoint.
type FaultKind int

const (
	FaultNone      FaultKind = iota
	Fault500                 // 500 with a JSON error body
	Fault503                 // 503
	Fault429                 // 429 with Retry-After
	FaultHang                // never answers until the request's context ends or Release/Close
	FaultHTML                // 200 with an HTML login page
	Fault404                 // 404 HTML
	FaultTruncated           // 200 with a JSON body cut in the middle
	FaultNoExpiresIn         // a valid answer without expires_in
)

// Fault is an injected misbehaviour for the next Count token requests (0: all).
type Fault struct {
	Kind       FaultKind
	Count      int
	RetryAfter time.Duration // for Fault429
}

// Server is a running emulator.
type Server struct {
	URL     string // http://127.0.0.1:port, the uaa.url
	CertURL string // https://127.0.0.1:port, mutual TLS, the uaa.certurl
	APIURL  string // http://127.0.0.1:port, the DOX API stub
	CAPEM   []byte // the CA that signed the CertURL server certificate
	CAPool  *x509.CertPool
}

// New starts an emulator on loopback.
func New(opts Options) (*Server, error) { panic("todo") }

// Close stops every listener and releases hung requests.
func (s *Server) Close() { panic("todo") }

// TokenRequests counts the token requests received so far (all routes).
func (s *Server) TokenRequests() int { panic("todo") }

// SetFault injects a fault.
func (s *Server) SetFault(f Fault) { panic("todo") }

// Release lets hung requests (FaultHang) go on and clears the fault.
func (s *Server) Release() { panic("todo") }

// KeyJSON is a BTP cockpit service key for a secret client of this emulator.
func (s *Server) KeyJSON(c Client) []byte { panic("todo") }

// X509KeyJSON registers an x509 client and returns its service key, with a
// fresh client certificate (valid for validFor, may be negative for an
// expired one) signed by the emulator's CA.
func (s *Server) X509KeyJSON(clientID string, validFor time.Duration) []byte { panic("todo") }

// APIRequest is one call the DOX API stub received.
type APIRequest struct {
	Method, Path string
	Authorized   bool     // a valid, unexpired token of this emulator
	Parts        []string // multipart form part names, for uploads
}

// APIRequests lists the calls the DOX API stub received.
func (s *Server) APIRequests() []APIRequest { panic("todo") }
