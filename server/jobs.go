package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/doxapi"
)

// WaitForJob is the command that waits for a DOX job (docs/dox-api.md).
const WaitForJob = "doxls.waitForJob"

// Backoff of waitForJob: SAP's client polls no faster than every 0.2 s.
const (
	firstPoll = 200 * time.Millisecond
	maxPoll   = 5 * time.Second
)

// jobID is the id of a GET …/document/jobs/<id> request, or "". The
// service names jobs by UUID; other ids (a {{variable}} left unresolved, a
// number in a test file) get no lens and no call.
func jobID(req *httpfile.Request) string {
	if !strings.EqualFold(req.Method, "GET") {
		return ""
	}
	u := req.URL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	_, id, ok := strings.Cut(u, doxapi.Base+"/document/jobs/")
	if !ok || !isUUID(id) {
		return ""
	}
	return id
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// jobLenses are the status lenses of the GET …/document/jobs/<id>
// requests of doc that go to the key's hosts (rule).
func (s *Server) jobLenses(ctx context.Context, doc commands.Document, key *auth.ServiceKey, rule httpfile.Rule) []protocol.CodeLens {
	uri := string(doc.URI)
	reqs := doc.Source().Document().Requests
	var ids []string
	lines := map[int]string{}
	for i := range reqs {
		if id := jobID(&reqs[i]); id != "" {
			if ok, _ := rule.Allows(&reqs[i]); !ok {
				continue
			}
			ids = append(ids, id)
			lines[reqs[i].Line] = id
		}
	}
	if len(ids) == 0 {
		return nil
	}
	states := s.dox.Jobs(ctx, s.doxTarget(key), ids)
	lenses := make([]protocol.CodeLens, 0, len(ids))
	for i := range reqs {
		id, ok := lines[reqs[i].Line]
		if !ok {
			continue
		}
		line := uint32(reqs[i].Line)
		lenses = append(lenses, protocol.CodeLens{
			Range: protocol.Range{Start: protocol.Position{Line: line}, End: protocol.Position{Line: line}},
			Command: &protocol.Command{
				Title: jobTitle(states[id]), Command: WaitForJob,
				Arguments: []any{jobArgs{URI: uri, Line: reqs[i].Line}},
			},
		})
	}
	return lenses
}

func jobTitle(st doxapi.JobState) string {
	switch {
	case !st.Known:
		return "DOX job · wait for the result"
	case st.Err != nil:
		return "DOX job: " + st.Err.Error()
	case st.Job.Status == doxapi.StatusDone:
		return fmt.Sprintf("DOX job DONE · %d fields", len(st.Job.Extraction.HeaderFields))
	}
	return "DOX job " + st.Job.Status
}

// jobArgs are the arguments of a job lens's command.
type jobArgs struct {
	URI  string `json:"uri"`
	Line int    `json:"line"`
}

// jobResult is the answer of doxls.waitForJob.
type jobResult struct {
	ID           string                  `json:"id"`
	Status       string                  `json:"status"`
	DocumentType string                  `json:"documentType"`
	Fields       []doxapi.ExtractedField `json:"fields"`
}

// waitForJob polls a job with backoff until it is DONE or FAILED.
func (s *Server) waitForJob(ctx context.Context, args []json.RawMessage) (any, error) {
	var a struct {
		URI  protocol.DocumentURI `json:"uri"`
		Line *int                 `json:"line"`
		ID   string               `json:"id"`
	}
	if len(args) > 1 {
		return nil, &commands.Error{Code: commands.CodeInvalidParams, Message: WaitForJob + ": arguments are one object"}
	}
	if len(args) == 1 {
		if err := json.Unmarshal(args[0], &a); err != nil {
			return nil, &commands.Error{Code: commands.CodeInvalidParams, Message: WaitForJob + ": arguments: " + err.Error()}
		}
	}
	if err := s.waitDiscovery(ctx); err != nil {
		return nil, err
	}
	key, err := s.keys.Get("")
	if err != nil {
		return nil, &commands.Error{Code: commands.CodeRequestFailed, Message: err.Error()}
	}
	id := a.ID
	if id == "" {
		if a.URI == "" || a.Line == nil {
			return nil, &commands.Error{Code: commands.CodeInvalidParams, Message: WaitForJob + ` needs {"uri", "line"} or {"id"}`}
		}
		doc, ok := s.docs.Get(a.URI)
		if !ok {
			return nil, &commands.Error{Code: commands.CodeInvalidParams, Message: WaitForJob + ": " + string(a.URI) + " is not open"}
		}
		req, _, ok := s.doxRequest(doc, *a.Line)
		if ok {
			id = jobID(req)
		}
		if id == "" {
			return nil, &commands.Error{Code: commands.CodeInvalidParams, Message: fmt.Sprintf("%s: line %d is not a GET …/document/jobs/<id> request to the key's API host", WaitForJob, *a.Line+1)}
		}
	}
	var job doxapi.Job
	err = s.jobProgress(ctx, "DOX job "+id, func(ctx context.Context, report func(string)) error {
		delay := firstPoll
		for poll := 1; ; poll++ {
			j, err := s.dox.Job(ctx, s.doxTarget(key), id)
			if err != nil {
				return err
			}
			job = j
			if j.Final() {
				return nil
			}
			report(fmt.Sprintf("%s (poll %d)", j.Status, poll))
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			delay = min(delay*3/2, maxPoll)
		}
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, context.Canceled // -32800, whoever cancelled
		}
		return nil, &commands.Error{Code: commands.CodeRequestFailed, Message: err.Error()}
	}
	fields := job.Extraction.HeaderFields
	if fields == nil {
		fields = []doxapi.ExtractedField{}
	}
	return jobResult{ID: id, Status: job.Status, DocumentType: job.DocumentType, Fields: fields}, nil
}

// jobProgress runs fn under work-done progress when the client supports
// it; fn reports each poll. The user can cancel it from the progress
// (window/workDoneProgress/cancel) as well as by $/cancelRequest.
func (s *Server) jobProgress(ctx context.Context, title string, fn func(ctx context.Context, report func(string)) error) error {
	s.mu.Lock()
	can := s.caps.progress
	s.mu.Unlock()
	if !can {
		return fn(ctx, func(string) {})
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	token := "doxls-job-" + hex.EncodeToString(b[:])
	if err := s.conn.Call(ctx, "window/workDoneProgress/create", map[string]string{"token": token}, nil); err != nil {
		s.log.Debug("progress refused", zap.Error(err))
		return fn(ctx, func(string) {})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	if s.jobWaits == nil {
		s.jobWaits = map[string]context.CancelFunc{}
	}
	s.jobWaits[token] = cancel
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.jobWaits, token)
		s.mu.Unlock()
	}()
	s.sendProgress(token, map[string]any{"kind": "begin", "title": title, "cancellable": true, "message": "waiting"})
	err := fn(ctx, func(msg string) { s.sendProgress(token, map[string]any{"kind": "report", "message": msg}) })
	s.sendProgress(token, map[string]any{"kind": "end"})
	return err
}

// cancelJobProgress is window/workDoneProgress/cancel.
func (s *Server) cancelJobProgress(_ context.Context, raw json.RawMessage) error {
	var p struct {
		Token json.RawMessage `json:"token"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("window/workDoneProgress/cancel: %w", err)
	}
	var token string
	_ = json.Unmarshal(p.Token, &token) // our tokens are strings; others are not ours
	s.mu.Lock()
	cancel := s.jobWaits[token]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return nil
}
