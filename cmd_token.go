package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/doxls/doxls/auth"
)

// findKey loads the key named by --key (a file, or cf:INSTANCE/KEY read
// from Cloud Foundry), else the key named by the environment
// (DOX_SERVICE_KEY before VCAP_SERVICES), else the one key found in the
// current folder. With several candidates it fails listing them, one per
// line after the message.
func findKey(ctx context.Context, path string) (*auth.ServiceKey, error) {
	switch {
	case auth.IsCFRef(path):
		return auth.LoadCFKey(ctx, path)
	case path != "":
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
// token between runs, so every run fetches a new one.
func fetch(ctx context.Context, keyPath string) (*auth.ServiceKey, auth.Token, error) {
	key, err := findKey(ctx, keyPath)
	if err != nil {
		return nil, auth.Token{}, err
	}
	tok, err := auth.NewClient(auth.ClientOptions{}).Fetch(ctx, key)
	return key, tok, err
}

func token(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("token")
	keyPath := fs.String("key", "", "service key file, or cf:INSTANCE/KEY")
	asJSON := fs.Bool("json", false, "print a JSON object")
	// --force is accepted for scripts written against the server, whose cache
	// it bypasses; here every run fetches anyway.
	fs.Bool("force", false, "fetch a new token (every run does: the command line caches nothing)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"token takes no arguments"}
	}
	_, tok, err := fetch(ctx, *keyPath)
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
