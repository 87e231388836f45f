package commands

import (
	"context"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/doxls/doxls/auth"
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
		SwaggerURL: k.SwaggerURL,
	}
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
		if _, err := h.Keys.Load(path); err != nil {
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
	if !strings.HasPrefix(s, "file:") {
		return s, nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Path == "" {
		return "", invalidParams("%q is not a file URI", s)
	}
	p := u.Path
	// file:///C:/x on Windows: the drive follows the slash of the URI path.
	if len(p) > 1 && filepath.VolumeName(filepath.FromSlash(p[1:])) != "" {
		p = p[1:]
	}
	return filepath.FromSlash(p), nil
}
