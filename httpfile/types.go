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
	// Scheme and Host are where a client sends the request, as the WHATWG
	// URL standard reads URL (for a path, with the Host header or host
	// variable in front): the scheme lower-cased, the host serialised,
	// with ":port" unless it is the scheme's default. Both "" when no file
	// variable says (an environment's variable before the end of the
	// authority) or the URL cannot be sent.
	Scheme, Host string
	Headers      []Header

	full      string    // the URL the client sends, variables it cannot resolve left as {{name}}
	state     int       // how full reads: urlRead, urlUnknown, …
	firstHost string    // urlSplit: the host of the request line's URL alone
	plain     bool      // full is written so that every client reads its host alike (plainURL)
	others    []Request // where it goes with other definitions of a variable defined more than once
	hostVars  []hostVar // the file variables its URL is read with
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
	TenantHost   string   // the host of the key's tenantuiurl, its Swagger UI (auth.ServiceKey.TenantUIHost)
	ExtraHosts   []string // more hosts allowed to receive the token
	Mode         Mode     // default ModeHeader
	VariableName string   // default "doxToken"
	Dotenv       bool     // envFile mode: requests use {{$dotenv doxToken}} (a .env file)
	Line         int      // plan only for the request holding this line; -1: every request
	RefreshOnly  bool     // only replace Bearer tokens already present; never add headers

	// Environments holds the variables of the environment files the
	// request file's client reads (http-client.env.json and its private
	// file), by environment and name: a host that comes from one is
	// decided per environment (docs/security.md).
	Environments map[string]map[string]string
	// Environment is the one the client sends with; "" when doxls cannot
	// know, and then every environment must send the token to the key's
	// hosts.
	Environment string
	// EnvUnread names a file the client reads variables from that doxls
	// does not: an environment file behind a symbolic link out of the
	// workspace, an httpyac configuration or .env.<name> file. A host left
	// to a variable then gets no token.
	EnvUnread string
	// EnvBlocked, in envFile mode, says why the environment file must not
	// get the token for a reason outside this file: another request file
	// that reads it sends the variable to another host.
	EnvBlocked string
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

// hostVar is a file variable a request's URL is read with.
type hostVar struct {
	name, value string
	line        int
}
