// Command uaaemu runs the UAA emulator of auth/uaatest (with its DOX API
// stub) on loopback for scripts: the benchmarks and the editor end-to-end
// tests. It writes the files asked for, prints one JSON line
//
//	{"uaaUrl", "certUrl", "apiUrl", "keys": [{"path", "clientId"}], "curlrc"}
//
// once it listens, and runs until its standard input ends or it gets
// SIGINT/SIGTERM.
//
//	uaaemu -key ws/dox-key.json [-key ws/other.json] [-wrong-key ws/bad.json] [-curlrc F] [-always-decode]
//	       [-api-client id=name]... [-pending-polls N]
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/doxls/doxls/auth/uaatest"
)

// clients are handed out to -key paths in order.
var clients = []uaatest.Client{uaatest.DefaultClient, uaatest.SecondClient}

type keyInfo struct {
	Path     string `json:"path"`
	ClientID string `json:"clientId"`
}

func main() {
	var keys []string
	flag.Func("key", "write a service key here (repeat: one per client, at most 2)", func(p string) error {
		keys = append(keys, p)
		return nil
	})
	wrong := flag.String("wrong-key", "", "write a key of the second client with a wrong secret here")
	curlrc := flag.String("curlrc", "", "write a curl -K config for the first client's token request here")
	decode := flag.Bool("always-decode", false, "UAA with compatibility mode off (Basic credentials always URL-decoded)")
	var apiClients []uaatest.APIClient
	flag.Func("api-client", `a client of the DOX instance, "id=name" (repeat; default: one client "default")`, func(v string) error {
		id, name, ok := strings.Cut(v, "=")
		if !ok || id == "" {
			return fmt.Errorf("%q is not id=name", v)
		}
		apiClients = append(apiClients, uaatest.APIClient{ID: id, Name: name})
		return nil
	})
	// A program cannot call FinishJob: a job becomes DONE by being read.
	pending := flag.Int("pending-polls", 0, "a job answers PENDING to this many reads of GET /document/jobs/{id}, then DONE")
	flag.Parse()
	if *pending < 0 {
		fmt.Fprintln(os.Stderr, "uaaemu: -pending-polls must be 0 or more")
		os.Exit(2)
	}
	opts := uaatest.Options{Clients: clients, AlwaysDecode: *decode, APIClients: apiClients, PendingPolls: *pending}
	if err := run(keys, *wrong, *curlrc, opts); err != nil {
		fmt.Fprintln(os.Stderr, "uaaemu:", err)
		os.Exit(1)
	}
}

func run(keys []string, wrong, curlrc string, opts uaatest.Options) error {
	if len(keys) > len(clients) {
		return fmt.Errorf("at most %d -key paths", len(clients))
	}
	s, err := uaatest.New(opts)
	if err != nil {
		return err
	}
	defer s.Close()

	out := struct {
		UAAURL  string    `json:"uaaUrl"`
		CertURL string    `json:"certUrl"`
		APIURL  string    `json:"apiUrl"`
		Keys    []keyInfo `json:"keys"`
		CurlRC  string    `json:"curlrc,omitempty"`
	}{UAAURL: s.URL, CertURL: s.CertURL, APIURL: s.APIURL, Keys: []keyInfo{}, CurlRC: curlrc}
	for i, p := range keys {
		if err := write(p, s.KeyJSON(clients[i])); err != nil {
			return err
		}
		out.Keys = append(out.Keys, keyInfo{Path: p, ClientID: clients[i].ID})
	}
	if wrong != "" {
		bad := uaatest.Client{ID: uaatest.SecondClient.ID, Secret: "1d7f3e9a-0b2c-4d6e-8a1f-5c3b7e9d2a4f$Wr0ng+Pa/ss=:|!"}
		if err := write(wrong, s.KeyJSON(bad)); err != nil {
			return err
		}
	}
	if curlrc != "" {
		if err := write(curlrc, curlConfig(s.URL+"/oauth/token", clients[0])); err != nil {
			return err
		}
	}
	line, err := json.Marshal(out)
	if err != nil {
		return err
	}
	fmt.Println(string(line))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	<-ctx.Done()
	return nil
}

func write(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// curlConfig is a curl -K file for the request doxls sends: URL-encoded
// Basic credentials with X-CF-ENCODED-CREDENTIALS, the form body, the token
// answer discarded. It lives in a 0600 file so the secret stays off command
// lines.
func curlConfig(tokenURL string, c uaatest.Client) []byte {
	basic := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(c.ID) + ":" + url.QueryEscape(c.Secret)))
	return fmt.Appendf(nil, `url = "%s"
header = "Authorization: Basic %s"
header = "X-CF-ENCODED-CREDENTIALS: true"
header = "Accept: application/json"
data = "grant_type=client_credentials"
silent
show-error
fail
output = "/dev/null"
`, tokenURL, basic)
}
