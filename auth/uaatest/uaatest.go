// Package uaatest is an in-process UAA emulator (and a small DOX API stub
// that checks the tokens it issued) for tests and for "doxls demo".
//
// It is strict on purpose: it answers the way SAP XSUAA does, including its
// quirks (Basic credentials read verbatim unless X-CF-ENCODED-CREDENTIALS
// says otherwise), so a token client that passes against it is a client
// that works against the real service. It must not import "testing": the
// shipped binary uses it for "doxls demo".
package uaatest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
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
	// Now is the clock for token iat/exp and for checking token expiry in
	// the API stub. Client certificates always use the real clock, as TLS
	// peers do.
	Now func() time.Time
	// APIClients are the DOX clients of the instance (GET /clients);
	// default: one client "default", as a fresh instance has.
	APIClients []APIClient
	// PendingPolls is how many times GET /document/jobs/{id} answers
	// PENDING before DONE; negative: PENDING until FinishJob.
	PendingPolls int
}

// DefaultClient has the shape of a real XSUAA binding.
var DefaultClient = Client{
	ID:     "sb-3f1c9a2e-7d4b-4c1a-9e0f-2b6d8a1c5e7f!b48751|dox-xsuaa-std-trial!b10844",
	Secret: "0f5b8c2d-1e4a-4b7f-9c3d-6a2e8f1b0c4d$Xk2+Qz/9a=:!|",
}

// SecondClient is another binding of the same shape, for tests that switch
// between two keys.
var SecondClient = Client{
	ID:     "sb-9d2e4f6a-1b3c-4e5d-8f7a-0c2b4d6e8f1a!b48751|dox-xsuaa-std-trial!b10844",
	Secret: "7c1e9b3a-5d2f-4a8e-b6c0-3f9d1e7a2b5c$Yq8/Wm+3p=:|!",
}

const (
	defaultTTL  = 43199 * time.Second
	defaultZone = "6e0a8f4c-2b7d-4d3e-a1f9-5c8b7e2d4a60"
	// subdomain is the identity zone's subdomain, as in
	// https://mysub.authentication.us10.hana.ondemand.com.
	subdomain = "mysub"
	uaaDomain = "authentication.us10.hana.ondemand.com"
)

// Server is a running emulator.
type Server struct {
	URL     string // http://127.0.0.1:port, the uaa.url
	CertURL string // https://127.0.0.1:port, mutual TLS, the uaa.certurl
	APIURL  string // http://127.0.0.1:port, the DOX API stub
	CAPEM   []byte // the CA that signed the CertURL server certificate
	CAPool  *x509.CertPool

	opts    Options
	signer  *signer
	ca      *authority
	servers []*http.Server

	tokenRequests atomic.Int64
	// arrived is closed and replaced at every token request, so that a
	// test can wait for one instead of polling the count.
	arrivedMu sync.Mutex
	arrived   chan struct{}

	mu       sync.Mutex
	clients  map[string]Client                // secret clients by id
	certs    map[string]map[[32]byte]struct{} // x509 clients: id → leaf SHA-256
	fault    Fault
	release  chan struct{} // closed by Release to free hung requests
	apiCalls []APIRequest
	jobs     map[string]*job
	apiHang  bool // API calls hang until Release or Close
	closing  bool
	inflight sync.WaitGroup

	closed    chan struct{}
	closeOnce sync.Once
}

// New starts an emulator on loopback.
func New(opts Options) (*Server, error) {
	if len(opts.Clients) == 0 {
		opts.Clients = []Client{DefaultClient}
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = defaultTTL
	}
	if opts.Zone == "" {
		opts.Zone = defaultZone
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(opts.APIClients) == 0 {
		opts.APIClients = []APIClient{{ID: "default", Name: "Default client"}}
	}
	sig, err := processSigner()
	if err != nil {
		return nil, err
	}
	ca, err := newAuthority()
	if err != nil {
		return nil, err
	}
	s := &Server{
		CAPEM:   ca.certPEM,
		CAPool:  ca.pool(),
		opts:    opts,
		signer:  sig,
		ca:      ca,
		clients: make(map[string]Client),
		certs:   make(map[string]map[[32]byte]struct{}),
		release: make(chan struct{}),
		jobs:    make(map[string]*job),
		closed:  make(chan struct{}),
		arrived: make(chan struct{}),
	}
	for _, c := range opts.Clients {
		s.clients[c.ID] = c
	}
	if err := s.start(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// start opens the three listeners; on error the caller closes what started.
func (s *Server) start() error {
	uaa := http.NewServeMux()
	uaa.HandleFunc("/oauth/token", s.handleToken(false))
	uaa.HandleFunc("/token_keys", s.handleTokenKeys)
	var err error
	if s.URL, err = s.listen("http", uaa); err != nil {
		return err
	}
	certMux := http.NewServeMux()
	certMux.HandleFunc("/oauth/token", s.handleToken(true))
	if s.CertURL, err = s.listen("https", certMux); err != nil {
		return err
	}
	s.APIURL, err = s.listen("http", s.apiHandler())
	return err
}

func (s *Server) listen(scheme string, h http.Handler) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("uaatest: listen on loopback: %w", err)
	}
	srv := &http.Server{
		Handler:           s.track(h),
		ReadHeaderTimeout: 10 * time.Second,
		// TLS handshake failures from clients that do not trust the
		// emulator's CA are expected in tests; keep them off stderr.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	if scheme == "https" {
		srv.TLSConfig = s.ca.serverTLS()
		l = tls.NewListener(l, srv.TLSConfig)
	}
	s.servers = append(s.servers, srv)
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("uaatest: %s listener stopped: %v", scheme, err)
		}
	}()
	return scheme + "://" + l.Addr().String(), nil
}

// track counts running handlers so Close can wait for them; once closing,
// new requests are turned away.
func (s *Server) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			http.Error(w, "emulator closed", http.StatusServiceUnavailable)
			return
		}
		s.inflight.Add(1)
		s.mu.Unlock()
		defer s.inflight.Done()
		h.ServeHTTP(w, r)
	})
}

// Close stops every listener and releases hung requests.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		close(s.closed)
		for _, srv := range s.servers {
			_ = srv.Close()
		}
		s.inflight.Wait()
	})
}

// TokenRequests counts the token requests received so far (all routes).
func (s *Server) TokenRequests() int { return int(s.tokenRequests.Load()) }

// countTokenRequest counts one token request and wakes the waiters.
func (s *Server) countTokenRequest() {
	s.arrivedMu.Lock()
	s.tokenRequests.Add(1)
	close(s.arrived)
	s.arrived = make(chan struct{})
	s.arrivedMu.Unlock()
}

// WaitTokenRequests blocks until at least n token requests have arrived
// (a hung one counts as soon as it reached the endpoint) or ctx ends.
func (s *Server) WaitTokenRequests(ctx context.Context, n int) error {
	for {
		s.arrivedMu.Lock()
		got, arrived := s.TokenRequests(), s.arrived
		s.arrivedMu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			return fmt.Errorf("the emulator saw %d token requests, not %d: %w", got, n, ctx.Err())
		}
	}
}

// now is the emulator's clock (Options.Now).
func (s *Server) now() time.Time { return s.opts.Now() }

// issuer is the iss claim of this emulator's tokens.
func (s *Server) issuer() string { return s.URL + "/oauth/token" }

// xsappname is what XSUAA derives from a client id: the id without "sb-".
func xsappname(clientID string) string { return strings.TrimPrefix(clientID, "sb-") }
