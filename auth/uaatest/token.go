package uaatest

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

const (
	jsonType = "application/json;charset=UTF-8"

	grantClientCredentials = "client_credentials"

	badCredentials   = "Bad credentials"
	fullAuthRequired = "Full authentication is required to access this resource"
)

// oauthError is the body of every UAA error answer.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// tokenAnswer is the JSON of a successful token request.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   *int64 `json:"expires_in,omitempty"`
	Scope       string `json:"scope"`
	JTI         string `json:"jti"`
}

// handleToken serves /oauth/token; mtls selects the certurl flavour, where a
// client proves itself with its TLS certificate instead of a secret.
func (s *Server) handleToken(mtls bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// The fault is taken before the request counts as arrived, so a test
		// that waits for request n and then sends n+1 knows which fault each gets.
		f, release := s.takeFault()
		s.countTokenRequest()
		if s.applyFault(w, r, f, release) {
			return
		}
		// GET is the browser route of the DOX tutorial; certurl has no such route.
		allowed := "GET, POST"
		if mtls {
			allowed = "POST"
		}
		if r.Method != http.MethodPost && (mtls || r.Method != http.MethodGet) {
			w.Header().Set("Allow", allowed)
			writeJSON(w, http.StatusMethodNotAllowed,
				oauthError{"method_not_allowed", "Request method '" + r.Method + "' not supported"})
			return
		}
		if err := r.ParseForm(); err != nil {
			writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "Malformed request body"})
			return
		}
		var clientID string
		var authErr error
		if mtls {
			clientID, authErr = s.authenticateCert(r)
		} else {
			clientID, authErr = s.authenticateSecret(r)
		}
		if authErr != nil {
			writeUnauthorized(w, authErr.Error())
			return
		}
		params := r.PostForm
		if r.Method == http.MethodGet {
			params = r.URL.Query()
		} else if r.URL.RawQuery != "" {
			// UAA refuses POST parameters in the query string (they end
			// up in access logs).
			writeJSON(w, http.StatusNotAcceptable,
				oauthError{"query_string_not_allowed", "Parameters must be passed in the body of the request"})
			return
		}
		switch grant := params.Get("grant_type"); grant {
		case grantClientCredentials:
		case "":
			writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "Missing grant type"})
			return
		default:
			writeJSON(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", "Unsupported grant type: " + grant})
			return
		}
		answer, err := s.issue(clientID)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, oauthError{"server_error", "Token signing failed"})
			return
		}
		switch f.Kind {
		case FaultNoExpiresIn:
			answer.ExpiresIn = nil
		case FaultExpiresIn:
			writeJSON(w, http.StatusOK, struct {
				tokenAnswer
				ExpiresIn json.RawMessage `json:"expires_in"`
			}{answer, json.RawMessage(f.ExpiresIn)})
			return
		}
		writeJSON(w, http.StatusOK, answer)
	}
}

// authenticateSecret checks client credentials the way UAA's filters do:
// HTTP Basic first (ClientBasicAuthenticationFilter), else client_id and
// client_secret in the form body (ClientParametersAuthenticationFilter).
func (s *Server) authenticateSecret(r *http.Request) (string, error) {
	var id, secret string
	if h := r.Header.Get("Authorization"); len(h) > 6 && strings.EqualFold(h[:6], "basic ") {
		var err error
		if id, secret, err = s.decodeBasic(r, strings.TrimSpace(h[6:])); err != nil {
			return "", err
		}
	} else if r.Method == http.MethodPost && r.PostForm.Has("client_id") {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	} else {
		return "", errors.New(fullAuthRequired)
	}
	s.mu.Lock()
	c, ok := s.clients[id]
	s.mu.Unlock()
	if !ok || c.Secret == "" || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return "", errors.New(badCredentials)
	}
	return id, nil
}

// decodeBasic mirrors ClientBasicAuthenticationFilter: base64, split on the
// first colon, then URL-decode (java.net.URLDecoder, so "+" is a space) when
// compatibility mode is off or the client says X-CF-ENCODED-CREDENTIALS: true.
func (s *Server) decodeBasic(r *http.Request, b64 string) (id, secret string, err error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", "", errors.New(badCredentials)
	}
	id, secret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", errors.New(badCredentials)
	}
	if s.opts.AlwaysDecode || strings.EqualFold(r.Header.Get("X-CF-ENCODED-CREDENTIALS"), "true") {
		if id, err = url.QueryUnescape(id); err != nil {
			return "", "", errors.New(badCredentials)
		}
		if secret, err = url.QueryUnescape(secret); err != nil {
			return "", "", errors.New(badCredentials)
		}
	}
	return id, secret, nil
}

// writeUnauthorized is UAA's 401 for client authentication failures.
func writeUnauthorized(w http.ResponseWriter, description string) {
	w.Header().Set("WWW-Authenticate",
		`Basic realm="UAA/client", error="unauthorized", error_description="`+description+`"`)
	writeJSON(w, http.StatusUnauthorized, oauthError{"unauthorized", description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "uaatest: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeHTML(w http.ResponseWriter, status int, page string) {
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(page))
}
