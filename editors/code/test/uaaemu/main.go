// Command uaaemu runs the UAA emulator (and its DOX API stub) for the VS
// Code end-to-end test. It writes three service keys into -dir:
//
//	dox-key.json           a working key (uaatest.DefaultClient)
//	keys/other-key.json    a working key for a second client
//	keys/wrong-secret.json the second client with a wrong secret (401)
//
// The wrong key shares its client id with other-key.json, not with
// dox-key.json: the test writes dox-key.json's token into a document, and
// doxls adopts a document's token for a key of the same client id.
// prints one JSON line {"uaaUrl", "apiUrl", "keys": {"good", "other",
// "wrong"}} once it listens, and runs until stdin ends or SIGTERM/SIGINT.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/doxls/doxls/auth/uaatest"
)

var other = uaatest.Client{
	ID:     "sb-9d2e4f6a-1b3c-4e5d-8f7a-0c2b4d6e8f1a!b48751|dox-xsuaa-std-trial!b10844",
	Secret: "7c1e9b3a-5d2f-4a8e-b6c0-3f9d1e7a2b5c$Yq8/Wm+3p=:|!",
}

func main() {
	dir := flag.String("dir", "", "workspace folder to write the service keys into")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintf(os.Stderr, "uaaemu: %v\n", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if dir == "" {
		return fmt.Errorf("-dir is required")
	}
	srv, err := uaatest.New(uaatest.Options{Clients: []uaatest.Client{uaatest.DefaultClient, other}})
	if err != nil {
		return err
	}
	defer srv.Close()

	wrong := uaatest.Client{ID: other.ID, Secret: "1d7f3e9a-0b2c-4d6e-8a1f-5c3b7e9d2a4f$Wr0ng+Pa/ss=:|!"}
	files := map[string]struct {
		rel    string
		client uaatest.Client
	}{
		"good":  {"dox-key.json", uaatest.DefaultClient},
		"other": {filepath.Join("keys", "other-key.json"), other},
		"wrong": {filepath.Join("keys", "wrong-secret.json"), wrong},
	}
	paths := map[string]string{}
	for name, f := range files {
		p := filepath.Join(dir, f.rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, srv.KeyJSON(f.client), 0o600); err != nil {
			return err
		}
		paths[name] = p
	}
	line, err := json.Marshal(map[string]any{
		"uaaUrl": srv.URL,
		"apiUrl": strings.TrimSuffix(srv.APIURL, "/"),
		"keys":   paths,
	})
	if err != nil {
		return err
	}
	fmt.Println(string(line))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The e2e script holds our stdin open; its end means the test ended.
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	<-ctx.Done()
	return nil
}
