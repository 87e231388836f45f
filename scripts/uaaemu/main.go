// Command uaaemu runs the UAA emulator of auth/uaatest on loopback for
// scripts (benchmarks, manual tries). It writes a service key for the
// emulator's default client and a curl config that makes the same token
// request doxls makes, prints where they are, and runs until its standard
// input ends or it gets SIGINT/SIGTERM.
//
//	uaaemu -dir DIR
//	URL=http://127.0.0.1:PORT
//	KEY=DIR/dox-key.json
//	CURLRC=DIR/curl.cfg
package main

import (
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/doxls/doxls/auth/uaatest"
)

func main() {
	dir := flag.String("dir", ".", "folder for dox-key.json and curl.cfg")
	decode := flag.Bool("always-decode", false, "UAA with compatibility mode off (Basic credentials always URL-decoded)")
	flag.Parse()
	if err := run(*dir, *decode); err != nil {
		fmt.Fprintln(os.Stderr, "uaaemu:", err)
		os.Exit(1)
	}
}

func run(dir string, decode bool) error {
	s, err := uaatest.New(uaatest.Options{AlwaysDecode: decode})
	if err != nil {
		return err
	}
	defer s.Close()
	key := filepath.Join(dir, "dox-key.json")
	if err := os.WriteFile(key, s.KeyJSON(uaatest.DefaultClient), 0o600); err != nil {
		return err
	}
	curlrc := filepath.Join(dir, "curl.cfg")
	if err := os.WriteFile(curlrc, curlConfig(s.URL+"/oauth/token", uaatest.DefaultClient), 0o600); err != nil {
		return err
	}
	fmt.Printf("URL=%s\nKEY=%s\nCURLRC=%s\n", s.URL, key, curlrc)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	eof := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(eof)
	}()
	select {
	case <-stop:
	case <-eof:
	}
	return nil
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
