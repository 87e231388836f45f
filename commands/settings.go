package commands

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/doxls/doxls/envfile"
	"github.com/doxls/doxls/httpfile"
)

// Settings are the user's "dox" settings (docs/protocol.md, "Settings").
type Settings struct {
	ServiceKey    string
	RefreshMargin time.Duration
	AutoRefresh   bool
	InsertMode    httpfile.Mode
	VariableName  string
	EnvName       string
	EnvFormat     envfile.Format // envFile mode: http-client.private.env.json or .env
	ExtraHosts    []string
	Timeout       time.Duration // per attempt of a token request
	// CertificateWarning is how long before an x509 key's certificate
	// expires the user is warned; 0 turns the warning off.
	CertificateWarning time.Duration
}

// A Setting is one "dox" setting as clients send it.
type Setting struct {
	Name string
	// Default is the value as JSON decodes it (string, float64, bool,
	// []any); nil when the setting has none (serviceKey: discover).
	Default any
}

// SettingsTable is the one source of the settings' names and defaults:
// DefaultSettings reads it, and TestSettingsDefaultsMatchClients holds
// editors/code/package.json, the Neovim plugin's defaults and
// docs/protocol.md to it. A new setting goes here, into wireSettings and
// ParseSettings, then into those three files.
var SettingsTable = []Setting{
	{"serviceKey", nil},
	{"refreshMarginSeconds", 300.0},
	{"autoRefresh", true},
	{"insertMode", string(httpfile.ModeHeader)},
	{"variableName", "doxToken"},
	{"envName", "dev"},
	{"envFileFormat", string(envfile.FormatJSON)},
	{"extraHosts", []any{}},
	{"timeoutSeconds", 10.0},
	// XSUAA's x509 bindings live 7 days by default: two days leave time to
	// create a new key (docs/lifecycle.md).
	{"certificateWarningDays", 2.0},
}

// defaults is SettingsTable applied to zero Settings, once.
var defaults = func() Settings {
	obj := map[string]any{}
	for _, st := range SettingsTable {
		if st.Default != nil {
			obj[st.Name] = st.Default
		}
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	s, err := parseOver(Settings{}, raw)
	if err != nil {
		panic(fmt.Sprintf("SettingsTable: %v", err))
	}
	return s
}()

// DefaultSettings are used for everything the client does not set.
func DefaultSettings() Settings {
	s := defaults
	s.ExtraHosts = nil
	return s
}

// wireSettings is the JSON shape; pointers tell "absent" from "zero".
type wireSettings struct {
	ServiceKey           *string   `json:"serviceKey"`
	RefreshMarginSeconds *float64  `json:"refreshMarginSeconds"`
	AutoRefresh          *bool     `json:"autoRefresh"`
	InsertMode           *string   `json:"insertMode"`
	VariableName         *string   `json:"variableName"`
	EnvName              *string   `json:"envName"`
	EnvFileFormat        *string   `json:"envFileFormat"`
	ExtraHosts           *[]string `json:"extraHosts"`
	TimeoutSeconds       *float64  `json:"timeoutSeconds"`
	CertWarningDays      *float64  `json:"certificateWarningDays"`
}

// ParseSettings reads a flat "dox" settings object over the defaults. An
// empty or null object gives the defaults; a field of the wrong type or an
// unknown insert mode is an error naming the field.
func ParseSettings(raw json.RawMessage) (Settings, error) {
	return parseOver(DefaultSettings(), raw)
}

// ParseMode reads an insert mode: the insertMode setting and --mode. The
// error is the rest of a sentence whose subject is the caller's name for it.
func ParseMode(s string) (httpfile.Mode, error) {
	switch m := httpfile.Mode(s); m {
	case httpfile.ModeHeader, httpfile.ModeVariable, httpfile.ModeEnvFile:
		return m, nil
	}
	return "", fmt.Errorf("must be header, variable or envFile, not %q", s)
}

// ParseEnvFormat reads an environment file format: the envFileFormat
// setting and --env-format; the error is as ParseMode's.
func ParseEnvFormat(s string) (envfile.Format, error) {
	switch f := envfile.Format(s); f {
	case envfile.FormatJSON, envfile.FormatDotenv:
		return f, nil
	}
	return "", fmt.Errorf("must be json or dotenv, not %q", s)
}

func parseOver(s Settings, raw json.RawMessage) (Settings, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return s, nil
	}
	var w wireSettings
	if err := json.Unmarshal(raw, &w); err != nil {
		return s, fmt.Errorf("dox settings: %w", describeJSONError(err))
	}
	if w.ServiceKey != nil {
		s.ServiceKey = *w.ServiceKey
	}
	if w.RefreshMarginSeconds != nil {
		if *w.RefreshMarginSeconds < 0 {
			return s, fmt.Errorf("dox settings: refreshMarginSeconds must not be negative")
		}
		s.RefreshMargin = seconds(*w.RefreshMarginSeconds)
	}
	if w.AutoRefresh != nil {
		s.AutoRefresh = *w.AutoRefresh
	}
	if w.InsertMode != nil {
		m, err := ParseMode(*w.InsertMode)
		if err != nil {
			return s, fmt.Errorf("dox settings: insertMode %w", err)
		}
		s.InsertMode = m
	}
	if w.VariableName != nil && *w.VariableName != "" {
		s.VariableName = *w.VariableName
	}
	if w.EnvName != nil && *w.EnvName != "" {
		s.EnvName = *w.EnvName
	}
	if w.EnvFileFormat != nil {
		f, err := ParseEnvFormat(*w.EnvFileFormat)
		if err != nil {
			return s, fmt.Errorf("dox settings: envFileFormat %w", err)
		}
		s.EnvFormat = f
	}
	if w.ExtraHosts != nil {
		s.ExtraHosts = *w.ExtraHosts
	}
	if w.TimeoutSeconds != nil {
		if *w.TimeoutSeconds < 0 {
			return s, fmt.Errorf("dox settings: timeoutSeconds must not be negative")
		}
		s.Timeout = seconds(*w.TimeoutSeconds)
	}
	if w.CertWarningDays != nil {
		if *w.CertWarningDays < 0 {
			return s, fmt.Errorf("dox settings: certificateWarningDays must not be negative")
		}
		s.CertificateWarning = seconds(*w.CertWarningDays * 24 * 3600)
	}
	return s, nil
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// describeJSONError turns a decoding error into text that names the field.
func describeJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("%s must be %s, not %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
	}
	return err
}
