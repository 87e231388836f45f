package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// object is a JSON object whose values are decoded on demand, so a value of
// the wrong type can be reported with its path.
type object map[string]json.RawMessage

// keyParser turns the bytes of one input into a ServiceKey; name goes into
// every error.
type keyParser struct{ name string }

// ParseKey parses key data; name (usually the file path) is used in errors
// and becomes the key's ID.
func ParseKey(name string, data []byte) (*ServiceKey, error) {
	p := keyParser{name: name}
	root, err := p.root(data)
	if err != nil {
		return nil, err
	}
	k, err := p.key(root, "", 0)
	if err != nil {
		return nil, err
	}
	k.ID = name
	k.remember()
	return k, nil
}

// root finds the JSON object in data: a cf CLI header line or other text
// before the first '{' is skipped, as is a UTF-8 BOM.
func (p keyParser) root(data []byte) (object, error) {
	start := bytes.IndexByte(data, '{')
	if start < 0 {
		return nil, p.fail("", "holds no JSON object: not a service key")
	}
	var root object
	err := json.Unmarshal(data[start:], &root)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		at := start + int(se.Offset) - 1 // Offset counts the offending byte as read
		if se.Error() == "unexpected end of JSON input" {
			at = len(data) // just past the end
		}
		line, col := position(data, at)
		return nil, &KeyError{Name: p.name, Line: line, Column: col, Problem: "invalid JSON: " + syntaxProblem(se)}
	}
	if err != nil || root == nil {
		return nil, p.fail("", "is not a JSON object: not a service key")
	}
	return root, nil
}

// syntaxProblem rewords encoding/json's messages for people editing a file.
func syntaxProblem(se *json.SyntaxError) string {
	if se.Error() == "unexpected end of JSON input" {
		return "the file ends in the middle of the JSON (missing '}' or ']'?)"
	}
	return se.Error()
}

// position converts a byte index into a 1-based line and column.
func position(data []byte, offset int) (line, col int) {
	offset = min(max(offset, 0), len(data))
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = offset - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func (p keyParser) fail(field, problem string) *KeyError {
	if field != "" {
		problem = field + " " + problem
	}
	return &KeyError{Name: p.name, Field: field, Problem: problem}
}

// key recognises the input form at root and builds the key; path is the JSON
// path of root for messages ("", "credentials.", "VCAP_SERVICES.x[0].credentials.").
func (p keyParser) key(root object, path string, depth int) (*ServiceKey, error) {
	if depth > 3 {
		return nil, p.fail("", "nests credentials too deeply: not a service key")
	}
	switch {
	case root["credentials"] != nil:
		inner, err := p.object(root, path, "credentials")
		if err != nil {
			return nil, err
		}
		return p.key(inner, path+"credentials.", depth+1)
	case root["uaa"] != nil:
		return p.cockpit(root, path)
	case root["clientid"] != nil:
		u, err := p.uaa(root, path)
		if err != nil {
			return nil, err
		}
		return &ServiceKey{UAA: u}, nil
	case root["VCAP_SERVICES"] != nil: // default-env.json of CAP and approuter projects
		vcap, err := p.object(root, path, "VCAP_SERVICES")
		if err != nil {
			return nil, err
		}
		return p.vcap(vcap, path+"VCAP_SERVICES.", depth+1)
	case looksLikeVCAP(root):
		return p.vcap(root, path, depth+1)
	}
	return nil, p.fail("", "has no uaa object and no clientid: not a service key")
}

// cockpit reads the key as the BTP cockpit shows it.
func (p keyParser) cockpit(root object, path string) (*ServiceKey, error) {
	uaaObj, err := p.object(root, path, "uaa")
	if err != nil {
		return nil, err
	}
	u, err := p.uaa(uaaObj, path+"uaa.")
	if err != nil {
		return nil, err
	}
	k := &ServiceKey{UAA: u}
	api, field := backendURL(root), path+"endpoints.backend.url"
	if api == "" {
		if api, err = p.str(root, path, "url"); err != nil {
			return nil, err
		}
		field = path + "url"
	}
	if api != "" {
		if err := p.checkURL(field, api, u.ClientSecret); err != nil {
			return nil, err
		}
	}
	k.APIURL = api
	swagger, tenant := looseString(root["swagger"]), looseString(root["tenantuiurl"])
	k.TenantUIURL = tenant
	if swagger != "" && tenant != "" {
		k.SwaggerURL = strings.TrimRight(tenant, "/") + "/" + strings.TrimLeft(swagger, "/")
	}
	return k, nil
}

// backendURL is endpoints.backend.url; keys of other services write
// endpoints differently, so anything unexpected just means "none".
func backendURL(root object) string {
	var ep struct {
		Backend json.RawMessage `json:"backend"`
	}
	if json.Unmarshal(root["endpoints"], &ep) != nil {
		return ""
	}
	var b struct {
		URL string `json:"url"`
	}
	if json.Unmarshal(ep.Backend, &b) == nil && b.URL != "" {
		return strings.TrimSpace(b.URL)
	}
	return strings.TrimSpace(looseString(ep.Backend))
}

func looseString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// uaa reads and validates the uaa object at path.
func (p keyParser) uaa(o object, path string) (UAA, error) {
	var u UAA
	fields := []struct {
		name string
		dst  *string
	}{
		{"url", &u.URL}, {"clientid", &u.ClientID}, {"clientsecret", &u.ClientSecret},
		{"credential-type", &u.CredentialType}, {"certurl", &u.CertURL},
		{"certificate", &u.Certificate}, {"key", &u.Key}, {"identityzone", &u.IdentityZone},
		{"uaadomain", &u.UAADomain}, {"xsappname", &u.XSAppName},
	}
	for _, f := range fields {
		v, err := p.str(o, path, f.name)
		if err != nil {
			return UAA{}, err
		}
		*f.dst = v
	}
	u.URL, u.CertURL = strings.TrimSpace(u.URL), strings.TrimSpace(u.CertURL)
	return u, p.validate(u, path)
}

func (p keyParser) validate(u UAA, path string) error {
	if u.ClientID == "" {
		return p.fail(path+"clientid", "is missing")
	}
	switch u.CredentialType {
	case "", BindingSecret, InstanceSecret:
		if u.ClientSecret == "" {
			return p.fail(path+"clientsecret", "is missing")
		}
		if u.URL == "" {
			return p.fail(path+"url", "is missing")
		}
		return p.checkURL(path+"url", u.URL, u.ClientSecret)
	case X509:
		if u.CertURL == "" {
			return p.fail(path+"certurl", "is missing (x509 keys fetch tokens from certurl)")
		}
		if err := p.checkURL(path+"certurl", u.CertURL, ""); err != nil {
			return err
		}
		if u.URL != "" {
			if err := p.checkURL(path+"url", u.URL, ""); err != nil {
				return err
			}
		}
		if u.Certificate == "" {
			return p.fail(path+"certificate", "is missing (x509 keys need a client certificate)")
		}
		if u.Key == "" {
			return p.fail(path+"key", "is missing (x509 keys need the certificate's private key)")
		}
		_, err := clientCertificate(u, time.Now())
		if ce, ok := err.(*certError); ok {
			return p.fail(path+ce.field, ce.problem)
		}
		return err
	default:
		return p.fail(path+"credential-type", fmt.Sprintf("%s is not one of %s, %s, %s",
			quoteValue(u.CredentialType, u.ClientSecret), BindingSecret, InstanceSecret, X509))
	}
}

// checkURL wants an absolute http or https URL.
func (p keyParser) checkURL(field, raw, secret string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return p.fail(field, quoteValue(raw, secret)+" is not an http(s) URL")
	}
	return nil
}

