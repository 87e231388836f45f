// Package httpfile is the .http request document model: it parses the
// grammar shared by VS Code REST Client, JetBrains HTTP Client and httpyac,
// and plans minimal text edits for Bearer headers and token variables.
//
// THIS FILE IS THE AGREED API SKELETON. The httpfile helper replaces it with
// the real implementation, keeping every exported name and signature below.
package httpfile

// Position is an LSP position: 0-based line, character in UTF-16 code units.
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
	Method             string // "GET" when the line has none
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

// Parse parses src; it never fails: what it cannot read it leaves out.
func Parse(src []byte) *Document { panic("todo") }

// RequestAt returns the request whose block holds line, or nil.
func (d *Document) RequestAt(line int) *Request { panic("todo") }

// Mode says where a token goes.
type Mode string

const (
	ModeHeader   Mode = "header"
	ModeVariable Mode = "variable"
)

// Options drive edit planning.
type Options struct {
	Token        string
	APIHost      string   // the key's API host (auth.ServiceKey.APIHost)
	ExtraHosts   []string // more hosts allowed to receive the token
	Mode         Mode     // default ModeHeader
	VariableName string   // default "doxToken"
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

// PlanEdits plans the edits that put opts.Token into src.
func PlanEdits(src []byte, opts Options) Plan { panic("todo") }

// Apply applies non-overlapping edits to src and returns the new bytes.
func Apply(src []byte, edits []Edit) []byte { panic("todo") }

// TokenRef is a Bearer token written in the document: a literal header
// value or an @variable value used by a Bearer header.
type TokenRef struct {
	Token string
	Range Range
	Line  int
}

// Tokens lists the Bearer tokens written in src.
func Tokens(src []byte) []TokenRef { panic("todo") }

// EditFile plans and applies the edits to the file at path in place: it
// writes beside the file, syncs and renames, keeping the file mode. A file
// that is unreadable or not UTF-8 is left untouched and reported.
func EditFile(path string, opts Options) (Plan, error) { panic("todo") }
