// Package server is the doxls language server.
package server

import (
	"context"
	"io"
)

// Options configure Run.
type Options struct {
	In       io.Reader
	Out      io.Writer
	LogOut   io.Writer
	LogLevel string
	LogFile  string
	Version  string
}

// Run serves LSP on In/Out until the client exits or In ends.
func Run(ctx context.Context, opts Options) error { panic("todo") }
