// Package server is the doxls language server: lifecycle, documents,
// settings, hover, code lens, diagnostics, token status and auto-refresh,
// on top of the commands package. It dispatches JSON-RPC itself (see
// handler.go) rather than through protocol.ServerDispatcher, whose
// lifecycle and cancellation handling do not fit (DESIGN.md §8).
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/gitcheck"
	"github.com/doxls/doxls/internal/doxapi"
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
	s.stream = newStream(opts.In, opts.Out, closerFunc(func() error { return nil }), newMemory(os.Getenv("GOMEMLIMIT")), s.notify)
	conn := jsonrpc2.NewConn(s.stream)
	s.conn = conn
	conn.Go(ctx, s.handle)

	select {
	case <-conn.Done():
	case <-s.exited:
	case <-ctx.Done():
	}
	s.stop()
	if s.isShutdown() {
		return nil
	}
	return ErrNoShutdown
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

func newLogger(opts Options) (*zap.Logger, func(), error) {
	level := zapcore.WarnLevel
	if opts.LogLevel != "" {
		if err := level.UnmarshalText([]byte(opts.LogLevel)); err != nil {
			return nil, nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", opts.LogLevel)
		}
	}
	var out zapcore.WriteSyncer
	closeFn := func() {}
	if opts.LogFile != "" {
		f, err := os.OpenFile(opts.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("--log-file: %w", err)
		}
		w := &lockedWriter{w: f}
		out = zapcore.AddSync(w)
		closeFn = func() {
			w.close()
			f.Close()
		}
	} else {
		w := opts.LogOut
		if w == nil {
			w = io.Discard
		}
		out = zapcore.AddSync(&lockedWriter{w: w})
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), out, level)
	// zap reports its own troubles on stderr by default; with --log-file
	// stderr is the user's terminal or the editor's output panel.
	return zap.New(core, zap.ErrorOutput(out)), closeFn, nil
}

// lockedWriter keeps concurrent log lines whole on a shared writer. Once
// closed it drops lines: work the session cancelled may still log while it
// winds down, after Run has closed the log file.
type lockedWriter struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return len(p), nil
	}
	return l.w.Write(p)
}

func (l *lockedWriter) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
}

// Server is one LSP session.
type Server struct {
	conn    jsonrpc2.Conn
	stream  *stream
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
	inflight map[string]context.CancelFunc
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
		inflight:   map[string]context.CancelFunc{},
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

// stop ends background work: timers, in-flight requests, fetches.
func (s *Server) stop() {
	s.cancel()
	s.status.stop()
	s.diags.stop()
	s.dox.Close()
	s.mu.Lock()
	for _, cancel := range s.inflight {
		cancel()
	}
	s.mu.Unlock()
}
