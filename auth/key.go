// Package auth holds service keys, the UAA token client, the token cache and
// JWT claims for display.
package auth

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/doxls/doxls/internal/userfile"
)

// Credential types as BTP writes them in uaa.credential-type.
const (
	BindingSecret  = "binding-secret"
	InstanceSecret = "instance-secret"
	X509           = "x509"
)

// UAA is the uaa object of a service key. It prints (fmt %v, %+v, %#v, %s)
// with ClientSecret and Key hidden.
type UAA struct {
	URL            string
	ClientID       string
	ClientSecret   string // never logged, never in an error
	CredentialType string
	CertURL        string
	Certificate    string // PEM, may hold a chain
	Key            string // PEM private key
	IdentityZone   string
	UAADomain      string
	XSAppName      string
}

// ServiceKey is a DOX service key in any of the accepted input forms.
type ServiceKey struct {
	ID         string // stable id: path relative to the workspace folder, or env:VCAP_SERVICES / env:DOX_SERVICE_KEY
	Path       string // absolute path of the file it came from; "" for env keys
	APIURL     string // endpoints.backend.url, else url; "" for a bare uaa object
	SwaggerURL string // tenantuiurl + swagger, when the key has both
	// TenantUIURL is the key's tenantuiurl: DOX's UI and Swagger UI, whose
	// URLs users copy into request files, so its host gets the token too.
	TenantUIURL string
	UAA         UAA

	// loaded is the fingerprint of UAA's credentials as loaded, computed
	// once: every cache lookup needs it and a SHA-256 per lookup quadrupled
	// the cached Token (docs/performance.md). A pointer, so fmt prints an
	// address and never the credentials it holds.
	loaded *credentials
}

// IsX509 says whether the key authenticates with a client certificate.
func (k *ServiceKey) IsX509() bool { return k.UAA.CredentialType == X509 }

// APIHost is the host[:port] of APIURL, lower-cased, default ports dropped.
func (k *ServiceKey) APIHost() string { return hostOf(k.APIURL) }

// TenantUIHost is the host[:port] of TenantUIURL, like APIHost.
func (k *ServiceKey) TenantUIHost() string { return hostOf(k.TenantUIURL) }

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if port == "" {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, port)
}

// TokenURL is where tokens are fetched: certurl for x509 keys, else url, plus /oauth/token.
func (k *ServiceKey) TokenURL() string {
	base := k.UAA.URL
	if k.IsX509() {
		base = k.UAA.CertURL
	}
	return strings.TrimRight(base, "/") + "/oauth/token"
}

// fingerprint identifies the key's credentials: client id, UAA URLs and
// secret, or certificate and private key. It is a hash, so it can be kept
// and compared without holding the secret; a key file whose credentials
// change gets a new fingerprint and counts as a new key (docs/lifecycle.md).
func (k *ServiceKey) fingerprint() [32]byte {
	parts := credentialParts(&k.UAA)
	// The strings of a key that was not changed since it was loaded are
	// the very strings remembered, and equal strings at one address compare
	// without reading them. A key changed afterwards (or built by hand) is
	// hashed afresh, so the fingerprint is always of what the key holds now.
	if c := k.loaded; c != nil && c.parts == parts {
		return c.sum
	}
	return fingerprintOf(parts)
}

// credentials are a key's credential strings and their fingerprint.
type credentials struct {
	parts [7]string
	sum   [32]byte
}

// remember computes the fingerprint of a key just loaded.
func (k *ServiceKey) remember() {
	parts := credentialParts(&k.UAA)
	k.loaded = &credentials{parts: parts, sum: fingerprintOf(parts)}
}

func credentialParts(u *UAA) [7]string {
	return [...]string{u.ClientID, u.CredentialType, u.URL, u.CertURL, u.ClientSecret, u.Certificate, u.Key}
}

func fingerprintOf(parts [7]string) [32]byte {
	// Each part ends in a NUL so that parts cannot run together.
	buf := make([]byte, 0, 512)
	for _, part := range parts {
		buf = append(append(buf, part...), 0)
	}
	return sha256.Sum256(buf)
}

// SameCredentials reports whether a and b authenticate alike (a key
// re-read from its source and found unchanged).
func SameCredentials(a, b *ServiceKey) bool { return a.fingerprint() == b.fingerprint() }

// CertificateExpiresAt is the end of validity of an x509 key's client
// certificate (the leaf, the first certificate of uaa.certificate); zero for
// other keys. XSUAA issues x509 bindings for 7 days by default.
func (k *ServiceKey) CertificateExpiresAt() time.Time {
	if !k.IsX509() {
		return time.Time{}
	}
	rest := []byte(unescapeNewlines(k.UAA.Certificate))
	for {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return time.Time{}
		}
		if block.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return time.Time{}
			}
			return c.NotAfter
		}
	}
}

// LoadKey reads and parses a key file; its ID is the path as given.
func LoadKey(path string) (*ServiceKey, error) {
	data, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParseKey(path, data)
	if err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(path); err == nil {
		k.Path = abs
	}
	return k, nil
}

// maxKeySize bounds what is read as a key: real keys are a few KiB.
const maxKeySize = 1 << 20

// readKeyFile reads a key through userfile (docs/security-files.md): a
// regular file (a link to one counts) up to maxKeySize, so that a FIFO or
// a device named *.json never blocks discovery or a token request.
func readKeyFile(path string) ([]byte, error) {
	data, _, err := userfile.Read(context.Background(), path, maxKeySize)
	if err != nil {
		return nil, &KeyError{Name: path, Problem: fileProblem(err)}
	}
	return data, nil
}

// fileProblem is the text of a file error without the path.
func fileProblem(err error) string {
	var ue *userfile.Error
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, userfile.ErrTooLarge):
		return "is larger than 1 MiB, not a service key"
	case errors.As(err, &ue):
		return ue.Problem
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
