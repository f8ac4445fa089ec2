// Package ui is `assay ui`: a read-only local web server over the results
// branch. It has four pages: a runs explorer with the same --where
// language as `assay ls`, an experiment page (history of the primary
// metric, best configs, curves), a compare page for any two commits or
// pull requests (the HTML report's views, built from recorded runs), and
// a run page.
//
// Decisions the issue left open, made here:
//
//   - Read-only means the server answers GET and HEAD only, reads
//     through the results store, and never fetches, commits or pushes; a
//     user runs `git fetch` (or `assay sync`) and reloads.
//   - It binds 127.0.0.1 by default. While it listens on a loopback
//     address it answers only requests whose Host is a loopback name, so
//     a web page elsewhere cannot reach it through DNS rebinding.
//   - Every page is html/template (contextual auto-escaping); data for
//     charts is JSON in <script type="application/json">, read with
//     JSON.parse. The Content-Security-Policy allows scripts and styles
//     only from the server itself, never inline, and no framing.
//   - A compare side is the runs recorded from one commit (a prefix of
//     at least 4 hex digits), from a pull request's latest commit ("#12"
//     or "pr:12"), or from what a branch or tag names when the command
//     wires a resolver. Trials a commit reused from an earlier one were
//     not run there and are not part of its side. Metric goals come from
//     the working tree's specs; a metric no spec declares is shown, not
//     judged. With Options.Artifacts the compare page embeds the headline
//     runs' PNG and SVG files within the HTML report's budget.
package ui

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/assaylab/assay/reporter/pages"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/reporter/web"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

// ContentSecurityPolicy is sent with every page: scripts and styles from
// this server only, no inline script, no plugins, no framing, and forms
// that submit only here.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Store is what the UI reads: the results branch's index and its runs.
// *results.Store satisfies it.
type Store interface {
	Index() (*results.Index, error)
	Run(prefix string) (*results.RunDetail, error)
}

// ArtifactReader lists a run's files as they stand and reads one of
// them (html.Source's Artifacts and ReadArtifact).
type ArtifactReader interface {
	Files(r *runner.Result) ([]runner.ArtifactFile, error)
	Read(r *runner.Result, f runner.ArtifactFile, w io.Writer) error
}

// Options configure a Server.
type Options struct {
	Store Store
	// Specs are the working tree's experiments, for metric goals and the
	// primary metric; an experiment without one ranks by its first
	// metric and judges nothing.
	Specs []*spec.Experiment
	// Resolve turns a branch or tag a user typed on the compare page
	// into a commit id; nil accepts commit prefixes and PRs only.
	Resolve func(ref string) (string, error)
	// Project names the repository in page titles.
	Project string
	// Branch says which runs an experiment's page ranks and summarises:
	// the default branch's. Runs of pull requests and other branches
	// are listed apart and behind the history's legend. Nil counts every
	// run.
	Branch *pages.Branch
	// Artifacts, when set, gives each compare page a reader of runs'
	// files, and the page shows the image artifacts of each experiment's
	// headline runs, base beside head, as the HTML report does. A fresh
	// reader per page sees uploads that completed since the last.
	Artifacts func() ArtifactReader
	// Logf reports failed requests; log.Printf when nil.
	Logf func(format string, args ...any)
}

// Server is the UI's http.Handler.
type Server struct {
	opts  Options
	t     *template.Template
	mux   *http.ServeMux
	specs map[string]*spec.Experiment
	// allowHost decides whether a request's Host may be answered; nil
	// allows every host.
	allowHost func(host string) bool
	// pages serialises the pages that read the store: the results store,
	// its git repository and the artifact readers are not safe for
	// concurrent use, and one person's browser asks for a page at a time.
	pages sync.Mutex
}

