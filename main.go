// Command doxls gets OAuth tokens for SAP Document Information Extraction and
// keeps the Bearer headers of .http request files fresh. Run without
// arguments (or as "doxls serve") it is a language server on stdio.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/demo"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit statuses (DESIGN.md §6).
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

const usage = `usage: doxls [command] [flags]

commands:
  serve                      language server on stdio (the default)
  token [--key FILE] [--json] [--force]
                             print an access token
  bearer [--key FILE] [--mode header|variable|envFile] [--env dev] [--env-format json|dotenv] FILE...
                             write the token into .http files (envFile: into
                             http-client.private.env.json or .env beside them)
  check [DIR]                exit 1 when a service key, token or env file in DIR
                             is tracked by git or not ignored (a pre-commit hook)
  keys [DIR]                 list service keys found in DIR (default .)
  init [DIR] [--key FILE] [--mode header|variable|envFile] [--env dev] [--env-format json|dotenv] [--name NAME]
                             write a ready-to-run DOX request file into DIR
  demo                       the whole flow against a built-in UAA emulator
  version                    print the version
`

// errUsage marks errors that should exit with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stdin, stdout, stderr)
	case "token":
		err = token(ctx, args, stdout)
	case "bearer":
		err = bearer(ctx, args, stdout, stderr)
	case "keys":
		err = keys(args, stdout)
	case "check":
		err = check(ctx, args, stdout)
	case "init":
		err = initFile(ctx, args, stdout, stderr)
	case "demo":
		err = demo.Run(ctx, stdout)
	case "version":
		fmt.Fprintf(stdout, "doxls %s\n", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = usageError{fmt.Sprintf("unknown command %q (try doxls help)", cmd)}
	}
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitUsage
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "doxls: %v\n", err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "doxls: %v\n", err)
		return exitFail
	}
}

// newFlags returns a flag set whose errors become usage errors.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("doxls "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// folderArg is the optional [DIR] argument of a subcommand, "." without it.
func folderArg(cmd string, args []string) (string, error) {
	switch len(args) {
	case 0:
		return ".", nil
	case 1:
		return args[0], nil
	}
	return "", usageError{cmd + " takes at most one folder"}
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usageError{usage}
		}
		return usageError{err.Error()}
	}
	return nil
}

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

// findKey loads the key named by --key, else the key named by the
// environment (DOX_SERVICE_KEY before VCAP_SERVICES), else the one key found
// in the current folder. With several candidates it fails listing them, one
// per line after the message.
func findKey(path string) (*auth.ServiceKey, error) {
	if path != "" {
		return auth.LoadKey(path)
	}
	env, err := auth.KeysFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	for _, k := range env {
		if k.ID == auth.EnvDoxServiceKey {
			return k, nil
		}
	}
	if len(env) > 0 {
		return env[0], nil
	}
	keys, problems := auth.Discover(".", auth.DiscoverOptions{})
	switch {
	case len(keys) == 1:
		return keys[0], nil
	case len(keys) > 1:
		ids := make([]string, len(keys))
		for i, k := range keys {
			ids[i] = "  " + k.ID
		}
		return nil, fmt.Errorf("%d service keys found in this folder; pick one with --key:\n%s", len(keys), strings.Join(ids, "\n"))
	case len(problems) > 0:
		lines := make([]string, len(problems))
		for i, p := range problems {
			lines[i] = "  " + p.Error()
		}
		return nil, fmt.Errorf("no usable service key in this folder; fix one or pass --key FILE:\n%s", strings.Join(lines, "\n"))
	}
	return nil, errors.New("no service key found in this folder; pass --key FILE or set DOX_SERVICE_KEY")
}

// fetch gets a token for the key the flags name. The command line keeps no
// token between runs, so every run fetches a new one and force (--force)
// changes nothing; the flag is there for scripts written against the server,
// whose cache it does bypass.
func fetch(ctx context.Context, keyPath string, force bool) (*auth.ServiceKey, auth.Token, error) {
	key, err := findKey(keyPath)
	if err != nil {
		return nil, auth.Token{}, err
	}
	tok, err := auth.NewClient(auth.ClientOptions{}).Fetch(ctx, key)
	return key, tok, err
}

