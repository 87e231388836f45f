package uaatest

import (
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// APIRequest is one call the DOX API stub received.
type APIRequest struct {
	Method, Path string
	Query        string   // the raw query
	Authorized   bool     // a valid, unexpired token of this emulator
	Parts        []string // multipart form part names, for uploads
}

// APIClient is a client of the DOX instance, as GET /clients lists it
// (clientId and clientName, the fields SAP's Python client sends to create
// one; docs/dox-api.md).
type APIClient struct {
	ID   string `json:"clientId"`
	Name string `json:"clientName"`
}

// Job states of the DOX API (SAP's Python client, common/constants.py).
const (
	JobPending = "PENDING"
	JobDone    = "DONE"
	JobFailed  = "FAILED"
)

// job is a document the stub accepted for extraction.
type job struct {
	ID           string
	FileName     string
	ClientID     string
	DocumentType string
	Created      time.Time
	polls        int    // GETs answered so far
	status       string // set by FinishJob; "" follows Options.PendingPolls
}

const apiBase = "/document-information-extraction/v1"

// APIRequests lists the calls the DOX API stub received.
func (s *Server) APIRequests() []APIRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]APIRequest(nil), s.apiCalls...)
}

// AddJob files a job as an upload with these options would, without the
// upload, and returns its id.
func (s *Server) AddJob(clientID, documentType string) string {
	j := &job{ID: randomUUID(), FileName: "invoice.pdf", ClientID: clientID, DocumentType: documentType, Created: s.now().UTC()}
	s.mu.Lock()
	s.jobs[j.ID] = j
	s.mu.Unlock()
	return j.ID
}

// FinishJob sets a job's status (JobDone, JobFailed, or JobPending again);
// it reports false for an unknown id.
func (s *Server) FinishJob(id, status string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if ok {
		j.status = status
	}
	return ok
}

// HangAPI makes every API call hang, after it is recorded, until Release or
// Close (or the caller gives up), as a DOX instance that stopped answering.
func (s *Server) HangAPI() {
	s.mu.Lock()
	s.apiHang = true
	s.mu.Unlock()
}

// apiHandler is the DOX API stub: every call needs a Bearer token this
// emulator issued, as the real API checks its XSUAA tokens.
func (s *Server) apiHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiBase+"/capabilities", s.handleCapabilities)
	mux.HandleFunc("GET "+apiBase+"/clients", s.handleClients)
	mux.HandleFunc("GET "+apiBase+"/document/jobs", s.handleListJobs)
	mux.HandleFunc("GET "+apiBase+"/document/jobs/{id}", s.handleGetJob)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeAPIError(w, http.StatusNotFound, "No resource at "+r.URL.Path)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := APIRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
		reason := s.checkBearer(r)
		rec.Authorized = reason == ""
		s.mu.Lock()
		hang, release := s.apiHang, s.release
		if hang {
			s.apiCalls = append(s.apiCalls, rec)
		}
		s.mu.Unlock()
		if hang {
			select {
			case <-release:
			case <-r.Context().Done():
				return
			case <-s.closed:
				panic(http.ErrAbortHandler)
			}
		}
		switch {
		case !rec.Authorized:
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeAPIError(w, http.StatusUnauthorized, reason)
		case r.Method == http.MethodPost && r.URL.Path == apiBase+"/document/jobs":
			rec.Parts = s.handleUpload(w, r)
		default:
			mux.ServeHTTP(w, r)
		}
		if !hang {
			s.mu.Lock()
			s.apiCalls = append(s.apiCalls, rec)
			s.mu.Unlock()
		}
	})
}

// checkBearer returns why r's token is refused, or "" when it is valid.
func (s *Server) checkBearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "Authorization header missing"
	}
	scheme, token, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "Authorization is not a Bearer token"
	}
	if _, err := s.verify(strings.TrimSpace(token)); err != nil {
		return "Invalid token: " + err.Error()
	}
	return ""
}

func (s *Server) handleCapabilities(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, capabilities)
}

