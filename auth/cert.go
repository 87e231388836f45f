package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"time"
)

// certError is a problem with uaa.certificate or uaa.key; field is relative
// to the uaa object.
type certError struct{ field, problem string }

func (e *certError) Error() string { return "uaa." + e.field + " " + e.problem }

// clientCertificate builds the mTLS client certificate of an x509 key:
// uaa.certificate is a PEM chain (leaf first), uaa.key a PKCS#1, PKCS#8 or
// SEC 1 (EC) private key. An expired or not yet valid leaf is refused,
// since UAA would only answer with a TLS alert.
func clientCertificate(u UAA, now time.Time) (tls.Certificate, error) {
	var cert tls.Certificate
	var leaf *x509.Certificate
	rest := []byte(unescapeNewlines(u.Certificate))
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return cert, &certError{"certificate", "does not parse: a CERTIFICATE block is not an X.509 certificate"}
		}
		if leaf == nil {
			leaf = c
		}
		cert.Certificate = append(cert.Certificate, block.Bytes)
	}
	if leaf == nil {
		return cert, &certError{"certificate", "does not parse: no PEM CERTIFICATE block found"}
	}
	key, err := privateKey(unescapeNewlines(u.Key))
	if err != nil {
		return cert, err
	}
	if !publicKeyMatches(leaf.PublicKey, key) {
		return cert, &certError{"key", "does not belong to uaa.certificate (the public keys differ)"}
	}
	const day = "2006-01-02 15:04 MST"
	if now.After(leaf.NotAfter) {
		return cert, &certError{"certificate", "expired on " + leaf.NotAfter.UTC().Format(day) + "; create a new service key"}
	}
	if now.Before(leaf.NotBefore) {
		return cert, &certError{"certificate", "is not valid before " + leaf.NotBefore.UTC().Format(day)}
	}
	cert.PrivateKey, cert.Leaf = key, leaf
	return cert, nil
}

func privateKey(data string) (crypto.Signer, error) {
	rest := []byte(data)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, &certError{"key", "does not parse: no PEM PRIVATE KEY block found"}
		}
		var key any
		var err error
		switch block.Type {
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		default:
			continue // e.g. EC PARAMETERS before the key
		}
		if err != nil {
			return nil, &certError{"key", "does not parse as a " + block.Type + " (PKCS#1, PKCS#8 or EC)"}
		}
		switch k := key.(type) {
		case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
			return k.(crypto.Signer), nil
		}
		return nil, &certError{"key", "holds a key type TLS cannot use"}
	}
}

func publicKeyMatches(pub crypto.PublicKey, key crypto.Signer) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := key.Public().(equaler)
	return ok && e.Equal(pub)
}

// unescapeNewlines repairs PEM text whose line breaks were pasted as the
// two characters \n (a key copied out of JSON twice).
func unescapeNewlines(s string) string {
	if !strings.Contains(s, "\n") && strings.Contains(s, `\n`) {
		return strings.ReplaceAll(s, `\n`, "\n")
	}
	return s
}