// quoteValue quotes a value for a message unless it holds the secret (a
// secret pasted into the wrong field must not end up in an error).
func quoteValue(v, secret string) string {
	if secret != "" && strings.Contains(v, secret) || len(v) > 200 {
		return "(value hidden)"
	}
	return fmt.Sprintf("%q", v)
}

// str reads an optional string field; null counts as missing.
func (p keyParser) str(o object, path, name string) (string, error) {
	raw, ok := o[name]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", p.fail(path+name, "must be a string, not "+jsonKind(raw))
	}
	return s, nil
}

func (p keyParser) object(o object, path, name string) (object, error) {
	var inner object
	if err := json.Unmarshal(o[name], &inner); err != nil || inner == nil {
		return nil, p.fail(path+name, "must be an object, not "+jsonKind(o[name]))
	}
	return inner, nil
}

func jsonKind(raw json.RawMessage) string {
	switch b := bytes.TrimSpace(raw); {
	case len(b) == 0:
		return "empty"
	case b[0] == '"':
		return "a string"
	case b[0] == '{':
		return "an object"
	case b[0] == '[':
		return "an array"
	case b[0] == 't' || b[0] == 'f':
		return "a boolean"
	case b[0] == 'n':
		return "null"
	}
	return "a number"
}

// looksLikeVCAP: every value is an array, as in {"label": [binding, …]}.
func looksLikeVCAP(root object) bool {
	if len(root) == 0 {
		return false
	}
	for _, v := range root {
		if b := bytes.TrimSpace(v); len(b) == 0 || b[0] != '[' {
			return false
		}
	}
	return true
}

// vcap picks the DOX binding of a VCAP_SERVICES object: the first whose
// label contains document-information-extraction, else the only binding
// whose credentials carry a uaa object.
func (p keyParser) vcap(root object, path string, depth int) (*ServiceKey, error) {
	type binding struct {
		path, label string
		creds       object
	}
	var dox, withUAA []binding
	var labels []string
	services := make([]string, 0, len(root))
	for s := range root {
		services = append(services, s)
	}
	sort.Strings(services)
	for _, s := range services {
		var list []object
		if err := json.Unmarshal(root[s], &list); err != nil {
			return nil, p.fail(path+s, "must be an array of service bindings")
		}
		for i, b := range list {
			bpath := fmt.Sprintf("%s%s[%d].", path, s, i)
			label := s
			if l := looseString(b["label"]); l != "" {
				label = l
			}
			labels = append(labels, label)
			var creds object
			if json.Unmarshal(b["credentials"], &creds) != nil || creds == nil {
				continue
			}
			bd := binding{bpath + "credentials.", label, creds}
			if strings.Contains(label, "document-information-extraction") {
				dox = append(dox, bd)
			} else if creds["uaa"] != nil {
				withUAA = append(withUAA, bd)
			}
		}
	}
	switch {
	case len(dox) > 0:
		return p.key(dox[0].creds, dox[0].path, depth)
	case len(withUAA) == 1:
		return p.key(withUAA[0].creds, withUAA[0].path, depth)
	case len(labels) == 0:
		return nil, p.fail("", "has no service bindings")
	}
	return nil, p.fail("", "has no document-information-extraction binding (found: "+strings.Join(labels, ", ")+")")
}