// handleClients is GET /clients: limit is required, as in SAP's API
// (the Python client always sends it); offset and clientIdStartsWith are
// optional.
func (s *Server) handleClients(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit < 1 {
		writeAPIError(w, http.StatusBadRequest, "Query parameter 'limit' is required and must be a positive integer")
		return
	}
	offset := 0
	if o := q.Get("offset"); o != "" {
		if offset, err = strconv.Atoi(o); err != nil || offset < 0 {
			writeAPIError(w, http.StatusBadRequest, "Query parameter 'offset' must be a non-negative integer")
			return
		}
	}
	payload := []APIClient{}
	for _, c := range s.opts.APIClients {
		if strings.HasPrefix(c.ID, q.Get("clientIdStartsWith")) {
			payload = append(payload, c)
		}
	}
	payload = payload[min(offset, len(payload)):]
	payload = payload[:min(limit, len(payload))]
	writeJSON(w, http.StatusOK, map[string]any{"payload": payload})
}

func (s *Server) handleListJobs(w http.ResponseWriter, r *http.Request) {
	client := r.URL.Query().Get("clientId")
	s.mu.Lock()
	results := make([]map[string]any, 0, len(s.jobs))
	jobs := slices.Collect(maps.Values(s.jobs))
	slices.SortFunc(jobs, func(a, b *job) int { return a.Created.Compare(b.Created) })
	for _, j := range jobs {
		if client == "" || j.ClientID == client {
			results = append(results, jobSummary(j, s.statusOf(j)))
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

// statusOf is a job's status now; the caller holds s.mu.
func (s *Server) statusOf(j *job) string {
	switch {
	case j.status != "":
		return j.status
	case s.opts.PendingPolls < 0 || j.polls <= s.opts.PendingPolls:
		return JobPending
	}
	return JobDone
}

func (s *Server) handleGetJob(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	j, ok := s.jobs[r.PathValue("id")]
	var doc map[string]any
	if ok {
		j.polls++
		doc = jobSummary(j, s.statusOf(j))
	}
	s.mu.Unlock()
	if !ok {
		writeAPIError(w, http.StatusNotFound, "Document with id "+r.PathValue("id")+" not found")
		return
	}
	if doc["status"] == JobDone {
		doc["extraction"] = sampleExtraction
	}
	writeJSON(w, http.StatusOK, doc)
}

// handleUpload takes a multipart upload with its "file" and "options" parts
// and returns the names of the parts it saw.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) []string {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		writeAPIError(w, http.StatusBadRequest, "Content-Type must be multipart/form-data")
		return nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "Malformed multipart body: "+err.Error())
		return nil
	}
	var parts []string
	var fileName string
	var options map[string]any
	var optionsErr error
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeAPIError(w, http.StatusBadRequest, "Malformed multipart body: "+err.Error())
			return parts
		}
		parts = append(parts, p.FormName())
		switch p.FormName() {
		case "file":
			fileName = p.FileName()
			_, err = io.Copy(io.Discard, io.LimitReader(p, 50<<20))
		case "options":
			optionsErr = json.NewDecoder(p).Decode(&options)
		}
		if err != nil {
			writeAPIError(w, http.StatusBadRequest, "Reading part "+p.FormName()+": "+err.Error())
			return parts
		}
	}
	switch {
	case !slices.Contains(parts, "file"):
		writeAPIError(w, http.StatusBadRequest, "Part 'file' is missing")
	case !slices.Contains(parts, "options"):
		writeAPIError(w, http.StatusBadRequest, "Part 'options' is missing")
	case optionsErr != nil:
		writeAPIError(w, http.StatusBadRequest, "Part 'options' is not a JSON object")
	default:
		j := &job{ID: randomUUID(), FileName: fileName, Created: s.now().UTC()}
		j.ClientID, _ = options["clientId"].(string)
		j.DocumentType, _ = options["documentType"].(string)
		if reason := s.checkOptions(j); reason != "" {
			writeAPIError(w, http.StatusBadRequest, reason)
			return parts
		}
		s.mu.Lock()
		s.jobs[j.ID] = j
		s.mu.Unlock()
		writeJSON(w, http.StatusCreated, map[string]any{
			"id": j.ID, "status": JobPending, "processedTime": j.Created.Format(time.RFC3339),
		})
	}
	return parts
}

// checkOptions refuses an upload for a client or document type the
// instance does not have, as the service does with a 400.
func (s *Server) checkOptions(j *job) string {
	if !slices.ContainsFunc(s.opts.APIClients, func(c APIClient) bool { return c.ID == j.ClientID }) {
		return "Client '" + j.ClientID + "' does not exist"
	}
	if !slices.Contains(documentTypes, j.DocumentType) {
		return "Document type '" + j.DocumentType + "' is not supported"
	}
	return ""
}

