package uaatest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"sync"
	"time"
)

// authority is the emulator's CA: it signs the certurl server certificate
// and the x509 clients' certificates, as SAP's CA does for BTP bindings.
type authority struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
	server  tls.Certificate
}

func newAuthority() (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("uaatest: generate CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "uaatest Client CA", Organization: []string{"doxls"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("uaatest: create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("uaatest: parse CA certificate: %w", err)
	}
	a := &authority{cert: cert, key: key, certPEM: pemBlock("CERTIFICATE", der)}
	if a.server, err = a.serverCert(); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *authority) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(a.cert)
	return p
}

// serverCert is the certurl's certificate, for every loopback name.
func (a *authority) serverCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("uaatest: generate server key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("uaatest: create server certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der, a.cert.Raw}, PrivateKey: key}, nil
}

// serverTLS asks for a client certificate but lets the handshake finish
// without one: the token endpoint then answers 401 the way XSUAA does,
// which a client can report far better than a TLS alert.
func (a *authority) serverTLS() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{a.server},
		ClientAuth:   tls.RequestClientCert,
		ClientCAs:    a.pool(), // sent as the acceptable CAs
		NextProtos:   []string{"http/1.1"},
	}
}

// clientKeys are generated once per process for the same reason as the
// token signing key; every client certificate is still fresh.
var (
	rsaClientOnce sync.Once
	rsaClientKey  *rsa.PrivateKey
	rsaClientErr  error
)

func clientKey(ecdsaKey bool) (crypto.Signer, error) {
	if ecdsaKey {
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	rsaClientOnce.Do(func() { rsaClientKey, rsaClientErr = rsa.GenerateKey(rand.Reader, 2048) })
	return rsaClientKey, rsaClientErr
}

// clientCert issues a client certificate valid from notBefore to notAfter.
func (a *authority) clientCert(clientID, zone string, key crypto.Signer, notBefore, notAfter time.Time) ([]byte, error) {
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject: pkix.Name{
			CommonName:         randomUUID(),
			OrganizationalUnit: []string{"SAP Cloud Platform Clients", clientID},
			Organization:       []string{"SAP SE"},
			Locality:           []string{zone},
			Country:            []string{"DE"},
		},
		NotBefore:   notBefore,
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, key.Public(), a.key)
	if err != nil {
		return nil, fmt.Errorf("uaatest: create client certificate: %w", err)
	}
	return der, nil
}

// authenticateCert is the certurl's client authentication: client_id in the
// body, and a TLS client certificate that chains to the CA, is valid now and
// was issued to that client.
func (s *Server) authenticateCert(r *http.Request) (string, error) {
	id := r.PostForm.Get("client_id")
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return "", errors.New(fullAuthRequired)
	}
	if id == "" {
		return "", errors.New(badCredentials)
	}
	leaf := r.TLS.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range r.TLS.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots:         s.CAPool,
		Intermediates: inter,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return "", errors.New(badCredentials)
	}
	s.mu.Lock()
	_, ok := s.certs[id][sha256.Sum256(leaf.Raw)]
	s.mu.Unlock()
	if !ok {
		return "", errors.New(badCredentials)
	}
	return id, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
