// Package doxapi reads the DOX API of a service key: its clients, its
// capabilities and its extraction jobs. It calls the key's own API host
// only (https, or plain http on loopback), keeps what it read per key for
// about a minute, refreshes it in the background, and never lets a caller
// wait longer than its budget (docs/dox-api.md).
package doxapi

// Base is the path of the DOX API's v1 endpoints under the key's API URL
// (SAP's Python client: url_path_prefix).
const Base = "/document-information-extraction/v1"

// Client is a client of the DOX instance (GET /clients, its payload).
type Client struct {
	ID   string `json:"clientId"`
	Name string `json:"clientName"`
}

// Field is an extraction field the instance offers (GET /capabilities,
// extraction.headerFields and extraction.lineItemFields).
type Field struct {
	Name                   string   `json:"name"`
	Type                   string   `json:"type"`
	Category               string   `json:"category"`
	SupportedDocumentTypes []string `json:"supportedDocumentTypes"`
}

// Supports reports whether the field can be extracted from documentType;
// a field that lists no types is offered for every type.
func (f Field) Supports(documentType string) bool {
	if len(f.SupportedDocumentTypes) == 0 {
		return true
	}
	for _, t := range f.SupportedDocumentTypes {
		if t == documentType {
			return true
		}
	}
	return false
}

// Capabilities is GET /capabilities.
type Capabilities struct {
	DocumentTypes []string `json:"documentTypes"`
	FileTypes     []string `json:"fileTypes"`
	Extraction    struct {
		HeaderFields   []Field `json:"headerFields"`
		LineItemFields []Field `json:"lineItemFields"`
	} `json:"extraction"`
}

// Job states (SAP's Python client, common/constants.py).
const (
	StatusPending = "PENDING"
	StatusDone    = "DONE"
	StatusFailed  = "FAILED"
)

// Job is GET /document/jobs/{id}.
type Job struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	DocumentType string `json:"documentType"`
	FileName     string `json:"fileName"`
	Extraction   struct {
		HeaderFields []ExtractedField   `json:"headerFields"`
		LineItems    [][]ExtractedField `json:"lineItems"`
	} `json:"extraction"`
}

// Final reports whether the job has stopped changing. SAP's client counts
// CONFIRMED, SUCCESS and SUCCEEDED as done as well.
func (j Job) Final() bool {
	switch j.Status {
	case StatusDone, StatusFailed, "CONFIRMED", "SUCCESS", "SUCCEEDED":
		return true
	}
	return false
}

// ExtractedField is one value the service extracted.
type ExtractedField struct {
	Name       string  `json:"name"`
	Value      any     `json:"value"`
	Confidence float64 `json:"confidence"`
	Page       int     `json:"page"`
	Type       string  `json:"type,omitempty"`
	Category   string  `json:"category,omitempty"`
}

// Data is what the instance offers for completion.
type Data struct {
	Clients      []Client
	Capabilities Capabilities
}

// DefaultClient is the client a fresh DOX instance has.
const DefaultClient = "default"

// StarterClient is the client a new request file uploads for: "default"
// when the instance has it (or when its clients are not known), else the
// instance's first client.
func StarterClient(clients []Client) string {
	for _, c := range clients {
		if c.ID == DefaultClient {
			return DefaultClient
		}
	}
	if len(clients) > 0 && clients[0].ID != "" {
		return clients[0].ID
	}
	return DefaultClient
}