// jobSummary is a job as GET /document/jobs lists it; the fields are those
// of SAP's sample result (gt-sample-invoice-1.json) plus id and times.
func jobSummary(j *job, status string) map[string]any {
	doc := map[string]any{
		"id":           j.ID,
		"status":       status,
		"fileName":     j.FileName,
		"documentType": j.DocumentType,
		"created":      j.Created.Format(time.RFC3339),
		"country":      "DE",
		"fileType":     "application/pdf",
	}
	if status != JobPending {
		doc["finished"] = j.Created.Add(2 * time.Second).Format(time.RFC3339)
	}
	return doc
}

func writeAPIError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": status, "message": message}})
}

var documentTypes = []string{"invoice", "paymentAdvice", "purchaseOrder"}

// capabilities is GET /capabilities: documentTypes, and extraction fields
// with the supportedDocumentTypes SAP's example utils.py filters on.
var capabilities = map[string]any{
	"extraction": map[string]any{
		"headerFields": []capField{
			{"documentNumber", "string", "document", documentTypes},
			{"documentDate", "date", "document", documentTypes},
			{"purchaseOrderNumber", "string", "details", []string{"invoice"}},
			{"grossAmount", "number", "amounts", []string{"invoice", "purchaseOrder"}},
			{"netAmount", "number", "amounts", []string{"invoice", "purchaseOrder"}},
			{"taxAmount", "number", "amounts", []string{"invoice"}},
			{"currencyCode", "string", "amounts", documentTypes},
			{"senderName", "string", "sender", documentTypes},
			{"receiverName", "string", "receiver", []string{"invoice", "purchaseOrder"}},
			{"paymentTerms", "string", "details", []string{"invoice"}},
		},
		"lineItemFields": []capField{
			{"description", "string", "details", []string{"invoice", "purchaseOrder"}},
			{"quantity", "number", "details", []string{"invoice", "purchaseOrder"}},
			{"unitPrice", "number", "amounts", []string{"invoice", "purchaseOrder"}},
			{"netAmount", "number", "amounts", []string{"invoice", "purchaseOrder"}},
		},
	},
	"documentTypes": documentTypes,
	"fileTypes":     []string{"application/pdf", "image/jpeg", "image/png", "image/tiff"},
}

type capField struct {
	Name                   string   `json:"name"`
	Type                   string   `json:"type"`
	Category               string   `json:"category"`
	SupportedDocumentTypes []string `json:"supportedDocumentTypes"`
}

// box is where a value was found on its page, as fractions of the page.
func box(x, y, w, h float64) map[string]float64 {
	return map[string]float64{"x": x, "y": y, "w": w, "h": h}
}

// sampleExtraction has the shape of SAP's sample result
// (examples/document_information_extraction_examples/gt-sample-invoice-1.json).
var sampleExtraction = map[string]any{
	"headerFields": []map[string]any{
		{"name": "documentNumber", "category": "document", "value": "INV-2024-0042", "type": "string", "page": 1, "confidence": 0.98, "coordinates": box(0.76, 0.137, 0.061, 0.008)},
		{"name": "documentDate", "category": "document", "value": "2024-05-17", "type": "date", "page": 1, "confidence": 0.96, "coordinates": box(0.76, 0.155, 0.055, 0.008)},
		{"name": "grossAmount", "category": "amounts", "value": 1190.0, "type": "number", "page": 1, "confidence": 0.95, "coordinates": box(0.878, 0.5, 0.04, 0.009)},
		{"name": "currencyCode", "category": "amounts", "value": "EUR", "type": "string", "page": 1, "confidence": 0.99, "coordinates": box(0.92, 0.5, 0.02, 0.009)},
		{"name": "senderName", "category": "sender", "value": "Muster Bürobedarf GmbH", "type": "string", "page": 1, "confidence": 0.91, "coordinates": box(0.072, 0.173, 0.15, 0.01)},
	},
	"lineItems": [][]map[string]any{{
		{"name": "description", "category": "details", "value": "Toner cartridge", "type": "string", "page": 1, "confidence": 0.93, "coordinates": box(0.17, 0.41, 0.175, 0.02)},
		{"name": "quantity", "category": "details", "value": 10.0, "type": "number", "page": 1, "confidence": 0.97, "coordinates": box(0.6, 0.41, 0.02, 0.02)},
		{"name": "netAmount", "category": "amounts", "value": 1000.0, "type": "number", "page": 1, "confidence": 0.94, "coordinates": box(0.878, 0.41, 0.04, 0.02)},
	}},
}
