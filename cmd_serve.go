package main

import (
	"context"
	"io"

	"github.com/doxls/doxls/server"
)

// serve is "doxls serve": the language server on stdio.
func serve(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("serve")
	level := fs.String("log-level", "warn", "log level: debug, info, warn, error")
	file := fs.String("log-file", "", "write logs to this file instead of stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return server.Run(ctx, server.Options{
		In: stdin, Out: stdout, LogOut: stderr,
		LogLevel: *level, LogFile: *file, Version: version,
	})
}