// New returns the UI over opts.Store.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("ui: no results store")
	}
	if opts.Logf == nil {
		opts.Logf = log.Printf
	}
	// The layout and the experiment page are the site's (reporter/pages):
	// one renderer for the UI, the site and the report's charts.
	t, err := pages.Templates()
	if err != nil {
		return nil, err
	}
	if t, err = t.ParseFS(templateFiles, "templates/*.tmpl"); err != nil {
		return nil, err
	}
	s := &Server{opts: opts, t: t, mux: http.NewServeMux(), specs: map[string]*spec.Experiment{}}
	for _, e := range opts.Specs {
		s.specs[e.Name] = e
	}
	s.mux.Handle("GET /assets/", http.StripPrefix("/assets", web.Handler()))
	s.mux.HandleFunc("GET /{$}", s.oneAtATime(s.runsPage))
	s.mux.HandleFunc("GET /experiments/{name}", s.oneAtATime(s.experimentPage))
	s.mux.HandleFunc("GET /compare", s.oneAtATime(s.comparePage))
	s.mux.HandleFunc("GET /runs/{id}", s.oneAtATime(s.runPage))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "There is no page at "+r.URL.Path+".", "Start from the runs explorer.")
	})
	return s, nil
}

// LoopbackOnly makes the server answer only requests addressed to a
// loopback name (localhost, 127.0.0.1, ::1) on port: what it must do
// while it listens on a loopback address.
func (s *Server) LoopbackOnly(port string) {
	s.allowHost = func(host string) bool {
		h, p, err := net.SplitHostPort(host)
		if err != nil {
			h, p = host, ""
		}
		if p != "" && p != port {
			return false
		}
		h = strings.Trim(h, "[]")
		if strings.EqualFold(h, "localhost") {
			return true
		}
		ip := net.ParseIP(h)
		return ip != nil && ip.IsLoopback()
	}
}

// oneAtATime runs page under s.pages.
func (s *Server) oneAtATime(page http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.pages.Lock()
		defer s.pages.Unlock()
		page(w, r)
	}
}

// ServeHTTP answers GET and HEAD, with the security headers on every
// response.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if s.allowHost != nil && !s.allowHost(r.Host) {
		http.Error(w, "assay ui answers only on localhost: this request was addressed to "+r.Host, http.StatusMisdirectedRequest)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "assay ui is read-only: "+r.Method+" is not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// render writes a page: the template named name inside the shared
// layout, with the UI's navigation (nav names the current item: "runs"
// or "compare").
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *pages.Page, nav string) {
	p.Project = s.opts.Project
	p.Links = pages.ServerLinks
	p.Nav = []pages.NavItem{
		{Label: "Runs", Href: "/", Current: nav == "runs"},
		{Label: "Compare", Href: "/compare", Current: nav == "compare"},
	}
	p.Note = "read-only view of the results branch"
	p.Generator, p.Footer = "assay ui", "assay ui"
	p.Charts = true
	var buf bytes.Buffer
	if err := pages.Render(&buf, s.t, name, p); err != nil {
		s.opts.Logf("assay ui: rendering %s: %v", r.URL.Path, err)
		http.Error(w, "assay ui could not render this page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// failure is the error page's view: what happened and what to do.
type failure struct {
	Status      int
	What, Hint  string
	RetryAction string
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, what, hint string) {
	if status >= 500 {
		s.opts.Logf("assay ui: %s: %s", r.URL.Path, what)
	}
	s.render(w, r, status, "error", &pages.Page{Title: http.StatusText(status), Body: failure{Status: status, What: what, Hint: hint}}, "")
}

// index reads the results branch's index, or answers with why it cannot.
func (s *Server) index(w http.ResponseWriter, r *http.Request) (*results.Index, bool) {
	idx, err := s.opts.Store.Index()
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The results branch cannot be read: "+err.Error(),
			"Check the repository with git fsck, or fetch the branch again.")
		return nil, false
	}
	return idx, true
}

func shortCommit(c string) string {
	if len(c) > 7 {
		return c[:7]
	}
	return c
}

func num(v float64) string { return fmt.Sprintf("%.4g", v) }

func duration(s float64) string {
	return (time.Duration(s * float64(time.Second))).Round(time.Second).String()
}
