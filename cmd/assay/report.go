package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/drift"
	"github.com/assaylab/assay/reporter/github"
	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/pages"
	"github.com/assaylab/assay/reporter/render"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

type reportOptions struct {
	f *Factory
	g *globalOptions

	pr            int
	base, head    string
	nightly       bool
	dryRun        bool
	format        string
	githubTimeout time.Duration
	// siteURL and runURL say where the comment's interactive report
	// link points (--site-url, --artifact-url).
	siteURL, artifactURL string
	// retry is the retry policy's clock; tests replace it.
	retry github.RetryPolicy
}

func newReportCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &reportOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "report [--pr N] [--nightly] [--dry-run]",
		Short: "Post the comparison to the pull request, or nightly drift to issues",
		Long: `Compare a pull request's base and head from the results branch and publish it:
one sticky comment on the pull request (edited in place on every run), the
full report on the results branch at reports/pr-<N>/<head-sha>.md, and the
commit status "assay" on the head commit: success, failure (a significant
regression beyond tolerance) or error (runs failed or results missing).

With --nightly, compare each scheduled experiment's latest night with its
earlier scheduled runs, and open, update or close one issue per drifting
experiment (label assay:drift).

GitHub is configured the GitHub Actions way: GITHUB_TOKEN, GITHUB_REPOSITORY,
GITHUB_API_URL (the REST base, used as is, for GitHub Enterprise Server) and
GITHUB_EVENT_PATH (the pull request's number, base and head). --dry-run
prints what would be sent and sends nothing; with --base and --head it
needs neither a token nor a pull request.

The comment's "Interactive report" link points at the pull request's page
on the results site with --site-url (what assay site writes and the
reusable workflow deploys with GitHub Pages), or at the workflow run that
keeps the report as an artifact with --artifact-url.`,
		Example: `  assay report                      # inside a pull_request workflow
  assay report --pr 42 --dry-run
  assay report --dry-run --base main --head HEAD   # preview the comment
  assay report --site-url https://acme.github.io/resnet   # link the PR's page on the site
  assay report --nightly            # inside a scheduled workflow`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("report takes no arguments, got %q", strings.Join(args, " "))
			}
			if err := checkFormat(opts.format, "text", "json"); err != nil {
				return err
			}
			if opts.nightly && (opts.pr != 0 || opts.base != "" || opts.head != "") {
				return usageErrorf("--nightly reports on scheduled runs, not on a pull request; drop --pr, --base and --head")
			}
			if opts.siteURL != "" && opts.artifactURL != "" {
				return usageErrorf("--site-url and --artifact-url both say where the interactive report is: give one")
			}
			for _, u := range []string{opts.siteURL, opts.artifactURL} {
				if u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
					return usageErrorf("%q is not a web address: give one that starts with https://", u)
				}
			}
			if opts.pr < 0 {
				return usageErrorf("--pr %d: give a pull request number", opts.pr)
			}
			if opts.githubTimeout <= 0 {
				return usageErrorf("--github-timeout %s: give a positive duration such as 5m", opts.githubTimeout)
			}
			if opts.nightly {
				return runNightlyReport(opts)
			}
			return runReport(opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&opts.pr, "pr", 0, "report on pull request `N` (default: the workflow's pull request)")
	fl.StringVar(&opts.base, "base", "", "compare from `REF` (default: the pull request's base)")
	fl.StringVar(&opts.head, "head", "", "compare to `REF` (default: the pull request's head)")
	fl.BoolVar(&opts.nightly, "nightly", false, "open, update or close drift issues from scheduled runs")
	fl.BoolVar(&opts.dryRun, "dry-run", false, "print the comment and status (or issues) instead of sending them")
	fl.StringVar(&opts.format, "format", "text", "output format: `text` or json")
	fl.DurationVar(&opts.githubTimeout, "github-timeout", github.DefaultRetryTimeout, "keep retrying GitHub for at most `DURATION`")
	fl.StringVar(&opts.siteURL, "site-url", "", "link the interactive report on the results site at `URL` (its page is URL/pr/N.html; see assay site)")
	fl.StringVar(&opts.artifactURL, "artifact-url", "", "link the interactive report at `URL`, the workflow run that keeps it as an artifact (where GitHub Pages is off)")
	return cmd
}

// reportGitHub reads the GitHub configuration, and makes a client when a
// token is set or required.
func reportGitHub(opts *reportOptions, required bool) (github.Config, *github.Client, error) {
	cfg, err := github.ConfigFromEnv(opts.f.Getenv)
	if err != nil {
		return cfg, nil, err
	}
	if !required && (cfg.Token == "" || cfg.Owner == "") {
		return cfg, nil, nil
	}
	p := opts.retry
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	p.Deadline = now().Add(opts.githubTimeout)
	p.Notify = func(msg string) { fmt.Fprintf(opts.f.IO.ErrOut, "assay: %s\n", msg) }
	client, err := github.NewClient(cfg, p)
	return cfg, client, err
}

