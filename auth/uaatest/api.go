package uaatest

import "net/http"

// APIRequest is one call the DOX API stub received.
type APIRequest struct {
	Method, Path string
	Authorized   bool     // a valid, unexpired token of this emulator
	Parts        []string // multipart form part names, for uploads
}

type job struct{}

// APIRequests lists the calls the DOX API stub received.
func (s *Server) APIRequests() []APIRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]APIRequest(nil), s.apiCalls...)
}

func (s *Server) apiHandler() http.Handler { return http.NotFoundHandler() }
