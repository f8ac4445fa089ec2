package site

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/assaylab/assay/reporter/drift"
	"github.com/assaylab/assay/reporter/pages"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/reporter/web"
	"github.com/assaylab/assay/spec"
)

// Defaults of a site.
const (
	// DefaultCurves is how many of each experiment's best configs get
	// curves on its page.
	DefaultCurves = 5
	// DefaultMaxRunDetails bounds the runs whose curves and log tail the
	// site keeps for their run pages, besides those behind the best
	// configs' curves: the newest runs get them.
	DefaultMaxRunDetails = 2000
)

// Store is what a site is built from: the results branch's index, its
// runs and the pull requests' reports. *results.Store satisfies it.
type Store interface {
	Index() (*results.Index, error)
	Run(prefix string) (*results.RunDetail, error)
	Reports() ([]results.ReportFile, error)
	ReadReport(f results.ReportFile, w io.Writer) error
}

// Options shape a site.
type Options struct {
	Store Store
	// Specs are the default branch's experiments: goals, the primary
	// metric, schedules (for drift).
	Specs []*spec.Experiment
	// Branch says which runs rank and summarise; nil counts every run.
	Branch *pages.Branch
	// Project names the repository in page titles.
	Project string
	// Generated says what made the site and when, in every footer.
	Generated string
	// Curves is how many best configs per experiment get curves;
	// DefaultCurves when 0, none when negative.
	Curves int
	// MaxRunDetails bounds the newest runs whose curves and log the site
	// keeps; DefaultMaxRunDetails when 0, none when negative.
	MaxRunDetails int
	// ChunkRuns is how many runs one file of the run index holds;
	// DefaultChunkRuns when 0.
	ChunkRuns int
	// Drift is the rule open drift is judged by (the zero value is
	// assay report --nightly's).
	Drift drift.Rule
	// Logf reports what the build left out; nothing when nil.
	Logf func(format string, args ...any)
}

// Summary is what a build wrote.
type Summary struct {
	Runs, Experiments, PRs int
	// Details counts the runs whose curves and log the site keeps.
	Details int
	Files   int
	Bytes   int64
	// Warnings are records on the branch that could not be read.
	Warnings int
}

// marker is the file that says a folder holds a site assay wrote, so a
// rebuild may replace it.
const marker = ".assay-site"

// Build writes the site of the results branch into dir: it is built
// beside dir and then put in its place, so a folder being served never
// shows half a site. dir must not exist, be empty, or hold a site assay
// wrote; anything else is refused, so no one's files are lost.
func Build(dir string, opts Options) (*Summary, error) {
	return build(dir, opts, func(b *builder) error { return b.all() })
}

// BuildPR writes pull request pr's report, as the site's page of it
// shows it, into dir as pr-<N>.html: what a workflow uploads as an
// artifact where GitHub Pages is off.
func BuildPR(dir string, pr int, opts Options) (string, error) {
	name := fmt.Sprintf("pr-%d.html", pr)
	_, err := build(dir, opts, func(b *builder) error {
		reports, err := b.latestReports()
		if err != nil {
			return err
		}
		f, ok := reports[pr]
		if !ok {
			return fmt.Errorf("the results branch has no report of pull request #%d: `assay report` writes it when it reports on the pull request", pr)
		}
		return b.copyReport(name, f)
	})
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

func build(dir string, opts Options, write func(*builder) error) (*Summary, error) {
	if opts.Store == nil {
		return nil, errors.New("site: no results store")
	}
	if err := web.Check(); err != nil {
		return nil, err
	}
	if err := checkOut(dir); err != nil {
		return nil, err
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("writing the site beside %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp)
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	// Pages are rendered on several goroutines: they share the store
	// and the log in turns.
	opts.Store = &lockedStore{s: opts.Store}
	var logMu sync.Mutex
	logf := opts.Logf
	opts.Logf = func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		logf(format, args...)
	}
	t, err := templates()
	if err != nil {
		return nil, err
	}
	b := &builder{opts: opts, root: tmp, t: t, dirs: map[string]bool{}, sum: &Summary{}}
	if err := write(b); err != nil {
		return nil, err
	}
	if err := b.file(marker, []byte("This folder is a site `assay site` wrote; the next build replaces it.\n")); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("replacing the site at %s: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("putting the site at %s: %w", dir, err)
	}
	return b.sum, nil
}

// checkOut refuses a folder that holds anything but a site assay wrote.
func checkOut(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	if len(ents) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, marker)); err == nil {
		return nil
	}
	return fmt.Errorf("%s is not empty and holds no site assay wrote; give a new or empty folder (assay site replaces the whole folder)", dir)
}

// builder writes one site. Its methods may be called from several
// goroutines at once.
type builder struct {
	opts Options
	root string
	t    *template.Template

	mu   sync.Mutex // guards dirs and sum
	dirs map[string]bool
	sum  *Summary
}

// file writes data at the site-relative path p.
func (b *builder) file(p string, data []byte) error {
	full := filepath.Join(b.root, filepath.FromSlash(p))
	d := filepath.Dir(full)
	b.mu.Lock()
	if !b.dirs[d] {
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.mu.Unlock()
			return err
		}
		b.dirs[d] = true
	}
	b.mu.Unlock()
	if err := os.WriteFile(full, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	b.mu.Lock()
	b.sum.Files++
	b.sum.Bytes += int64(len(data))
	b.mu.Unlock()
	return nil
}

// page renders a page template at p, depth folders below the top.
func (b *builder) page(p, name string, pg *pages.Page) error {
	var buf bytes.Buffer
	if err := pages.Render(&buf, b.t, name, pg); err != nil {
		return fmt.Errorf("rendering %s: %w", p, err)
	}
	return b.file(p, buf.Bytes())
}

