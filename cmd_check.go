package main

import (
	"context"
	"fmt"
	"io"

	"github.com/doxls/doxls/gitcheck"
	"github.com/doxls/doxls/secretscan"
)

// check is "doxls check [DIR]": every file below DIR that holds a service
// key, a Bearer token or an environment file's token, and that git tracks
// or does not ignore, one line each; exit status 1 when there is one.
func check(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("check")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, err := folderArg("check", fs.Args())
	if err != nil {
		return err
	}
	rep, err := secretscan.Scan(ctx, gitcheck.New(), dir)
	if err != nil {
		return err
	}
	for _, f := range rep.Findings {
		fmt.Fprintln(stdout, f.Message())
	}
	switch {
	case len(rep.Findings) > 0:
		return fmt.Errorf("%d file(s) in %s expose secrets to git", len(rep.Findings), dir)
	case rep.Outside:
		fmt.Fprintf(stdout, "%s is not in a git repository; nothing is exposed to git\n", dir)
	default:
		fmt.Fprintf(stdout, "no secrets exposed to git (%d file(s) with secrets checked)\n", rep.Checked)
	}
	return nil
}
