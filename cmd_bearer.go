package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/envfile"
	"github.com/doxls/doxls/gitcheck"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/userfile"
)

func bearer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bearer")
	flags := addInsertFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	envS, err := flags.settings()
	if err != nil {
		return err
	}
	m := envS.InsertMode
	if fs.NArg() == 0 {
		return usageError{"bearer needs at least one .http file"}
	}
	key, tok, err := fetch(ctx, *flags.key)
	if err != nil {
		return err
	}
	if m == httpfile.ModeEnvFile {
		return bearerEnv(ctx, fs.Args(), key, tok.AccessToken, envS, stdout, stderr)
	}
	opts := commands.HostOptions(key, envS)
	opts.Token, opts.Mode = tok.AccessToken, m
	cwd, _ := os.Getwd() // a symbolic link may lead only inside it (docs/security-files.md)
	failed := 0
	for _, path := range fs.Args() {
		plan, err := httpfile.EditFile(ctx, path, []string{cwd}, withEnvironments(opts, path, cwd, envS))
		if err != nil {
			fmt.Fprintf(stderr, "doxls: %v\n", err) // the error names the file
			failed++
			continue
		}
		fmt.Fprintf(stdout, "%s: %d edit(s)\n", path, len(plan.Edits))
		for _, s := range plan.Skipped {
			fmt.Fprintf(stdout, "%s:%d: skipped: %s\n", path, s.Line+1, s.Reason)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be edited", failed, fs.NArg())
	}
	return nil
}

// bearerEnv is "doxls bearer --mode envFile": for each request file, the
// token goes into its environment file first (searched from the file's
// folder up to the current folder), then the DOX requests get
// "Authorization: Bearer {{doxToken}}". A new environment file inside a git
// work tree is added to .gitignore.
func bearerEnv(ctx context.Context, paths []string, key *auth.ServiceKey, token string, s commands.Settings, stdout, stderr io.Writer) error {
	base := commands.HostOptions(key, s)
	base.Token, base.Mode, base.Dotenv = token, httpfile.ModeEnvFile, s.EnvFormat == envfile.FormatDotenv
	git := gitcheck.New()
	cwd, _ := os.Getwd()
	failed := 0
	for _, path := range paths {
		var env *commands.EnvResult
		opts := withEnvironments(base, path, cwd, s)
		abs, _ := filepath.Abs(path)
		root := commands.RootFor([]string{cwd}, abs)
		target := commands.EnvTargetFor(abs, root, s)
		opts.EnvBlocked = commands.OtherReaders(ctx, target.Path, abs, opts, s, root, nil)
		if src, _, err := userfile.Read(ctx, path, userfile.MaxSize); err == nil && utf8.Valid(src) {
			// Unreadable files fail in EditFile below, with its message.
			after := httpfile.Apply(src, httpfile.PlanEdits(src, opts).Edits)
			if commands.UsesEnv(after, opts) {
				res, err := commands.PutEnvToken(ctx, git, target, token)
				if err != nil {
					fmt.Fprintf(stderr, "doxls: %v\n", err)
					failed++
					continue
				}
				env = &res
			}
		}
		plan, err := httpfile.EditFile(ctx, path, []string{cwd}, opts)
		if err != nil {
			fmt.Fprintf(stderr, "doxls: %v\n", err)
			failed++
			continue
		}
		fmt.Fprintf(stdout, "%s: %d edit(s)\n", path, len(plan.Edits))
		for _, sk := range plan.Skipped {
			fmt.Fprintf(stdout, "%s:%d: skipped: %s\n", path, sk.Line+1, sk.Reason)
		}
		if env != nil {
			reportEnv(stdout, stderr, path, cwd, *env)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be edited", failed, len(paths))
	}
	return nil
}

// withEnvironments adds the environment files of the request file at path
// (up to the current folder) to opts.
func withEnvironments(opts httpfile.Options, path, cwd string, s commands.Settings) httpfile.Options {
	abs, err := filepath.Abs(path)
	if err != nil {
		return opts
	}
	return commands.WithEnvironments(opts, abs, commands.RootFor([]string{cwd}, abs), s)
}

func reportEnv(stdout, stderr io.Writer, path, cwd string, env commands.EnvResult) {
	shown := func(p string) string {
		if rel, err := filepath.Rel(cwd, p); err == nil && filepath.IsLocal(rel) {
			return rel
		}
		return p
	}
	what := "token unchanged in"
	switch {
	case env.Created:
		what = "token written to new"
	case env.Changed:
		what = "token written to"
	}
	where := shown(env.Path)
	if env.Env != "" {
		where += " (environment " + env.Env + ")"
	}
	fmt.Fprintf(stdout, "%s: %s %s\n", path, what, where)
	if env.IgnoredIn != "" {
		fmt.Fprintf(stdout, "%s: added to %s\n", shown(env.Path), shown(env.IgnoredIn))
	}
	if env.Warning != "" {
		fmt.Fprintf(stderr, "doxls: warning: %s\n", env.Warning)
	}
}
