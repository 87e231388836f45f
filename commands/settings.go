package commands

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/doxls/doxls/envfile"
	"github.com/doxls/doxls/httpfile"
)

// Settings are the user's "dox" settings (DESIGN.md §5).
type Settings struct {
	ServiceKey    string
	RefreshMargin time.Duration
	AutoRefresh   bool
	InsertMode    httpfile.Mode
	VariableName  string
	EnvName       string
	EnvFormat     envfile.Format // envFile mode: http-client.private.env.json or .env
	ExtraHosts    []string
	Timeout       time.Duration // 0: the token client's default
	// CertificateWarning is how long before an x509 key's certificate
	// expires the user is warned; 0 turns the warning off.
	CertificateWarning time.Duration
}

// DefaultSettings are used for everything the client does not set.
func DefaultSettings() Settings {
	return Settings{
		RefreshMargin: 300 * time.Second,
		AutoRefresh:   true,
		InsertMode:    httpfile.ModeHeader,
		VariableName:  "doxToken",
		EnvName:       "dev",
		EnvFormat:     envfile.FormatJSON,
		// XSUAA's x509 bindings live 7 days by default: two days leave time
		// to create a new key (docs/lifecycle.md).
		CertificateWarning: 2 * 24 * time.Hour,
	}
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
	s := DefaultSettings()
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
		switch m := httpfile.Mode(*w.InsertMode); m {
		case httpfile.ModeHeader, httpfile.ModeVariable, httpfile.ModeEnvFile:
			s.InsertMode = m
		default:
			return s, fmt.Errorf("dox settings: insertMode must be \"header\", \"variable\" or \"envFile\", not %q", *w.InsertMode)
		}
	}
	if w.VariableName != nil && *w.VariableName != "" {
		s.VariableName = *w.VariableName
	}
	if w.EnvName != nil && *w.EnvName != "" {
		s.EnvName = *w.EnvName
	}
	if w.EnvFileFormat != nil {
		switch f := envfile.Format(*w.EnvFileFormat); f {
		case envfile.FormatJSON, envfile.FormatDotenv:
			s.EnvFormat = f
		default:
			return s, fmt.Errorf("dox settings: envFileFormat must be \"json\" (http-client.private.env.json) or \"dotenv\" (.env), not %q", *w.EnvFileFormat)
		}
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
