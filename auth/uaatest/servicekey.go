package uaatest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// serviceKey is a DOX service key as the BTP cockpit shows it.
type serviceKey struct {
	URL                  string         `json:"url"`
	UAA                  uaaCredentials `json:"uaa"`
	Swagger              string         `json:"swagger"`
	TenantUIURL          string         `json:"tenantuiurl"`
	SAPCloudService      string         `json:"sap.cloud.service"`
	SAPCloudServiceAlias string         `json:"sap.cloud.service.alias"`
	Endpoints            endpoints      `json:"endpoints"`
}

type endpoints struct {
	Backend struct {
		URL     string `json:"url"`
		Timeout int    `json:"timeout"`
	} `json:"backend"`
}

type uaaCredentials struct {
	TenantMode        string `json:"tenantmode"`
	SBURL             string `json:"sburl"`
	SubaccountID      string `json:"subaccountid"`
	CredentialType    string `json:"credential-type"`
	ClientID          string `json:"clientid"`
	ClientSecret      string `json:"clientsecret,omitempty"`
	Certificate       string `json:"certificate,omitempty"`
	Key               string `json:"key,omitempty"`
	CertURL           string `json:"certurl,omitempty"`
	XSAppName         string `json:"xsappname"`
	ServiceInstanceID string `json:"serviceInstanceId"`
	URL               string `json:"url"`
	UAADomain         string `json:"uaadomain"`
	VerificationKey   string `json:"verificationkey"`
	APIURL            string `json:"apiurl"`
	IdentityZone      string `json:"identityzone"`
	IdentityZoneID    string `json:"identityzoneid"`
	TenantID          string `json:"tenantid"`
	ZoneID            string `json:"zoneid"`
}

// KeyJSON is a BTP cockpit service key for a secret client of this emulator.
// It does not register c: a key with a wrong secret is how tests get a 401.
func (s *Server) KeyJSON(c Client) []byte {
	u := s.uaaCredentials(c.ID)
	u.CredentialType = "binding-secret"
	u.ClientSecret = c.Secret
	return s.marshalKey(u)
}

// X509KeyJSON registers an x509 client and returns its service key, with a
// fresh client certificate (valid for validFor, may be negative for an
// expired one) signed by the emulator's CA.
func (s *Server) X509KeyJSON(clientID string, validFor time.Duration) []byte {
	return s.X509Key(clientID, X509Options{ValidFor: validFor})
}

// X509Options shape the credentials of an x509 client.
type X509Options struct {
	// ValidFor is how long the certificate stays valid from now; 0 means
	// 7 days (BTP's default), negative means it expired that long ago.
	ValidFor time.Duration
	// ECDSA asks for a P-256 key instead of RSA 2048 (BTP's default).
	ECDSA bool
	// KeyFormat is the PEM form of uaa.key: "pkcs8" (default, "PRIVATE
	// KEY"), "pkcs1" ("RSA PRIVATE KEY", RSA only) or "ec" ("EC PRIVATE
	// KEY", ECDSA only).
	KeyFormat string
}

// X509Key is X509KeyJSON with every option. It panics on an option that
// cannot be honoured (pkcs1 with ECDSA, an unknown format): that is a bug in
// the calling test, not a condition to handle.
func (s *Server) X509Key(clientID string, o X509Options) []byte {
	key, err := clientKey(o.ECDSA)
	if err != nil {
		panic(err)
	}
	keyPEM, err := encodeKey(key, o.KeyFormat)
	if err != nil {
		panic(err)
	}
	validFor := o.ValidFor
	if validFor == 0 {
		validFor = 7 * 24 * time.Hour
	}
	now := time.Now()
	notBefore, notAfter := now.Add(-time.Minute), now.Add(validFor)
	if validFor < 0 {
		notBefore = notAfter.Add(-7 * 24 * time.Hour)
	}
	der, err := s.ca.clientCert(clientID, s.opts.Zone, key, notBefore, notAfter)
	if err != nil {
		panic(err)
	}
	s.mu.Lock()
	if s.certs[clientID] == nil {
		s.certs[clientID] = make(map[[32]byte]struct{})
	}
	s.certs[clientID][sha256.Sum256(der)] = struct{}{}
	s.mu.Unlock()

	u := s.uaaCredentials(clientID)
	u.CredentialType = "x509"
	u.CertURL = s.CertURL
	u.Certificate = string(pemBlock("CERTIFICATE", der)) + string(s.CAPEM)
	u.Key = string(keyPEM)
	return s.marshalKey(u)
}

func encodeKey(key any, format string) ([]byte, error) {
	switch format {
	case "", "pkcs8":
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, fmt.Errorf("uaatest: encode client key: %w", err)
		}
		return pemBlock("PRIVATE KEY", der), nil
	case "pkcs1":
		if k, ok := key.(*rsa.PrivateKey); ok {
			return pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k)), nil
		}
	case "ec":
		if k, ok := key.(*ecdsa.PrivateKey); ok {
			der, err := x509.MarshalECPrivateKey(k)
			if err != nil {
				return nil, fmt.Errorf("uaatest: encode client key: %w", err)
			}
			return pemBlock("EC PRIVATE KEY", der), nil
		}
	}
	return nil, fmt.Errorf("uaatest: key format %q does not fit a %T", format, key)
}

func (s *Server) uaaCredentials(clientID string) uaaCredentials {
	return uaaCredentials{
		TenantMode:        "dedicated",
		SBURL:             "https://internal-xsuaa.authentication.us10.hana.ondemand.com",
		SubaccountID:      s.opts.Zone,
		ClientID:          clientID,
		XSAppName:         xsappname(clientID),
		ServiceInstanceID: serviceInstanceID,
		URL:               s.URL,
		UAADomain:         uaaDomain,
		VerificationKey:   s.signer.pubPEM,
		APIURL:            "https://api.authentication.us10.hana.ondemand.com",
		IdentityZone:      subdomain,
		IdentityZoneID:    s.opts.Zone,
		TenantID:          s.opts.Zone,
		ZoneID:            s.opts.Zone,
	}
}

func (s *Server) marshalKey(u uaaCredentials) []byte {
	k := serviceKey{
		URL:                  s.APIURL,
		UAA:                  u,
		Swagger:              "/document-information-extraction/v1/",
		TenantUIURL:          s.APIURL,
		SAPCloudService:      "com.sap.apps.dox",
		SAPCloudServiceAlias: "dox",
	}
	k.Endpoints.Backend.URL = s.APIURL
	k.Endpoints.Backend.Timeout = 30000
	b, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		panic(err) // plain strings and ints always marshal
	}
	return append(b, '\n')
}

// randomUUID is a version 4 UUID.
func randomUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
