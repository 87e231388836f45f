package doxapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultTTL  = time.Minute
	DefaultWait = 300 * time.Millisecond
	// pendingTTL is how long a PENDING job's status is shown before it is
	// asked again.
	pendingTTL = 5 * time.Second
	// maxBody caps what is read of an answer.
	maxBody = 8 << 20
	// clientPage is the limit sent to GET /clients (the Python client's
	// default); at most maxClientPages pages are read.
	clientPage     = 100
	maxClientPages = 10
	// retryAfter spaces fetches after a failure.
	retryAfter = 10 * time.Second
	// lensFetches bounds the job fetches one Jobs call starts.
	lensFetches = 32
)

// Target is the DOX instance of one service key.
type Target struct {
	Key    string // the cache key: one per service key and its credentials
	APIURL string // the key's API URL (endpoints.backend.url, else url)
	// Token returns the key's access token; it may block (a token fetch).
	Token func(ctx context.Context) (string, error)
}

// Options configure a Service; zero values take the defaults.
type Options struct {
	HTTP *http.Client
	TTL  time.Duration // how long data counts as fresh (DefaultTTL)
	Wait time.Duration // the longest a caller waits (DefaultWait)
	Now  func() time.Time
	// Refreshed, when set, is called after new data for a key arrived
	// (so that diagnostics computed without it can be redone).
	Refreshed func(key string)
}

// Service reads and caches the DOX API of any number of keys. Its
// background fetches end when Close is called.
type Service struct {
	http      *http.Client
	ttl, wait time.Duration
	now       func() time.Time
	refreshed func(string)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	slots  chan struct{} // bounds concurrent job fetches

	mu      sync.Mutex
	entries map[string]*entry
	jobs    map[string]map[string]*jobEntry // by Target.Key, then job id
}

// entry is the cached Data of one key.
type entry struct {
	data    Data
	fetched time.Time // zero until the first success
	err     error     // of the last fetch
	tried   time.Time // when the last fetch ended
	running chan struct{}
	said    bool // the reason for missing data was returned once
}

type jobEntry struct {
	job     Job
	err     error
	fetched time.Time
	running chan struct{}
}

// New returns a Service.
func New(o Options) *Service {
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	hc := *o.HTTP
	// A redirect could carry the token to another host: never follow one.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Wait <= 0 {
		o.Wait = DefaultWait
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{
		http: &hc, ttl: o.TTL, wait: o.Wait, now: o.Now, refreshed: o.Refreshed,
		ctx: ctx, cancel: cancel, slots: make(chan struct{}, 4),
		entries: map[string]*entry{}, jobs: map[string]map[string]*jobEntry{},
	}
}

// Close stops background fetches and waits for them.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// Lookup returns what the key's instance offers: fresh data at once;
// stale data at once while a refresh runs in the background; with nothing
// cached, whatever a fetch brings within the wait budget (or ctx). reason
// says why data is missing or old; it is returned once per failure, so a
// caller can show it without repeating itself.
func (s *Service) Lookup(ctx context.Context, t Target) (data Data, reason string) {
	if err := checkURL(t.APIURL); err != nil {
		return Data{}, s.once(t.Key, err)
	}
	s.mu.Lock()
	e := s.entries[t.Key]
	if e == nil {
		e = &entry{}
		s.entries[t.Key] = e
	}
	fresh := !e.fetched.IsZero() && s.now().Sub(e.fetched) < s.ttl
	retry := e.err == nil || s.now().Sub(e.tried) >= retryAfter
	if !fresh && retry && e.running == nil {
		s.refresh(t, e)
	}
	running, known := e.running, !e.fetched.IsZero()
	s.mu.Unlock()
	if !known && running != nil {
		timer := time.NewTimer(s.wait)
		defer timer.Stop()
		select {
		case <-running:
		case <-timer.C:
		case <-ctx.Done():
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case e.err != nil:
		return e.data, s.sayLocked(e, e.err.Error())
	case e.fetched.IsZero():
		return e.data, s.sayLocked(e, fmt.Sprintf("the DOX API at %s did not answer within %d ms; completion offers paths only until it does", host(t.APIURL), s.wait.Milliseconds()))
	}
	return e.data, ""
}

// once is sayLocked for a key without a usable URL.
func (s *Service) once(key string, err error) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[key]
	if e == nil {
		e = &entry{}
		s.entries[key] = e
	}
	return s.sayLocked(e, err.Error())
}

func (s *Service) sayLocked(e *entry, reason string) string {
	if e.said {
		return ""
	}
	e.said = true
	return reason
}

// refresh starts a background fetch of e; the caller holds s.mu.
func (s *Service) refresh(t Target, e *entry) {
	done := make(chan struct{})
	e.running = done
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		data, err := s.fetch(s.ctx, t)
		s.mu.Lock()
		if err == nil {
			e.data, e.fetched, e.said = data, s.now(), false
		} else if e.err == nil || e.err.Error() != err.Error() {
			e.said = false // a new failure is worth one message
		}
		e.err, e.tried, e.running = err, s.now(), nil
		s.mu.Unlock()
		close(done)
		if err == nil && s.refreshed != nil {
			s.refreshed(t.Key)
		}
	}()
}

// fetch reads clients and capabilities.
func (s *Service) fetch(ctx context.Context, t Target) (Data, error) {
	var d Data
	if err := s.get(ctx, t, "/capabilities", &d.Capabilities); err != nil {
		return Data{}, err
	}
	var err error
	d.Clients, err = s.Clients(ctx, t)
	return d, err
}

