package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/reporter/site"
	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/spec"
)

type siteOptions struct {
	f      *Factory
	g      *globalOptions
	out    string
	pr     int
	format string
	fetch  bool
}

func newSiteCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &siteOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "site --out DIR [--pr N] [--fetch] [--format text|json]",
		Short: "Write the results branch as a static web site",
		Long: `Write the results branch as a static site into DIR: a home page (each
experiment's latest result on the default branch, nightly trends, what
changed recently, open drift), a page per experiment (configs tried, best
configs with their seeds, curves, a sweep's parallel coordinates, its
history), a page per pull request (its interactive report, the one its
comment summarises), a page per run, and a search over every run in the
--where and --sort language of assay ls, evaluated in the browser.

The site needs no server: open DIR/index.html from disk, serve DIR with any
web server, or deploy it with GitHub Pages (the companion workflow
.github/workflows/site.yml does; see docs/ui.md). Pages load nothing from
elsewhere.

Rankings and summaries count the default branch's runs: runs of commits on
it, and runs of pull requests whose trials its specs now name. Runs of
other pull requests and branches appear on their pull request's page and
in the search behind a filter, never as an experiment's best.

DIR is replaced as a whole. It must be new, empty, or a site assay wrote;
anything else is refused, so no other files are lost. It reads the local
copy of the results branch; --fetch brings it up to date first. With --pr N
only pull request N's report is written, as DIR/pr-N.html: what a workflow
keeps as an artifact where GitHub Pages is off.`,
		Example: `  assay site --out site
  python3 -m http.server -d site 8000     # then open http://localhost:8000
  assay site --fetch --out site --format json
  assay site --out report --pr 42`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("site takes no arguments, got %q; name the folder with --out", strings.Join(args, " "))
			}
			if strings.TrimSpace(opts.out) == "" {
				return usageErrorf("--out needs a folder to write the site into, such as --out site")
			}
			if cmd.Flags().Changed("pr") && opts.pr <= 0 {
				return usageErrorf("--pr needs a pull request number, such as --pr 42")
			}
			if err := checkFormat(opts.format, "text", "json"); err != nil {
				return err
			}
			return runSite(opts)
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", "write the site into `DIR` (replaced as a whole)")
	cmd.Flags().IntVar(&opts.pr, "pr", 0, "write only pull request `N`'s report, as DIR/pr-N.html")
	cmd.Flags().StringVar(&opts.format, "format", "text", "output format: `text` or json")
	cmd.Flags().BoolVar(&opts.fetch, "fetch", false, "fetch the results branch from the remote first")
	return cmd
}

// siteJSON is what --format json prints.
type siteJSON struct {
	Out           string `json:"out"`
	DefaultBranch string `json:"default_branch"`
	// Report is the page --pr wrote.
	Report       string   `json:"report,omitempty"`
	Runs         int      `json:"runs"`
	Experiments  int      `json:"experiments"`
	PullRequests int      `json:"pull_requests"`
	RunDetails   int      `json:"run_details"`
	Files        int      `json:"files"`
	Bytes        int64    `json:"bytes"`
	Warnings     int      `json:"unreadable_records"`
	Notes        []string `json:"notes"`
	Seconds      float64  `json:"seconds"`
}

func runSite(opts *siteOptions) error {
	f := opts.f
	start := time.Now()
	ws, err := findWorkspace(f.Dir)
	if err != nil {
		return err
	}
	vv, err := varValues(f, opts.g)
	if err != nil {
		return err
	}
	out := opts.out
	if !filepath.IsAbs(out) {
		out = filepath.Join(f.Dir, out)
	}
	// The working tree's specs give the results store's settings; the
	// default branch's give the goals pages judge by.
	project, diags := spec.Load(ws.fsys, spec.LoadOptions{Vars: vv})
	if diags.HasErrors() {
		printDiagnostics(f, project.Files, diags)
		fmt.Fprintln(f.IO.ErrOut, "assay site: the specs have errors; metrics are shown without goals until they are fixed.")
	}
	store, err := results.OpenForProject(ws.root, project.Settings, f.Getenv)
	if err != nil {
		return err
	}
	if opts.fetch {
		fetchResults(f, store)
	}
	so := site.Options{
		Store: store, Specs: project.Experiments, Project: filepath.Base(ws.root),
		Generated: "assay site " + version + ", " + time.Now().UTC().Format("2006-01-02 15:04 UTC"),
	}
	var notes []string
	if repo, err := gitrepo.Open(ws.root); err == nil {
		defer repo.Close()
		branch, tipProject, n := defaultBranchView(f, ws, repo, vv)
		so.Branch, notes = branch, n
		if tipProject != nil {
			so.Specs = tipProject.Experiments
		}
	}
	doc := siteJSON{Out: opts.out, DefaultBranch: so.Branch.Label(), Notes: notes}
	if doc.Notes == nil {
		doc.Notes = []string{}
	}
	if opts.pr > 0 {
		p, err := site.BuildPR(out, opts.pr, so)
		if err != nil {
			return err
		}
		doc.Report = filepath.Join(opts.out, filepath.Base(p))
	} else {
		sum, err := site.Build(out, so)
		if err != nil {
			return err
		}
		doc.Runs, doc.Experiments, doc.PullRequests, doc.RunDetails = sum.Runs, sum.Experiments, sum.PRs, sum.Details
		doc.Files, doc.Bytes, doc.Warnings = sum.Files, sum.Bytes, sum.Warnings
	}
	doc.Seconds = time.Since(start).Seconds()
	if opts.format == "json" {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	for _, n := range notes {
		fmt.Fprintf(f.IO.ErrOut, "assay site: note: %s\n", n)
	}
	if doc.Report != "" {
		fmt.Fprintf(f.IO.Out, "Wrote the report of pull request #%d to %s\n", opts.pr, doc.Report)
		return nil
	}
	fmt.Fprintf(f.IO.Out, "Wrote the site of %s (%s, %s, %s; ranked on %s) to %s: %s, %s\n",
		plural(doc.Runs, "run"), plural(doc.Experiments, "experiment"), plural(doc.PullRequests, "pull request"),
		plural(doc.RunDetails, "run page")+" with curves", doc.DefaultBranch, opts.out, plural(doc.Files, "file"), humanBytes(doc.Bytes))
	if doc.Warnings > 0 {
		fmt.Fprintf(f.IO.ErrOut, "assay site: %s on the results branch could not be read and are left out (assay ls lists them)\n", plural(doc.Warnings, "record"))
	}
	fmt.Fprintf(f.IO.Out, "Open %s in a browser, or serve the folder.\n", filepath.Join(opts.out, "index.html"))
	return nil
}
