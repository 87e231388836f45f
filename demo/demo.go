// Package demo runs the whole doxls flow on loopback against the built-in
// UAA emulator, for "doxls demo".
package demo

import (
	"context"
	"io"
)

// Run runs the demo and writes what it does to w.
func Run(ctx context.Context, w io.Writer) error { panic("todo") }
