// Package server is the doxls language server: lifecycle, documents,
// settings, hover, code lens, diagnostics, token status and auto-refresh,
// on top of the commands package. The connection (framing, dispatch,
// cancellation, the calls to the client, memory) is internal/lspconn;
// handler.go routes its requests and notifications to the features, in
// place of protocol.ServerDispatcher, whose lifecycle and cancellation
// handling do not fit (docs/transport.md).
package server

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/gitcheck"
	"github.com/doxls/doxls/internal/doxapi"
	"github.com/doxls/doxls/internal/lspconn"
)

// Options configure Run.
type Options struct {
	In       io.Reader
	Out      io.Writer
	LogOut   io.Writer // where logs go without LogFile; normally stderr
	LogLevel string    // debug, info, warn (default), error
	LogFile  string
	Version  string
	Getenv   func(string) string // default os.Getenv
	// Client configures the token client; tests use it for the emulator's CA.
	Client auth.ClientOptions
}

// ErrNoShutdown is returned when the client exits, or the input ends,
// without a shutdown request first (the process then exits with 1).
var ErrNoShutdown = errors.New("the client ended the session without a shutdown request")

// Run serves LSP on In/Out until the client exits or the input ends.
func Run(ctx context.Context, opts Options) error {
	log, closeLog, err := newLogger(opts)
	if err != nil {
		return err
	}
	defer closeLog()
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}

	s := newServer(opts, log)
	s.conn = lspconn.New(opts.In, opts.Out, lspconn.Config{
		Call:      s.call,
		Notify:    s.notify,
		InOrder:   inOrder,
		Log:       log,
		SmallHeap: true,
		Getenv:    os.Getenv, // GOMEMLIMIT is the process's, not the session's
		Idle:      s.docs.shed,
	})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // the requests still running when the client exits
	served := make(chan error, 1)
	go func() { served <- s.conn.Serve(ctx) }()

	select {
	case err := <-served:
		if err != nil {
			log.Warn("the connection to the client failed", zap.Error(err))
		}
	case <-s.exited:
	case <-ctx.Done():
	}
	s.stop()
	if s.isShutdown() {
		return nil
	}
	return ErrNoShutdown
}

// Server is one LSP session.
type Server struct {
	conn    *lspconn.Conn
	log     *zap.Logger
	version string
	getenv  func(string) string

	// ctx lives as long as the session; background work hangs off it.
	ctx    context.Context
	cancel context.CancelFunc
	exited chan struct{}

	mu       sync.Mutex
	state    state
	caps     clientCaps
	settings commands.Settings
	pending  []protocol.ShowMessageParams // messages held until initialized
	// discovered is closed when the latest key discovery has finished.
	discovered chan struct{}

	docs       *documents
	keys       *commands.Keyring
	tokens     *auth.Cache
	clientOpts auth.ClientOptions
	cmds       *commands.Handler
	status     *status
	diags      *diagnostics
	dox        *doxapi.Service // the DOX API of the keys (dox.go)
	// warnedFiles: secret files the user was told about (secrets.go).
	warnedFiles warned
	// jobWaits cancels a doxls.waitForJob by its progress token (jobs.go).
	jobWaits map[string]context.CancelFunc

	callFns   map[string]callFunc   // set once by methods (handler.go)
	notifyFns map[string]notifyFunc // likewise
}

type state int

const (
	stateNew state = iota
	stateRunning
	stateShutdown
)

func newServer(opts Options, log *zap.Logger) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		log:        log,
		version:    opts.Version,
		getenv:     opts.Getenv,
		ctx:        ctx,
		cancel:     cancel,
		exited:     make(chan struct{}),
		settings:   commands.DefaultSettings(),
		discovered: make(chan struct{}),
		docs:       newDocuments(),
		keys:       commands.NewKeyring(nil, opts.Getenv),
	}
	s.clientOpts = opts.Client
	s.tokens = auth.NewCache(auth.NewClient(opts.Client), s.settings.RefreshMargin)
	s.status = newStatus(s)
	s.diags = newDiagnostics(s)
	// New clients or document types can settle warnings made without them.
	s.dox = doxapi.New(doxapi.Options{Refreshed: func(string) { s.diags.refreshAll() }})
	s.cmds = &commands.Handler{
		Keys:     s.keys,
		Tokens:   s.tokens,
		Docs:     s.docs,
		Client:   (*editor)(s),
		Status:   s.status,
		Settings: s.Settings,
		Progress: s.progress,
		DoxClient: func(ctx context.Context, key *auth.ServiceKey) string {
			return doxapi.StarterClient(s.doxData(ctx, key).Clients)
		},
		Git: gitcheck.New(),
	}
	s.methods()
	return s
}

// Settings returns the current settings.
func (s *Server) Settings() commands.Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

func (s *Server) isShutdown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == stateShutdown
}

// stop ends background work: timers, fetches. Run's context ends the
// requests still running.
func (s *Server) stop() {
	s.cancel()
	s.status.stop()
	s.diags.stop()
	s.dox.Close()
}
