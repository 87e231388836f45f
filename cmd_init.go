package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/gitcheck"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/doxapi"
)

// initFile is "doxls init [DIR]": what doxls.newRequestFile does for an
// editor, for shell users. It writes a ready-to-run request file for the
// key's DOX API into DIR (made if missing), never replacing a file, and
// prints its path.
func initFile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("init")
	flags := addInsertFlags(fs)
	name := fs.String("name", commands.DefaultRequestFile, "file name")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	dir, err := folderArg("init", pos)
	if err != nil {
		return err
	}
	s, err := flags.settings()
	if err != nil {
		return err
	}
	if err := commands.CheckFileName(*name); err != nil {
		return usageError{"--" + err.Error()}
	}
	key, err := findKey(ctx, *flags.key)
	if err != nil {
		return err
	}
	if _, err := commands.APIBase(key); err != nil {
		return err // before a token is fetched for nothing
	}
	tok, err := auth.NewClient(auth.ClientOptions{}).Fetch(ctx, key)
	if err != nil {
		return err
	}
	content, err := commands.RequestFile(key, tok.AccessToken, starterClient(ctx, key, tok.AccessToken), s)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		var pe *iofs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot make folder %s: %v", dir, err)
	}
	if s.InsertMode == httpfile.ModeEnvFile {
		// The requests read the token from there: it comes first, so that a
		// failure leaves no request file that cannot run.
		abs, err := filepath.Abs(filepath.Join(dir, *name))
		if err != nil {
			return err
		}
		cwd, _ := os.Getwd() // found as doxls bearer finds it: up to the current folder
		root := commands.RootFor([]string{cwd}, abs)
		target := commands.EnvTargetFor(abs, root, s)
		if why := commands.NewFileReaders(ctx, target, abs, key, s, root, nil); why != "" {
			return fmt.Errorf("the token cannot go into %s: %s (docs/security.md)", target.Path, why)
		}
		env, err := commands.PutEnvToken(ctx, gitcheck.New(), target, tok.AccessToken)
		if err != nil {
			return err
		}
		if env.Warning != "" {
			fmt.Fprintf(stderr, "doxls: warning: %s\n", env.Warning)
		}
	}
	if err := commands.WriteSample(dir); err != nil {
		return err
	}
	cwd, _ := os.Getwd() // a linked folder may lead only inside it (docs/security-files.md)
	path, err := commands.CreateFile(dir, []string{cwd}, *name, content)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, path)
	return err
}

// parseInterspersed parses flags that may come before or after the
// positional arguments ("doxls init requests --mode variable") and returns
// the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// starterClient is the DOX client the new file uploads for: the
// instance's first client when it has no "default" (docs/dox-api.md). An
// instance that does not answer in a few seconds gets "default".
func starterClient(ctx context.Context, key *auth.ServiceKey, token string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	api := doxapi.New(doxapi.Options{})
	defer api.Close()
	clients, _ := api.Clients(ctx, doxapi.Target{Key: key.ID, APIURL: key.APIURL, Token: func(context.Context) (string, error) { return token, nil }})
	return doxapi.StarterClient(clients)
}
