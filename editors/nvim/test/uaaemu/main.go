// Command uaaemu runs the UAA emulator for the Neovim end-to-end test: it
// writes one service key file per -key path (each for its own client), prints
// one JSON line {"uaaUrl", "apiUrl", "keys": [{"path", "clientId"}]} once the
// emulator listens, and runs until stdin ends or it gets SIGTERM/SIGINT.
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

// clients have the shape of real XSUAA bindings, secrets with the characters
// that break naive Basic encoding.
var clients = []uaatest.Client{
	uaatest.DefaultClient,
	{
		ID:     "sb-9d2e4f6a-1b3c-4e5d-8f7a-0c2b4d6e8f1a!b48751|dox-xsuaa-std-trial!b10844",
		Secret: "7c1e9b3a-5d2f-4a8e-b6c0-3f9d1e7a2b5c$Yq8/Wm+3p=:|!",
	},
}

type keyInfo struct {
	Path     string `json:"path"`
	ClientID string `json:"clientId"`
}

func main() {
	var paths []string
	flag.Func("key", "write a service key file here (repeat for more clients)", func(p string) error {
		paths = append(paths, p)
		return nil
	})
	flag.Parse()
	if err := run(paths); err != nil {
		fmt.Fprintf(os.Stderr, "uaaemu: %v\n", err)
		os.Exit(1)
	}
}

func run(paths []string) error {
	if len(paths) == 0 || len(paths) > len(clients) {
		return fmt.Errorf("pass 1 to %d -key paths", len(clients))
	}
	srv, err := uaatest.New(uaatest.Options{Clients: clients})
	if err != nil {
		return err
	}
	defer srv.Close()

	out := struct {
		UAAURL string    `json:"uaaUrl"`
		APIURL string    `json:"apiUrl"`
		Keys   []keyInfo `json:"keys"`
	}{UAAURL: srv.URL, APIURL: strings.TrimSuffix(srv.APIURL, "/")}
	for i, p := range paths {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, srv.KeyJSON(clients[i]), 0o600); err != nil {
			return err
		}
		out.Keys = append(out.Keys, keyInfo{Path: p, ClientID: clients[i].ID})
	}
	line, err := json.Marshal(out)
	if err != nil {
		return err
	}
	fmt.Println(string(line))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The test script holds our stdin open; its end means the test ended.
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	<-ctx.Done()
	return nil
}
