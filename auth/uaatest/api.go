package uaatest

import (
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"
)

// APIRequest is one call the DOX API stub received.
type APIRequest struct {
	Method, Path string
	Authorized   bool     // a valid, unexpired token of this emulator
	Parts        []string // multipart form part names, for uploads
}

// job is a document the stub accepted for extraction.
type job struct {
	ID           string
	FileName     string
	DocumentType string
	Created      time.Time
}

const apiBase = "/document-information-extraction/v1"

// APIRequests lists the calls the DOX API stub received.
func (s *Server) APIRequests() []APIRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]APIRequest(nil), s.apiCalls...)
}

// apiHandler is the DOX API stub: every call needs a Bearer token this
// emulator issued, as the real API checks its XSUAA tokens.
func (s *Server) apiHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiBase+"/capabilities", s.handleCapabilities)
	mux.HandleFunc("GET "+apiBase+"/document/jobs", s.handleListJobs)
	mux.HandleFunc("GET "+apiBase+"/document/jobs/{id}", s.handleGetJob)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeAPIError(w, http.StatusNotFound, "No resource at "+r.URL.Path)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := APIRequest{Method: r.Method, Path: r.URL.Path}
		reason := s.checkBearer(r)
		rec.Authorized = reason == ""
		switch {
		case !rec.Authorized:
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeAPIError(w, http.StatusUnauthorized, reason)
		case r.Method == http.MethodPost && r.URL.Path == apiBase+"/document/jobs":
			rec.Parts = s.handleUpload(w, r)
		default:
			mux.ServeHTTP(w, r)
		}
		s.mu.Lock()
		s.apiCalls = append(s.apiCalls, rec)
		s.mu.Unlock()
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

func (s *Server) handleListJobs(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	jobs := slices.Collect(maps.Values(s.jobs))
	s.mu.Unlock()
	slices.SortFunc(jobs, func(a, b job) int { return a.Created.Compare(b.Created) })
	results := make([]map[string]any, 0, len(jobs))
	for _, j := range jobs {
		results = append(results, jobSummary(j, "DONE"))
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

func (s *Server) handleGetJob(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	j, ok := s.jobs[r.PathValue("id")]
	s.mu.Unlock()
	if !ok {
		writeAPIError(w, http.StatusNotFound, "Document with id "+r.PathValue("id")+" not found")
		return
	}
	doc := jobSummary(j, "DONE")
	doc["extraction"] = sampleExtraction
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
		j := job{ID: randomUUID(), FileName: fileName, Created: s.now().UTC()}
		j.DocumentType, _ = options["documentType"].(string)
		s.mu.Lock()
		s.jobs[j.ID] = j
		s.mu.Unlock()
		writeJSON(w, http.StatusCreated, map[string]any{
			"id": j.ID, "status": "PENDING", "processedTime": j.Created.Format(time.RFC3339),
		})
	}
	return parts
}

func jobSummary(j job, status string) map[string]any {
	return map[string]any{
		"id":           j.ID,
		"status":       status,
		"fileName":     j.FileName,
		"documentType": j.DocumentType,
		"created":      j.Created.Format(time.RFC3339),
		"finished":     j.Created.Add(2 * time.Second).Format(time.RFC3339),
		"country":      "DE",
		"fileType":     "application/pdf",
	}
}

func writeAPIError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": status, "message": message}})
}

var capabilities = map[string]any{
	"extraction": map[string]any{
		"headerFields": []map[string]string{
			{"name": "documentNumber", "type": "string"},
			{"name": "documentDate", "type": "date"},
			{"name": "grossAmount", "type": "number"},
			{"name": "currencyCode", "type": "string"},
			{"name": "senderName", "type": "string"},
		},
		"lineItemFields": []map[string]string{
			{"name": "description", "type": "string"},
			{"name": "quantity", "type": "number"},
			{"name": "netAmount", "type": "number"},
		},
	},
	"documentTypes": []string{"invoice", "paymentAdvice", "purchaseOrder"},
	"fileTypes":     []string{"application/pdf", "image/jpeg", "image/png", "image/tiff"},
}

var sampleExtraction = map[string]any{
	"headerFields": []map[string]any{
		{"name": "documentNumber", "category": "document", "value": "INV-2024-0042", "rawValue": "INV-2024-0042", "type": "string", "page": 1, "confidence": 0.98},
		{"name": "documentDate", "category": "document", "value": "2024-05-17", "rawValue": "17.05.2024", "type": "date", "page": 1, "confidence": 0.96},
		{"name": "grossAmount", "category": "amounts", "value": 1190.0, "rawValue": "1.190,00", "type": "number", "page": 1, "confidence": 0.95},
		{"name": "currencyCode", "category": "amounts", "value": "EUR", "rawValue": "EUR", "type": "string", "page": 1, "confidence": 0.99},
		{"name": "senderName", "category": "sender", "value": "Muster Bürobedarf GmbH", "rawValue": "Muster Bürobedarf GmbH", "type": "string", "page": 1, "confidence": 0.91},
	},
	"lineItems": [][]map[string]any{{
		{"name": "description", "value": "Toner cartridge", "type": "string", "page": 1, "confidence": 0.93},
		{"name": "quantity", "value": 10.0, "type": "number", "page": 1, "confidence": 0.97},
		{"name": "netAmount", "value": 1000.0, "type": "number", "page": 1, "confidence": 0.94},
	}},
}
