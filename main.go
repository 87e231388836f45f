// Command doxls gets OAuth tokens for SAP Document Information Extraction and
// keeps the Bearer headers of .http request files fresh. Run without
// arguments (or as "doxls serve") it is a language server on stdio.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/demo"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit statuses (docs/cli.md).
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
  keys [--json] [DIR]        list service keys found in DIR (default .); --json:
                             the key entries of doxls.loadServiceKey
  init [DIR] [--key FILE] [--mode header|variable|envFile] [--env dev] [--env-format json|dotenv] [--name NAME]
                             write a ready-to-run DOX request file into DIR
  demo                       the whole flow against a built-in UAA emulator
  version                    print the version

--key takes a key file or cf:INSTANCE/KEY, which runs your cf CLI
(cf service-key INSTANCE KEY) and keeps the key in memory only.
`

// usageError marks errors that should exit with status 2.
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

// insertFlags are the flags of the subcommands that write a token (bearer,
// init): the key, and where the token goes, defaulting as the settings do.
type insertFlags struct{ key, mode, env, envFormat *string }

func addInsertFlags(fs *flag.FlagSet) insertFlags {
	defaults := commands.DefaultSettings()
	return insertFlags{
		key:       fs.String("key", "", "service key file, or cf:INSTANCE/KEY"),
		mode:      fs.String("mode", string(defaults.InsertMode), "header, variable or envFile"),
		env:       fs.String("env", defaults.EnvName, "envFile mode: the environment in http-client.private.env.json"),
		envFormat: fs.String("env-format", string(defaults.EnvFormat), "envFile mode: json (http-client.private.env.json) or dotenv (.env)"),
	}
}

// settings are the settings the flags name; a bad value is a usage error
// naming its flag.
func (f insertFlags) settings() (commands.Settings, error) {
	s := commands.DefaultSettings()
	format, err := commands.ParseEnvFormat(*f.envFormat)
	if err != nil {
		return s, usageError{"--env-format " + err.Error()}
	}
	s.EnvFormat = format
	if *f.env == "" {
		return s, usageError{"--env must name an environment"}
	}
	s.EnvName = *f.env
	if s.InsertMode, err = commands.ParseMode(*f.mode); err != nil {
		return s, usageError{"--mode " + err.Error()}
	}
	return s, nil
}