// Clients reads the clients of the instance now, without the cache.
func (s *Service) Clients(ctx context.Context, t Target) ([]Client, error) {
	var out []Client
	for page := range maxClientPages {
		var body struct {
			Payload []Client `json:"payload"`
		}
		q := "/clients?limit=" + strconv.Itoa(clientPage) + "&offset=" + strconv.Itoa(page*clientPage)
		if err := s.get(ctx, t, q, &body); err != nil {
			return nil, err
		}
		out = append(out, body.Payload...)
		if len(body.Payload) < clientPage {
			break
		}
	}
	return out, nil
}

// Job reads one job now, without the cache's budget, and files it for
// Jobs.
func (s *Service) Job(ctx context.Context, t Target, id string) (Job, error) {
	if !validID(id) {
		return Job{}, fmt.Errorf("%q is not a DOX job id", id)
	}
	var j Job
	err := s.get(ctx, t, "/document/jobs/"+id, &j)
	if err == nil {
		s.mu.Lock()
		je := s.jobEntryLocked(t.Key, id)
		je.job, je.err, je.fetched = j, nil, s.now()
		s.mu.Unlock()
	}
	return j, err
}

// JobState is what Jobs knows of a job.
type JobState struct {
	Job   Job
	Err   error
	Known bool // false: not fetched yet (still on its way)
}

// Jobs returns the known state of each job id: final states are kept,
// PENDING ones are asked again after a few seconds. Unknown or stale jobs
// are fetched in the background (a bounded number per call); Jobs waits for
// them within the budget and returns what arrived.
func (s *Service) Jobs(ctx context.Context, t Target, ids []string) map[string]JobState {
	out := make(map[string]JobState, len(ids))
	if err := checkURL(t.APIURL); err != nil {
		for _, id := range ids {
			out[id] = JobState{Err: err, Known: true}
		}
		return out
	}
	var waits []chan struct{}
	started := 0
	s.mu.Lock()
	for _, id := range ids {
		if !validID(id) {
			continue
		}
		je := s.jobEntryLocked(t.Key, id)
		stale := je.fetched.IsZero() || (!je.job.Final() && s.now().Sub(je.fetched) >= pendingTTL)
		if stale && je.running == nil && started < lensFetches {
			started++
			s.fetchJob(t, id, je)
		}
		if je.running != nil {
			waits = append(waits, je.running)
		}
	}
	s.mu.Unlock()
	timer := time.NewTimer(s.wait)
	defer timer.Stop()
wait:
	for _, w := range waits {
		select {
		case <-w:
		case <-timer.C:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	jobs := s.jobs[t.Key]
	for _, id := range ids {
		if je := jobs[id]; je != nil && !je.fetched.IsZero() {
			out[id] = JobState{Job: je.job, Err: je.err, Known: true}
		}
	}
	return out
}

// jobEntryLocked is the entry of a job, made on first use; the caller
// holds s.mu.
func (s *Service) jobEntryLocked(key, id string) *jobEntry {
	jobs := s.jobs[key]
	if jobs == nil {
		jobs = map[string]*jobEntry{}
		s.jobs[key] = jobs
	}
	je := jobs[id]
	if je == nil {
		je = &jobEntry{}
		jobs[id] = je
	}
	return je
}

// fetchJob fetches a job in the background; the caller holds s.mu.
func (s *Service) fetchJob(t Target, id string, je *jobEntry) {
	done := make(chan struct{})
	je.running = done
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		var j Job
		err := s.ctx.Err()
		select {
		case s.slots <- struct{}{}:
			err = s.get(s.ctx, t, "/document/jobs/"+id, &j)
			<-s.slots
		case <-s.ctx.Done():
		}
		s.mu.Lock()
		je.job, je.err, je.fetched, je.running = j, err, s.now(), nil
		s.mu.Unlock()
		close(done)
	}()
}

// APIError is an answer other than 2xx.
type APIError struct {
	Status  int
	Message string // the API's error message, if it sent one
}

func (e *APIError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("DOX API: %d %s", e.Status, e.Message)
	}
	return fmt.Sprintf("DOX API: %d %s", e.Status, http.StatusText(e.Status))
}

// get calls the key's API; path is under Base.
func (s *Service) get(ctx context.Context, t Target, path string, into any) error {
	if err := checkURL(t.APIURL); err != nil {
		return err
	}
	token, err := t.Token(ctx)
	if err != nil {
		return fmt.Errorf("DOX API: no token: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(t.APIURL, "/")+Base+path, nil)
	if err != nil {
		return fmt.Errorf("DOX API: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		// url.Error names the URL, which holds no secret; drop the Go
		// wrapping for one readable line.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("DOX API at %s: %w", host(t.APIURL), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("DOX API at %s: %w", host(t.APIURL), err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		return &APIError{Status: resp.StatusCode, Message: oneLine(e.Error.Message)}
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("DOX API at %s: %s is not the JSON expected: %w", host(t.APIURL), strings.SplitN(path, "?", 2)[0], err)
	}
	return nil
}

// checkURL is the host rule for doxls's own calls: the key's API URL, over
// https, or plain http to loopback (tests, local emulators).
func checkURL(api string) error {
	u, err := url.Parse(api)
	if err != nil || u.Host == "" {
		return errors.New("the service key has no usable API URL (endpoints.backend.url or url)")
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("the service key's API URL %s is not https: doxls sends its token over https only", u.Host)
}

func isLoopback(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func host(api string) string {
	if u, err := url.Parse(api); err == nil && u.Host != "" {
		return u.Host
	}
	return "the key's API URL"
}

// validID keeps a job id to one path segment: ids are UUIDs, and a
// stranger's file must not steer the call elsewhere on the host.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
