package fakegithub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// MaxBodyChars is GitHub's limit on the body of a comment or an issue, in
// characters.
const MaxBodyChars = 65536

// ActionsBot is the author of everything the Actions GITHUB_TOKEN writes.
const ActionsBot = "github-actions[bot]"

// Server is a running fake GitHub. Create it with New; it stops, and
// checks its expectations, when the test ends.
type Server struct {
	t      testing.TB
	srv    *httptest.Server
	prefix string
	now    func() time.Time

	mu       sync.Mutex
	accounts map[string]*account
	repos    map[string]*Repo
	exps     map[string]*Expectation
	order    []string
	calls    []Call
	surprise []string
	nextID   int64
	rate     rateState
}

// account is who a token acts as.
type account struct {
	login string
	// actions marks the Actions GITHUB_TOKEN: an installation token that
	// cannot read /user.
	actions bool
}

// Call is one request the server answered.
type Call struct {
	// Route is the matched route, such as CreateComment, or the method and
	// path of a call no route matched.
	Route  string
	Method string
	// Path is the request path without the API prefix, with its query.
	Path   string
	Body   []byte
	Status int
}

// Option configures New.
type Option func(*Server)

// WithAPIPrefix serves the API under prefix, as GitHub Enterprise Server
// does under /api/v3; the default serves it at the root, as api.github.com
// does.
func WithAPIPrefix(prefix string) Option {
	return func(s *Server) { s.prefix = "/" + strings.Trim(prefix, "/") + "/" }
}

// WithClock sets the clock that timestamps and rate-limit resets read;
// time.Now by default.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// New starts a fake GitHub on a random localhost port. At the end of the
// test it stops and fails the test for every unexpected call, every call
// beyond an expectation's Times, and every expectation not met.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		t: t, prefix: "/", now: time.Now,
		accounts: map[string]*account{},
		repos:    map[string]*Repo{},
		exps:     map[string]*Expectation{},
		nextID:   1000,
	}
	for _, o := range opts {
		o(s)
	}
	s.rate = rateState{limit: 5000, remaining: 5000, reset: s.now().Add(time.Hour)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fakegithub: listen: %v", err)
	}
	s.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(s.serve)}}
	s.srv.Start()
	t.Cleanup(s.finish)
	return s
}

// URL is the API base, with a trailing slash: what GITHUB_API_URL holds.
func (s *Server) URL() string { return s.srv.URL + s.prefix }

// WebURL is the server's web root, what GITHUB_SERVER_URL holds.
func (s *Server) WebURL() string { return s.srv.URL }

// AddToken lets token act as login.
func (s *Server) AddToken(token, login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[token] = &account{login: login}
}

// AddActionsToken lets token act as the Actions GITHUB_TOKEN: GET /user
// answers 403, and what it writes is by github-actions[bot].
func (s *Server) AddActionsToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[token] = &account{login: ActionsBot, actions: true}
}

// Calls returns every request answered so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the calls matched to route.
func (s *Server) CallsTo(route string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Route == route {
			out = append(out, c)
		}
	}
	return out
}

// finish stops the server and reports what went wrong with expectations.
func (s *Server) finish() {
	s.srv.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.surprise {
		s.t.Errorf("fakegithub: unexpected call %s", u)
	}
	for _, route := range s.order {
		e := s.exps[route]
		switch {
		case e.calls < e.min:
			s.t.Errorf("fakegithub: expected %s %s, got %d", route, e.want(), e.calls)
		case e.max >= 0 && e.calls > e.max:
			s.t.Errorf("fakegithub: expected %s %s, got %d", route, e.want(), e.calls)
		case len(e.faults) > 0:
			s.t.Errorf("fakegithub: %s: %d queued faults never answered", route, len(e.faults))
		}
	}
}

func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

// request is one call as handlers see it.
type request struct {
	r      *http.Request
	params map[string]string
	body   []byte
	who    *account
	// base is the absolute API base of this request, for URLs in answers.
	base string
}

func (q *request) query(name string) string { return q.r.URL.Query().Get(name) }

// response is what a handler answers.
type response struct {
	status int
	header http.Header
	body   any
}

func reply(status int, body any) response { return response{status: status, body: body} }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	call := Call{Method: r.Method, Path: strings.TrimPrefix(r.URL.RequestURI(), strings.TrimSuffix(s.prefix, "/")), Body: body}
	resp := s.dispatch(r, body, &call)
	call.Status = resp.status
	s.calls = append(s.calls, call)
	s.write(w, resp)
}

