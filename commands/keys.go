package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/internal/fileuri"
)

// KeyEntry describes a service key to the client; it never holds a secret.
type KeyEntry struct {
	ID             string `json:"id"`
	Path           string `json:"path"`
	UAAURL         string `json:"uaaUrl"`
	ClientID       string `json:"clientId"`
	APIURL         string `json:"apiUrl"`
	CredentialType string `json:"credentialType"`
	IdentityZone   string `json:"identityZone"`
	SwaggerURL     string `json:"swaggerUrl,omitempty"`
	// CertificateExpiresAt is the end of validity of an x509 key's client
	// certificate (RFC 3339); absent for secret keys.
	CertificateExpiresAt string `json:"certificateExpiresAt,omitempty"`
}

// Entry describes key for clients.
func Entry(k *auth.ServiceKey) KeyEntry {
	ct := k.UAA.CredentialType
	if ct == "" {
		ct = auth.BindingSecret
	}
	return KeyEntry{
		ID: k.ID, Path: k.Path, UAAURL: k.UAA.URL, ClientID: k.UAA.ClientID,
		APIURL: k.APIURL, CredentialType: ct, IdentityZone: k.UAA.IdentityZone,
		SwaggerURL: k.SwaggerURL, CertificateExpiresAt: rfc3339(k.CertificateExpiresAt()),
	}
}

// CertificateWarning is the warning for an x509 key whose certificate
// expires within the given time from now, saying how to get a new key; ok
// is false when there is nothing to say.
func CertificateWarning(k *auth.ServiceKey, now time.Time, within time.Duration) (msg string, ok bool) {
	at := k.CertificateExpiresAt()
	if at.IsZero() || within <= 0 || at.Sub(now) > within {
		return "", false
	}
	instance := "INSTANCE"
	if ref, err := auth.ParseCFRef(k.ID); err == nil {
		instance = ref.Instance
	}
	when := "expired on"
	if at.After(now) {
		when = "expires on"
	}
	return fmt.Sprintf("the client certificate of the service key %s %s %s (%s); create a new x509 key: cf create-service-key %s NEW-KEY -c '{\"credential-type\":\"x509\"}', or in the BTP cockpit (your DOX instance, Create service key, credential type x509)",
		k.ID, when, at.UTC().Format("2006-01-02 15:04 MST"), relative(at.Sub(now)), instance), true
}

// relative is a duration as people say it: "in 1d 3h", "in 40m", "2h ago".
func relative(d time.Duration) string {
	ago := d < 0
	if ago {
		d = -d
	}
	var s string
	switch days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour); {
	case days > 0:
		s = fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		s = fmt.Sprintf("%dh %dm", hours, int(d%time.Hour/time.Minute))
	default:
		s = fmt.Sprintf("%dm", int(d/time.Minute))
	}
	if ago {
		return s + " ago"
	}
	return "in " + s
}

// CFServiceKeys lists the keys of the DOX instances in the current cf
// target, for key pickers; each id can be loaded with doxls.loadServiceKey.
// The server runs cf (not each editor) so that every client gets the same
// parsing of cf v6, v7 and v8 output, and cf runs with the server's PATH,
// the one cf:INSTANCE/KEY keys are later read with.
const CFServiceKeys = "doxls.cfServiceKeys"

type cfKeyEntry struct {
	ID       string `json:"id"`
	Instance string `json:"instance"`
	Key      string `json:"key"`
}

func (h *Handler) cfServiceKeys(ctx context.Context, raw []json.RawMessage) (any, error) {
	var args struct{}
	if err := decodeArgs(CFServiceKeys, raw, &args); err != nil {
		return nil, err
	}
	refs, err := auth.CFServiceKeys(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]cfKeyEntry, 0, len(refs))
	for _, r := range refs {
		keys = append(keys, cfKeyEntry{ID: r.ID(), Instance: r.Instance, Key: r.Key})
	}
	return struct {
		Keys []cfKeyEntry `json:"keys"`
	}{keys}, nil
}

type loadKeyArgs struct {
	Path string `json:"path"`
	// Key makes a known key active by id; keys from the environment have
	// no path to load.
	Key string `json:"key"`
}

type loadKeyResult struct {
	Keys     []KeyEntry `json:"keys"`
	Active   *string    `json:"active"`
	Problems []string   `json:"problems,omitempty"`
}

func (h *Handler) loadServiceKey(ctx context.Context, raw []json.RawMessage) (any, error) {
	var args loadKeyArgs
	if err := decodeArgs(LoadServiceKey, raw, &args); err != nil {
		return nil, err
	}
	var problems []error
	switch {
	case args.Key != "":
		if err := h.Keys.Activate(args.Key); err != nil {
			return nil, err
		}
	case args.Path == "":
		problems = h.Keys.Discover(h.Settings(), nil)
	default:
		path, err := PathOf(args.Path)
		if err != nil {
			return nil, err
		}
		if _, err := h.Keys.Load(ctx, path); err != nil {
			return nil, err
		}
	}
	keys, active := h.Keys.List()
	res := loadKeyResult{Keys: make([]KeyEntry, 0, len(keys))}
	for _, k := range keys {
		res.Keys = append(res.Keys, Entry(k))
	}
	if active != "" {
		res.Active = &active
	}
	for _, p := range problems {
		res.Problems = append(res.Problems, p.Error())
	}
	return res, nil
}

// PathOf turns a file path or a file:// URI into a path.
func PathOf(s string) (string, error) {
	p, err := fileuri.PathOf(s)
	if err != nil {
		return "", invalidParams("%v", err)
	}
	return p, nil
}