func runReport(opts *reportOptions) error {
	f := opts.f
	ctx := f.Context
	ws, err := findWorkspace(f.Dir)
	if err != nil {
		return err
	}
	cfg, err := github.ConfigFromEnv(f.Getenv)
	if err != nil {
		return err
	}
	var ev *github.Event
	if cfg.EventPath != "" {
		if ev, err = github.ReadEvent(cfg.EventPath, cfg.EventName); err != nil {
			return err
		}
	}
	pr := opts.pr
	if pr == 0 && ev != nil && ev.PR != nil {
		pr = ev.PR.Number
	}
	// A dry run with both commits given previews the comment without a
	// pull request; anything else needs one to report on.
	preview := pr == 0 && opts.dryRun && opts.base != "" && opts.head != ""
	if pr == 0 && !preview {
		return usageErrorf("no pull request to report on: pass --pr N, or run inside a pull_request workflow, whose event (GITHUB_EVENT_PATH) names it; " +
			"to preview the comment without one, pass --dry-run --base REF --head REF")
	}
	_, client, err := reportGitHub(opts, !opts.dryRun)
	if err != nil {
		return err
	}
	base, head, err := reportRefs(ctx, opts, ev, client, pr)
	if err != nil {
		return err
	}
	rc, err := reportComparison(opts, ws, base, head, pr)
	if err != nil {
		return err
	}
	c, store := rc.comparison, rc.store
	files := &runFiles{f: f, store: store, spoolDir: rc.spoolDir}
	md, err := render.RenderMarkdown(c, render.MarkdownOptions{Artifacts: files.links(c, rc.input)})
	if err != nil {
		return err
	}
	pub := &github.Publisher{Client: client}
	if rs, ok := any(store).(github.ReportStore); ok && store != nil {
		owner, repo := cfg.ResultsRepository(rc.resultsRepo)
		branch := strings.TrimPrefix(store.Branch(), "refs/heads/")
		pub.Store = rs
		pub.ReportURL = func(path string) string { return cfg.BlobURL(owner, repo, branch, path) }
		switch {
		case opts.siteURL != "" && pr > 0:
			pub.InteractiveURL = strings.TrimRight(opts.siteURL, "/") + "/" + pages.PRPath(pr)
			pub.InteractiveNote = "curves, sweeps, every run on the results site"
		case opts.artifactURL != "":
			pub.InteractiveURL = opts.artifactURL
			pub.InteractiveNote = "in this workflow run's artifacts"
		}
		switch {
		case preview:
			fmt.Fprintln(f.IO.ErrOut, "note: a preview without a pull request links to no full report: it is kept under the pull request's number (pass --pr N to see the links)")
		case owner == "":
			fmt.Fprintln(f.IO.ErrOut, "note: GITHUB_REPOSITORY is not set, so the comment links to no full report; set it to owner/name to see the links")
		}
	} else {
		fmt.Fprintln(f.IO.ErrOut, "warning: this results store cannot keep reports, so the comment links to no full report")
	}
	report := github.PRReport{
		PR: pr, HeadSHA: rc.headSHA, Report: github.ReportFromMarkdown(md), Full: md.String(),
		Status: github.CommitStatus{State: string(c.Result), Description: c.Description},
	}
	if pub.Store != nil {
		var page bytes.Buffer
		src := html.Source{Input: rc.input, Series: html.RecordedSeries(store, rc.spoolDir), Artifacts: files.Files, ReadArtifact: files.Read}
		if err := html.RenderComparison(&page, c, src, html.Options{Generated: "assay " + version}); err != nil {
			fmt.Fprintf(f.IO.ErrOut, "warning: the interactive report could not be rendered (%s); the comment links to the markdown report only\n", err)
		} else {
			report.HTML = page.Bytes()
		}
	}
	if opts.dryRun {
		return printReportDryRun(opts, pub.Prepare(report))
	}
	done, err := pub.Publish(ctx, report)
	if err != nil {
		return err
	}
	return printReportDone(opts, done)
}

