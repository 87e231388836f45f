package server

import (
	"fmt"
	"io"
	"os"
	"sync"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

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
