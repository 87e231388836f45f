package httpfile

// Position is an LSP position: 0-based line, character in UTF-16 code units.
//
// A byte order mark is not part of any line: editors strip it from the text
// they hand to a language server, so character 0 of line 0 is the first byte
// after the BOM. Byte offsets (Edit.Start, Edit.End) do count the BOM.
type Position struct{ Line, Character int }

// Range is an LSP range.
type Range struct{ Start, End Position }

// Header is one header line of a request.
type Header struct {
	Name, Value string
	Line        int   // 0-based line
	ValueRange  Range // the value, trimmed
}

// Variable is an @name = value file variable.
type Variable struct {
	Name, Value string
	Line        int
	ValueRange  Range
}

// Request is one request block.
type Request struct {
	StartLine, EndLine int    // first and last line of the block, separators excluded
	Line               int    // the request line
	Name               string // from # @name, if any
	Title              string // from the ### separator line above the block, if any
	Method             string // "GET" when the line has none
	Version            string // "HTTP/1.1" when the line ends with one
	RawURL             string // as written, with continuation lines joined
	URL                string // with file variables substituted
	Host               string // host[:port] of URL, lower-cased, default port dropped; "" when unresolvable
	Headers            []Header
}

// Document is a parsed request file.
type Document struct {
	Requests  []Request
	Variables []Variable
}

// Mode says where a token goes.
type Mode string

const (
	ModeHeader   Mode = "header"
	ModeVariable Mode = "variable"
	// ModeEnvFile: requests get "Authorization: Bearer {{doxToken}}" and the
	// token lives in an environment file (package envfile writes it).
	ModeEnvFile Mode = "envFile"
)

// Options drive edit planning.
type Options struct {
	Token        string
	APIHost      string   // the key's API host (auth.ServiceKey.APIHost)
	ExtraHosts   []string // more hosts allowed to receive the token
	Mode         Mode     // default ModeHeader
	VariableName string   // default "doxToken"
	Dotenv       bool     // envFile mode: requests use {{$dotenv doxToken}} (a .env file)
	Line         int      // plan only for the request holding this line; -1: every request
	RefreshOnly  bool     // only replace Bearer tokens already present; never add headers
}

// Edit replaces the bytes [Start, End) of the source with NewText; Range is
// the same span in LSP positions.
type Edit struct {
	Start, End int
	Range      Range
	NewText    string
}

// Skip names a request left alone and why.
type Skip struct {
	Line   int // the request line
	Reason string
}

// Plan is the outcome of planning.
type Plan struct {
	Edits   []Edit
	Skipped []Skip
}

// TokenRef is a Bearer token written in the document: a literal header
// value or an @variable value used by a Bearer header.
type TokenRef struct {
	Token string
	Range Range
	Line  int
}
