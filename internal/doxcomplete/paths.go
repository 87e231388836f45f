package doxcomplete

// endpoint is a v1 path of the DOX API: SAP's Python client
// (document_information_extraction_client/endpoints.py and the schema
// paths of its constants.py) names each of them.
type endpoint struct {
	Path string
	Doc  string
}

var endpoints = []endpoint{
	{"capabilities", "Document types, file types and the extraction fields of each"},
	{"clients", "Clients of the instance; GET needs limit (offset, clientIdStartsWith)"},
	{"document/jobs", "Uploaded documents; POST a multipart body with file and options parts"},
	{"document/jobs/{id}", "A document's job: status and, when DONE, the extraction; POST sets ground truth"},
	{"document/jobs/{id}/confirm", "Confirm the document's extraction"},
	{"document/jobs/{id}/request", "The options the document was uploaded with"},
	{"document/jobs/{id}/pages", "Page images of the document"},
	{"document/jobs/{id}/pages/{page}", "One page image"},
	{"document/jobs/{id}/pages/text", "Text of every page"},
	{"document/jobs/{id}/pages/{page}/text", "Text of one page"},
	{"document/jobs/{id}/pages/dimensions", "Dimensions of every page"},
	{"document/jobs/{id}/pages/{page}/dimensions", "Dimensions of one page"},
	{"identifier", "Map a client to capabilities (clientId query, options form part)"},
	{"data", "Enrichment data (clientId, type; limit, offset)"},
	{"data/jobs", "Upload or delete enrichment data asynchronously"},
	{"data/jobs/{id}", "Status of an enrichment data job"},
	{"data/activation", "Activate uploaded enrichment data"},
	{"data/activation/{id}", "Status of an activation"},
	{"schemas", "Schemas of a client (clientId; predefined, documentType, limit, offset)"},
	{"schemas/capabilities", "What schemas can hold"},
	{"schemas/{schemaId}", "One schema"},
	{"schemas/{schemaId}/versions", "Versions of a schema"},
	{"schemas/{schemaId}/versions/{versionId}", "One schema version"},
	{"schemas/{schemaId}/versions/{versionId}/fields", "Set the fields of a schema version"},
	{"schemas/{schemaId}/versions/{versionId}/activate", "Activate a schema version"},
	{"schemas/{schemaId}/versions/{versionId}/deactivate", "Deactivate a schema version"},
}
