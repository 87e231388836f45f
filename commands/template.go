package commands

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/envfile"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/doxapi"
)

// SampleName is the document the upload request of a new request file
// sends, next to the file.
const SampleName = "sample.pdf"

// requestTemplate is a new request file before the token goes in: the calls
// a DOX user makes first, one comment line each. %[1]s is the key id,
// %[2]s the API URL, %[3]s an optional API reference line, %[4]s where the
// token is kept, %[5]s the clientId as a JSON string.
//
// The job fetch must run in REST Client and in httpyac, which name a
// response differently: REST Client resolves {{upload.response.body.$.id}}
// as a request variable (JSONPath into the upload's answer); httpyac has
// no such syntax and stores the answer's body as "upload" instead. httpyac
// looks a {{…}} expression up as a variable name before it evaluates it,
// so the line above the request defines a variable named exactly
// "upload.response.body.$.id" for httpyac. REST Client reads that line as
// a file variable it never uses (its request variable wins), and the space
// in "{{ upload.id }}" keeps REST Client's reference check off it.
const requestTemplate = `# DOX requests for the service key %[1]s, written by doxls.
# Run them top to bottom with REST Client or httpyac.%[3]s
# The token lasts 12 hours: doxls refreshes it in open editors; elsewhere run "doxls bearer" on this file.
# %[4]s
@host = %[2]s

### What this DOX instance extracts: document types, file types and fields
GET {{host}}/document-information-extraction/v1/capabilities
Accept: application/json

### The documents uploaded so far, with the status of their extraction
GET {{host}}/document-information-extraction/v1/document/jobs
Accept: application/json

### Upload ./sample.pdf (put your own invoice there) for extraction; the answer holds the job id
# @name upload
POST {{host}}/document-information-extraction/v1/document/jobs
Content-Type: multipart/form-data; boundary=DoxBoundary

--DoxBoundary
Content-Disposition: form-data; name="file"; filename="sample.pdf"
Content-Type: application/pdf

< ./sample.pdf
--DoxBoundary
Content-Disposition: form-data; name="options"
Content-Type: application/json

{"clientId": %[5]s, "documentType": "invoice", "schemaName": "SAP_invoice_schema"}
--DoxBoundary--

### The uploaded document's job: PENDING at first, then DONE with the extracted fields
# For httpyac: REST Client finds upload.response.body.$.id on its own
@upload.response.body.$.id = {{ upload.id }}
GET {{host}}/document-information-extraction/v1/document/jobs/{{upload.response.body.$.id}}
Accept: application/json
`

// RequestFile is the text of a new request file for key's DOX API, with
// token placed the way s asks (httpfile plans it, as for any other file).
// The upload is for clientID ("": "default"; docs/dox-api.md).
func RequestFile(key *auth.ServiceKey, token, clientID string, s Settings) ([]byte, error) {
	api, err := APIBase(key)
	if err != nil {
		return nil, err
	}
	reference := ""
	if key.SwaggerURL != "" {
		reference = "\n# API reference: " + oneLine(key.SwaggerURL)
	}
	kept := "The token is a credential: keep this file out of git."
	if s.InsertMode == httpfile.ModeEnvFile {
		kept = "The token comes from the environment file (" + envfile.FileName(envFormat(s)) + "), kept out of git."
	}
	if clientID == "" {
		clientID = doxapi.DefaultClient
	}
	client, err := json.Marshal(clientID)
	if err != nil {
		return nil, err
	}
	src := []byte(fmt.Sprintf(requestTemplate, oneLine(key.ID), oneLine(api), reference, kept, client))
	opts := HostOptions(key, s)
	opts.Token, opts.Mode, opts.Dotenv = token, s.InsertMode, envFormat(s) == envfile.FormatDotenv
	plan := httpfile.PlanEdits(src, opts)
	if len(plan.Skipped) > 0 {
		// The template only calls the key's own host: a skip is a bug here
		// or a key whose API URL the template cannot use.
		return nil, fmt.Errorf("cannot write the token into the new request file: %s", plan.Skipped[0].Reason)
	}
	return httpfile.Apply(src, plan.Edits), nil
}

// envFormat is the environment file format of envFile mode.
func envFormat(s Settings) envfile.Format {
	if s.EnvFormat == "" {
		return envfile.FormatJSON
	}
	return s.EnvFormat
}

// APIBase is the key's API URL, which the request file's @host needs.
func APIBase(key *auth.ServiceKey) (string, error) {
	api := strings.TrimRight(key.APIURL, "/")
	if api == "" || key.APIHost() == "" {
		return "", fmt.Errorf("the service key %s has no API URL (endpoints.backend.url or url); use the full key from the BTP cockpit", key.ID)
	}
	return api, nil
}

// oneLine keeps a value from a key file on its line of the template.
func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// samplePDF is a one-page PDF that says what it is, so that the upload
// request runs before the user has put a document there.
func samplePDF() []byte {
	text := "doxls sample: replace sample.pdf with an invoice of your own"
	content := fmt.Sprintf("BT /F1 14 Tf 72 720 Td (%s) Tj ET", text)
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return []byte(b.String())
}
