package auth

import (
	"errors"
	"strings"
)

// Ids of keys that come from the environment.
const (
	EnvVCAPServices  = "env:VCAP_SERVICES"
	EnvDoxServiceKey = "env:DOX_SERVICE_KEY"
)

// KeysFromEnv returns keys from VCAP_SERVICES and DOX_SERVICE_KEY (a path
// or the key JSON itself), in that order. A variable that is set but holds
// no usable key is reported in the error; the other one is still returned.
func KeysFromEnv(getenv func(string) string) ([]*ServiceKey, error) {
	var keys []*ServiceKey
	var errs []error
	if v := getenv("VCAP_SERVICES"); strings.TrimSpace(v) != "" {
		k, err := parseVCAP(v)
		if err != nil {
			errs = append(errs, err)
		} else {
			keys = append(keys, k)
		}
	}
	if v := strings.TrimSpace(getenv("DOX_SERVICE_KEY")); v != "" {
		k, err := doxServiceKey(v)
		if err != nil {
			errs = append(errs, err)
		} else {
			keys = append(keys, k)
		}
	}
	return keys, errors.Join(errs...)
}

func parseVCAP(v string) (*ServiceKey, error) {
	p := keyParser{name: "VCAP_SERVICES"}
	root, err := p.root([]byte(v))
	if err != nil {
		return nil, err
	}
	if !looksLikeVCAP(root) {
		return nil, p.fail("", `is not of the form {"label": [bindings…]}`)
	}
	k, err := p.vcap(root, "", 0)
	if err != nil {
		return nil, err
	}
	k.ID = EnvVCAPServices
	k.remember()
	return k, nil
}

// doxServiceKey reads DOX_SERVICE_KEY: JSON when it starts with '{', else a
// file path. Errors about the file name the file.
func doxServiceKey(v string) (*ServiceKey, error) {
	var k *ServiceKey
	var err error
	if strings.HasPrefix(v, "{") {
		k, err = ParseKey("DOX_SERVICE_KEY", []byte(v))
	} else {
		var data []byte
		if data, err = readKeyFile(v); err != nil {
			var ke *KeyError
			if errors.As(err, &ke) {
				ke.Problem += " (named by DOX_SERVICE_KEY)"
			}
			return nil, err
		}
		k, err = ParseKey(v, data)
	}
	if err != nil {
		return nil, err
	}
	k.ID = EnvDoxServiceKey
	return k, nil
}