func (s *Server) dispatch(r *http.Request, body []byte, call *Call) response {
	route, h, params := s.match(r)
	if route == "" {
		call.Route = r.Method + " " + r.URL.Path
		s.surprise = append(s.surprise, call.Route+" (no such route in fakegithub)")
		return reply(http.StatusNotFound, apiError("Not Found"))
	}
	call.Route = route
	e := s.exps[route]
	if e == nil {
		s.surprise = append(s.surprise, fmt.Sprintf("%s %s (register it with Expect(%q))", r.Method, r.URL.RequestURI(), route))
		return reply(http.StatusNotImplemented, apiError("fakegithub: unexpected call to "+route))
	}
	e.calls++
	if len(e.faults) > 0 {
		f := e.faults[0]
		e.faults = e.faults[1:]
		return f.response(s.now())
	}
	q := &request{r: r, params: params, body: body, base: "http://" + r.Host + s.prefix}
	if !isWebRoute(route) {
		who, resp, ok := s.authenticate(r)
		if !ok {
			return resp
		}
		q.who = who
	}
	return h(s, q)
}

// authenticate resolves the request's token, answering 401 as GitHub does
// for a missing or unknown one.
func (s *Server) authenticate(r *http.Request) (*account, response, bool) {
	auth := r.Header.Get("Authorization")
	token := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(auth, "Bearer "), "token "))
	a := s.accounts[token]
	if token == "" || a == nil {
		return nil, reply(http.StatusUnauthorized, apiError("Bad credentials")), false
	}
	return a, response{}, true
}

func (s *Server) write(w http.ResponseWriter, resp response) {
	h := w.Header()
	for k, vs := range resp.header {
		h[k] = vs
	}
	if h.Get("X-RateLimit-Limit") == "" {
		s.rate.spend(s.now())
		s.rate.headers(h)
	}
	if raw, ok := resp.body.([]byte); ok {
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "text/plain; charset=utf-8")
		}
		w.WriteHeader(resp.status)
		w.Write(raw)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	if resp.body == nil {
		w.WriteHeader(resp.status)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(resp.body)
	w.WriteHeader(resp.status)
	w.Write(buf.Bytes())
}

// apiError is GitHub's error document.
func apiError(msg string) map[string]any {
	return map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest"}
}

// validationFailed is GitHub's 422 document for one bad field.
func validationFailed(resource, field, code, msg string) response {
	return reply(http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed",
		"errors": []map[string]any{{
			"resource": resource, "field": field, "code": code, "message": msg,
		}},
		"documentation_url": "https://docs.github.com/rest",
	})
}

// Expectation is a route a test expects to be called, how often, and the
// faults its first calls answer with.
type Expectation struct {
	s        *Server
	route    string
	min, max int
	faults   []Fault
	calls    int
}

// Expect registers route as expected: by default at least once. Calling
// it again for the same route returns the same expectation.
func (s *Server) Expect(route string) *Expectation {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := routeTable[route]; !ok {
		s.t.Fatalf("fakegithub: no route %q; routes: %s", route, strings.Join(Routes(), ", "))
	}
	if e := s.exps[route]; e != nil {
		return e
	}
	e := &Expectation{s: s, route: route, min: 1, max: -1}
	s.exps[route] = e
	s.order = append(s.order, route)
	return e
}

// Times expects exactly n calls, faults included.
func (e *Expectation) Times(n int) *Expectation {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	e.min, e.max = n, n
	return e
}

// AtLeast expects n or more calls.
func (e *Expectation) AtLeast(n int) *Expectation {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	e.min, e.max = n, -1
	return e
}

// Fail queues faults: the next calls of the route answer with them, in
// order, before the route's real handler answers again.
func (e *Expectation) Fail(faults ...Fault) *Expectation {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	e.faults = append(e.faults, faults...)
	return e
}

func (e *Expectation) want() string {
	switch {
	case e.max == e.min:
		return fmt.Sprintf("exactly %d calls", e.min)
	default:
		return fmt.Sprintf("at least %d calls", e.min)
	}
}

// Routes lists every route the server knows, sorted.
func Routes() []string {
	out := make([]string, 0, len(routeTable))
	for r := range routeTable {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}