// reportRefs decides what to compare: the flags, else the event's pull
// request when it is the one reported on, else the pull request as the
// API reads it.
func reportRefs(ctx context.Context, opts *reportOptions, ev *github.Event, client *github.Client, pr int) (string, string, error) {
	base, head := opts.base, opts.head
	if base != "" && head != "" {
		return base, head, nil
	}
	var from *github.PullRequest
	if ev != nil && ev.PR != nil && ev.PR.Number == pr && ev.PR.HeadSHA != "" {
		from = ev.PR
	} else if client != nil {
		p, err := client.PullRequest(ctx, pr)
		if err != nil {
			return "", "", err
		}
		from = p
	} else {
		return "", "", fmt.Errorf("cannot tell what pull request #%d compares: set GITHUB_TOKEN and GITHUB_REPOSITORY so assay can ask GitHub, or pass --base and --head", pr)
	}
	if base == "" {
		base = from.BaseSHA
	}
	if head == "" {
		head = from.HeadSHA
	}
	return base, head, nil
}

// reportCompared is a pull request's comparison and where it came from.
type reportCompared struct {
	comparison *compare.Comparison
	// headSHA is the commit the status is set on.
	headSHA string
	store   *results.Store
	// resultsRepo is project { results_repo }, for the report's link.
	resultsRepo string
	// input and spoolDir feed the interactive report's curves and images
	// and the comment's artifact links.
	input    *compare.Input
	spoolDir string
}

// reportComparison plans base against head from git and compares them
// with the runs on the results branch.
func reportComparison(opts *reportOptions, ws *workspace, base, head string, pr int) (*reportCompared, error) {
	f := opts.f
	vv, err := varValues(f, opts.g)
	if err != nil {
		return nil, err
	}
	repo, err := gitrepo.Open(ws.root)
	if errors.Is(err, gitrepo.ErrNotRepository) {
		return nil, fmt.Errorf("%s is not in a git repository: assay report reads base and head from git and results from the results branch", ws.root)
	}
	if err != nil {
		return nil, err
	}
	plan, diags, err := runner.BuildPlan(f.Context, repo, runner.PlanOptions{
		ProjectDir: ws.root, Base: base, Head: head, Getenv: f.Getenv, Vars: vv, Artifacts: artifactSource(f, ws),
	})
	if err != nil {
		return nil, err
	}
	printDiagnostics(f, plan.HeadProject.Files, diags)
	if diags.HasErrors() {
		return nil, silentError
	}
	if plan.Head.Commit == "" || plan.Head.Kind != runner.SideCommit {
		return nil, fmt.Errorf("the head to report on must be a commit (the status is set on it), not the %s; pass --head", plan.Head)
	}
	store, _, err := reportResults(opts, ws, plan.HeadProject)
	if err != nil {
		return nil, err
	}
	runs, err := loadRuns(store, spool.StateDir(repo.Root()))
	if err != nil {
		return nil, err
	}
	if err := replayFrom(plan, historyFor(store, spool.StateDir(repo.Root()))); err != nil {
		return nil, err
	}
	in := compareInput(&compareOptions{f: f, g: opts.g, base: base}, plan, runs)
	if err := unreadableCompared(store, in); err != nil {
		return nil, err
	}
	in.PR = pr
	c, err := compare.Compare(in)
	if err != nil {
		return nil, err
	}
	return &reportCompared{comparison: c, headSHA: plan.Head.Commit, store: store, resultsRepo: plan.HeadProject.Settings.ResultsRepo,
		input: &in, spoolDir: filepath.Join(spool.StateDir(repo.Root()), "spool")}, nil
}

// reportResults opens the results branch, brings it up to date when the
// remote answers, and reads its index.
func reportResults(opts *reportOptions, ws *workspace, p *spec.Project) (*results.Store, *results.Index, error) {
	f := opts.f
	store, err := results.OpenForProject(ws.root, p.Settings, f.Getenv)
	if err != nil {
		return nil, nil, err
	}
	if err := store.Fetch(f.Context); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "warning: %v; reporting from the local copy of %s\n", err, strings.TrimPrefix(store.Branch(), "refs/heads/"))
	}
	idx, err := store.Index()
	if err != nil {
		return nil, nil, err
	}
	return store, idx, nil
}

func printReportDryRun(opts *reportOptions, pub *github.Publication) error {
	w := opts.f.IO.Out
	if opts.format == "json" {
		return writeReportJSON(opts, pub)
	}
	on := fmt.Sprintf("on #%d", pub.PR)
	if pub.PR == 0 {
		on = "preview, for no pull request"
	}
	fmt.Fprintf(w, "--- comment %s (%d of %d characters) ---\n%s", on, pub.Fitted.Length, github.MaxCommentChars, pub.Body)
	fmt.Fprintf(w, "--- status %s of %s: %s ---\n%s\n", github.StatusContext, pub.HeadSHA, pub.Status.State, pub.Status.Description)
	if pub.ReportPath != "" {
		fmt.Fprintf(w, "--- full report: %s ---\n", pub.ReportPath)
	}
	fmt.Fprintln(opts.f.IO.ErrOut, "Nothing was sent (--dry-run).")
	return nil
}