// frame fills what every page of the site shares.
func (b *builder) frame(title string, depth int, nav string) *pages.Page {
	l := pages.SiteLinks(depth)
	items := []pages.NavItem{
		{Label: "Experiments", Href: l.Home(), Current: nav == "home"},
		{Label: "Search", Href: l.Root + "search.html", Current: nav == "search"},
		{Label: "Pull requests", Href: l.Root + "prs.html", Current: nav == "prs"},
	}
	return &pages.Page{
		Title: title, Project: b.opts.Project, Links: l, Nav: items, CSP: ContentSecurityPolicy,
		Generator: "assay site", Footer: b.opts.Generated, Note: "results of " + b.opts.Branch.Label(),
	}
}

// ContentSecurityPolicy is every site page's policy: scripts, styles and
// images from the site itself (and images as data: URIs), nothing else,
// no requests from scripts. It holds from file:// too.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'none'; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"

// all writes the whole site. The pages are independent, so they are
// rendered on every core: first the home page, the pull requests' pages
// and the experiments' pages (which read the runs behind their curves),
// then the newest runs' details, then the run index, which names the
// detail file of each run.
func (b *builder) all() error {
	start := time.Now()
	idx, err := b.opts.Store.Index()
	if err != nil {
		return fmt.Errorf("reading the results branch: %w", err)
	}
	b.sum.Runs, b.sum.Warnings = len(idx.Entries), len(idx.Warnings)
	reports, err := b.latestReports()
	if err != nil {
		return err
	}
	det := newDetails(b)
	byExp := map[string][]*results.Entry{}
	var names []string
	for _, e := range idx.Entries {
		if byExp[e.Experiment] == nil {
			names = append(names, e.Experiment)
		}
		byExp[e.Experiment] = append(byExp[e.Experiment], e)
	}
	sort.Strings(names)
	specs := map[string]*spec.Experiment{}
	for _, s := range b.opts.Specs {
		specs[s.Name] = s
	}
	curves := b.opts.Curves
	if curves == 0 {
		curves = DefaultCurves
	}
	reported := map[int]bool{}
	for n := range reports {
		reported[n] = true
	}
	// The home page goes over every run, the longest single page: it
	// starts first. The experiments follow in name order.
	tasks := []func() error{
		func() error {
			home := pages.BuildHome(pages.HomeInput{
				Entries: idx.Entries, Specs: b.opts.Specs, Branch: b.opts.Branch, Reports: reported,
				Warnings: len(idx.Warnings), Drift: b.opts.Drift,
			})
			pg := b.frame("Experiments", 0, "home")
			pg.Body = home
			return b.page("index.html", "home", pg)
		},
		func() error {
			if err := writeAssets(b); err != nil {
				return err
			}
			prs, err := b.prPages(idx.Entries, reports)
			b.mu.Lock()
			b.sum.PRs = len(prs)
			b.mu.Unlock()
			return err
		},
		func() error {
			for _, shell := range []struct{ path, name, title, nav string }{
				{"search.html", "search", "Search runs", "search"},
				{"run.html", "run-page", "Run", ""},
			} {
				pg := b.frame(shell.title, 0, shell.nav)
				pg.Charts = shell.name == "run-page"
				pg.Scripts = []string{"query.js", "site.js"}
				if err := b.page(shell.path, shell.name, pg); err != nil {
					return err
				}
			}
			return nil
		},
	}
	for _, name := range names {
		tasks = append(tasks, func() error { return b.experiment(name, byExp[name], specs[name], curves, det) })
	}
	if err := forEach(len(tasks), func(i int) error { return tasks[i]() }); err != nil {
		return err
	}
	b.sum.Experiments = len(names)
	maxDetails := b.opts.MaxRunDetails
	if maxDetails == 0 {
		maxDetails = DefaultMaxRunDetails
	}
	det.newest(idx.Entries, maxDetails)
	if err := det.write(); err != nil {
		return err
	}
	b.sum.Details = len(det.file)
	reportNums := make([]int, 0, len(reports))
	for n := range reports {
		reportNums = append(reportNums, n)
	}
	sort.Ints(reportNums)
	x := newRunIndex(idx.Entries, b.opts.Branch, det.file, b.opts.ChunkRuns, reportNums)
	if err := forEach(len(x.man.Chunks), func(i int) error { return b.file(chunkFile(i), x.chunk(i)) }); err != nil {
		return err
	}
	man, err := x.manifestJS()
	if err != nil {
		return err
	}
	if err := b.file("data/runs/manifest.js", man); err != nil {
		return err
	}
	b.opts.Logf("assay site: %d runs, %d experiments, %d pull requests in %s", b.sum.Runs, b.sum.Experiments, b.sum.PRs, time.Since(start).Round(time.Millisecond))
	return nil
}

// experiment writes an experiment's page.
func (b *builder) experiment(name string, entries []*results.Entry, sp *spec.Experiment, curves int, det *details) error {
	links := pages.SiteLinks(1)
	v, data := pages.BuildExperiment(pages.ExperimentInput{
		Name: name, Entries: entries, Spec: sp, Branch: b.opts.Branch, Series: det.series, Curves: max(curves, 0),
	}, links)
	js, err := pages.DataJS(data)
	if err != nil {
		return fmt.Errorf("encoding the charts of %s: %w", name, err)
	}
	pg := b.frame(name, 1, "")
	pg.Data, pg.Charts, pg.Body = js, true, v
	return b.page("experiments/"+pages.FileName(name)+".html", "experiment-page", pg)
}
