// Package httpfile is the .http request document model: it parses the
// grammar shared by VS Code REST Client, JetBrains HTTP Client and httpyac,
// and plans minimal text edits for Bearer headers and token variables.
//
// Choices where the three clients differ (see parse.go for the grammar):
//
//   - Lines end at "\r\n", "\n" or a lone "\r", as LSP counts them.
//   - A byte order mark is not a character: editors strip it before they
//     hand the text to a language server, so line 0 positions start after
//     it. Byte offsets (Edit.Start, Edit.End) count it; edits never touch it.
//   - File variables are file-wide (REST Client, JetBrains): a reference sees
//     the last definition above it, else the first one below. A variable's
//     own references resolve from its line.
//   - Nothing in a request body is a header or a request line; only a ###
//     line ends a body.
//   - A new Authorization header goes below the last header, but never below
//     a "#text" comment, after which httpyac reads the rest as body.
//   - In variable mode, when the first request shares its block with the spot
//     the token variable goes to, a ### line follows the variable: httpyac
//     scopes a variable to the block that defines it, and only variables in
//     a block without a request reach every request.
//   - Where a request goes is read as the WHATWG URL standard reads its URL
//     (url.go), as httpyac, REST Client and browsers do; the token goes only
//     over https to the key's hosts, or over http to this machine
//     (docs/security.md).
//   - A variable that any request to a foreign host references (in its URL,
//     headers or body, directly or through other variables, file or
//     environment ones) never receives the token, and the requests that
//     use it are reported instead.
package httpfile