func token(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("token")
	keyPath := fs.String("key", "", "service key file")
	asJSON := fs.Bool("json", false, "print a JSON object")
	force := fs.Bool("force", false, "fetch a new token even if one is cached")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"token takes no arguments"}
	}
	_, tok, err := fetch(ctx, *keyPath, *force)
	if err != nil {
		return err
	}
	if !*asJSON {
		_, err = fmt.Fprintln(stdout, tok.AccessToken)
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		ExpiresAt   string `json:"expires_at"`
		Scope       string `json:"scope"`
	}{tok.AccessToken, tok.TokenType, int64(time.Until(tok.ExpiresAt).Seconds()), tok.ExpiresAt.UTC().Format(time.RFC3339), tok.Scope})
}

func bearer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bearer")
	keyPath := fs.String("key", "", "service key file")
	mode := fs.String("mode", string(httpfile.ModeHeader), "header, variable or envFile")
	envName := fs.String("env", "dev", "envFile mode: the environment in http-client.private.env.json")
	envFormat := fs.String("env-format", "json", "envFile mode: json (http-client.private.env.json) or dotenv (.env)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	m := httpfile.Mode(*mode)
	if m != httpfile.ModeHeader && m != httpfile.ModeVariable && m != httpfile.ModeEnvFile {
		return usageError{fmt.Sprintf("--mode must be header, variable or envFile, not %q", *mode)}
	}
	envS, err := envSettings(*envName, *envFormat)
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"bearer needs at least one .http file"}
	}
	key, tok, err := fetch(ctx, *keyPath, false)
	if err != nil {
		return err
	}
	if m == httpfile.ModeEnvFile {
		return bearerEnv(ctx, fs.Args(), key, tok.AccessToken, envS, stdout, stderr)
	}
	opts := httpfile.Options{Token: tok.AccessToken, APIHost: key.APIHost(), Mode: m, Line: -1}
	failed := 0
	for _, path := range fs.Args() {
		plan, err := httpfile.EditFile(path, opts)
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

// keys lists the keys of the environment and of DIR with what identifies
// them (never a secret), then the files that look like keys but are not
// usable. It fails when DIR is not a folder or nothing usable was found.
func keys(args []string, stdout io.Writer) error {
	fs := newFlags("keys")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, err := folderArg("keys", fs.Args())
	if err != nil {
		return err
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	// Discovery names files relative to dir; show them relative to here.
	inDir := func(name string) string {
		if filepath.IsAbs(filepath.FromSlash(name)) {
			return name
		}
		return filepath.ToSlash(filepath.Join(dir, filepath.FromSlash(name)))
	}
	found, problems := auth.Discover(dir, auth.DiscoverOptions{})
	for _, p := range problems {
		if ke, ok := p.(*auth.KeyError); ok {
			ke.Name = inDir(ke.Name)
		}
	}
	env, err := auth.KeysFromEnv(os.Getenv)
	if err != nil {
		problems = append([]error{err}, problems...)
	}
	all := append(env, found...)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if len(all) > 0 {
		fmt.Fprintln(tw, "KEY\tTYPE\tCLIENT ID\tZONE\tAPI")
	}
	for _, k := range all {
		id := k.ID
		if k.Path != "" {
			id = inDir(k.ID)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", id, credType(k), k.UAA.ClientID, orDash(k.UAA.IdentityZone), orDash(k.APIURL))
	}
	tw.Flush()
	for _, p := range problems {
		fmt.Fprintf(stdout, "problem: %v\n", p)
	}
	if len(all) == 0 {
		return fmt.Errorf("no usable service key in %s", dir)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func credType(k *auth.ServiceKey) string {
	if k.UAA.CredentialType == "" {
		return auth.BindingSecret
	}
	return k.UAA.CredentialType
}