func printReportDone(opts *reportOptions, pub *github.Publication) error {
	if opts.format == "json" {
		return writeReportJSON(opts, pub)
	}
	w := opts.f.IO.Out
	fmt.Fprintf(w, "Comment on #%d %s: %s\n", pub.PR, pub.Comment.Action, pub.Comment.URL)
	if pub.Comment.Removed > 0 {
		fmt.Fprintf(w, "Removed %s of it.\n", plural(pub.Comment.Removed, "duplicate"))
	}
	fmt.Fprintf(w, "Status %s of %s: %s: %s\n", github.StatusContext, pub.HeadSHA[:min(len(pub.HeadSHA), 12)], pub.Status.State, pub.Status.Description)
	if pub.ReportPath != "" {
		fmt.Fprintf(w, "Full report: %s\n", pub.ReportURL)
	}
	if pub.Fitted.Shortened() {
		fmt.Fprintf(w, "The comment is shortened to fit GitHub's limit (%d of %d characters).\n", pub.Fitted.Length, github.MaxCommentChars)
	}
	return nil
}

func writeReportJSON(opts *reportOptions, v any) error {
	enc := json.NewEncoder(opts.f.IO.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// nightlyReport is what --nightly prints as JSON.
type nightlyReport struct {
	Findings []drift.Finding      `json:"findings"`
	Actions  []github.DriftAction `json:"actions"`
}

func runNightlyReport(opts *reportOptions) error {
	f := opts.f
	ws, err := findWorkspace(f.Dir)
	if err != nil {
		return err
	}
	project, err := loadProject(f, opts.g, ws, nil)
	if err != nil {
		return err
	}
	_, client, err := reportGitHub(opts, !opts.dryRun)
	if err != nil {
		return err
	}
	store, _, err := reportResults(opts, ws, project)
	if err != nil {
		return err
	}
	runs, err := loadRuns(store, spool.StateDir(ws.root))
	if err != nil {
		return err
	}
	byExperiment := map[string][]drift.Observation{}
	runs.each(func(rs []*runner.Result) {
		for _, r := range rs {
			if r.Trigger == runner.TriggerSchedule && r.Status == runner.StatusSucceeded {
				byExperiment[r.Experiment] = append(byExperiment[r.Experiment], drift.Observation{Params: r.Params, Started: r.Started, Metrics: r.Metrics, Batch: r.Batch})
			}
		}
	})
	var rule drift.Rule
	var findings []drift.Finding
	for _, e := range project.Experiments {
		if e.Schedule == "" {
			continue
		}
		var metrics []drift.Metric
		for _, m := range e.Metrics {
			metrics = append(metrics, drift.Metric{Name: m.Name, Goal: m.Goal, Tolerance: m.Tolerance})
		}
		findings = append(findings, rule.Evaluate(e.Name, drift.BuildSeries(e.Name, metrics, byExperiment[e.Name])))
	}
	if len(findings) == 0 {
		fmt.Fprintln(f.IO.ErrOut, "No experiment has a schedule, so there is no drift to report.")
	}
	out := nightlyReport{Findings: findings, Actions: []github.DriftAction{}}
	if !opts.dryRun {
		acts, err := client.SyncDrift(f.Context, findings, rule)
		out.Actions = append(out.Actions, acts...)
		if err != nil {
			printNightly(opts, out)
			return err
		}
	}
	return printNightly(opts, out)
}

func printNightly(opts *reportOptions, out nightlyReport) error {
	if opts.format == "json" {
		return writeReportJSON(opts, out)
	}
	w := opts.f.IO.Out
	action := map[string]github.DriftAction{}
	for _, a := range out.Actions {
		action[a.Experiment] = a
	}
	rows := make([][]string, 0, len(out.Findings))
	for _, fd := range out.Findings {
		a, ok := action[fd.Experiment]
		act, where := "-", ""
		if ok {
			act, where = a.Action, a.URL
		} else if opts.dryRun {
			act = "(dry run)"
		}
		night := fd.Night
		if night == "" {
			night = "-"
		}
		rows = append(rows, []string{fd.Experiment, night, fd.Verdict, act, where})
	}
	if len(rows) > 0 {
		if err := writeTable(w, []string{"experiment", "night", "verdict", "issue", "url"}, rows); err != nil {
			return err
		}
	}
	if opts.dryRun {
		var rule drift.Rule
		for _, fd := range out.Findings {
			if fd.Verdict == drift.Drifting {
				fmt.Fprintf(w, "\n--- issue %q ---\n%s", github.DriftTitle(fd.Experiment), github.DriftIssueBody(fd, rule))
			}
		}
		fmt.Fprintln(opts.f.IO.ErrOut, "Nothing was sent (--dry-run).")
	}
	return nil
}
