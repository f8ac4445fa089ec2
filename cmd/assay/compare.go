package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/assaylab/assay/reporter/artifacts"
	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/render"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/runner/spool"
)

type compareOptions struct {
	f           *Factory
	g           *globalOptions
	base, head  string
	experiments []string
	format      string
	fetch       bool
}

func newCompareCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &compareOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "compare [--base REF] [--head REF] [--format table|markdown|json|html]",
		Short: "Compare the results of base and head, with statistics",
		Long: `Compare the recorded results of every experiment that changed between a
base and a head, selected as assay plan selects them.

Configs (a trial without its seed) pair by identical params; an experiment
with one config on each side pairs even when its params changed, and a
changed config is tested against the one it replaced. A sweep's headline
row is the mean change over its paired configs, each against the same
params at base. Each metric shows mean ± sd over seeds (diverged seeds set
aside), the delta, and Welch's t-test p-value adjusted for the number of
tests the comparison makes (Holm for headlines, Benjamini–Hochberg for
configs); "~" marks no significant change. The verdict follows the
metric's goal and tolerance: a significant change against the goal larger
than the tolerance is a regression. docs/compare.md states how often each
verdict is wrong.

Results are read from the results branch and from runs still in the local
spool (after assay run, before they are recorded). Trials with no result
are listed with the command that produces them.

The result line says what the commit status will say: success, failure (a
significant regression beyond tolerance) or error (runs failed or results
are missing). assay compare itself exits 0 whenever it could compare.`,
		Example: `  assay compare
  assay compare --base main --head HEAD
  assay compare --format markdown > report.md
  assay compare --format json | jq '.experiments[] | {name, verdict}'
  assay compare --format html > report.html`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("compare takes no arguments, got %q; name experiments with --experiment", strings.Join(args, " "))
			}
			if err := checkFormat(opts.format, "table", "markdown", "json", "html"); err != nil {
				return err
			}
			return runCompare(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.base, "base", "", "compare against `REF` (default: merge-base of the head with the default branch)")
	fl.StringVar(&opts.head, "head", "", "compare the commit `REF` (default: the working tree)")
	fl.StringArrayVar(&opts.experiments, "experiment", nil, "only experiments whose name matches `GLOB` (repeatable)")
	fl.StringVar(&opts.format, "format", "table", "output format: `table`, markdown, json or html (one self-contained file)")
	fl.BoolVar(&opts.fetch, "fetch", false, "fetch the results branch from the remote first")
	return cmd
}

func runCompare(opts *compareOptions) error {
	f := opts.f
	ws, err := findWorkspace(f.Dir)
	if err != nil {
		return err
	}
	vv, err := varValues(f, opts.g)
	if err != nil {
		return err
	}
	repo, err := gitrepo.Open(ws.root)
	if errors.Is(err, gitrepo.ErrNotRepository) {
		return fmt.Errorf("%s is not in a git repository: assay compare reads base and head from git and results from the results branch; run git init and commit the specs first", ws.root)
	}
	if err != nil {
		return err
	}
	plan, diags, err := runner.BuildPlan(f.Context, repo, runner.PlanOptions{
		ProjectDir: ws.root, Base: opts.base, Head: opts.head, Getenv: f.Getenv,
		Experiments: opts.experiments, Vars: vv, Artifacts: artifactSource(f, ws),
	})
	if err != nil {
		return err
	}
	// Diagnostics go to stderr (and Actions annotations too, not to
	// stdout): stdout holds the report.
	df := &Factory{IO: &IOStreams{Out: f.IO.ErrOut, ErrOut: f.IO.ErrOut, errTTY: f.IO.errTTY, noColor: f.IO.noColor}, Getenv: f.Getenv}
	printDiagnostics(df, plan.HeadProject.Files, diags)
	if diags.HasErrors() {
		fmt.Fprintf(f.IO.ErrOut, "The specs at the head (%s) have %s; nothing was compared.\n", plan.Head, plural(countErrors(diags), "error"))
		return silentError
	}
	printDiagnostics(df, plan.HeadProject.Files, plan.Warnings)

	store, err := results.OpenForProject(ws.root, plan.HeadProject.Settings, f.Getenv)
	if err != nil {
		return err
	}
	if opts.fetch {
		if err := store.Fetch(f.Context); err != nil {
			return fmt.Errorf("%w; compare without --fetch to use the results already here", err)
		}
	}
	runs, err := loadRuns(store, spool.StateDir(repo.Root()))
	if err != nil {
		return err
	}
	if err := replayFrom(plan, historyFor(store, spool.StateDir(repo.Root()))); err != nil {
		return err
	}
	in := compareInput(opts, plan, runs)
	if err := unreadableCompared(store, in); err != nil {
		return err
	}
	c, err := compare.Compare(in)
	if err != nil {
		return err
	}
	spoolDir := filepath.Join(spool.StateDir(repo.Root()), "spool")
	files := &runFiles{f: f, store: store, spoolDir: spoolDir}
	switch opts.format {
	case "html":
		src := html.Source{Input: &in, Series: html.RecordedSeries(store, spoolDir), Artifacts: files.Files, ReadArtifact: files.Read}
		return html.RenderComparison(f.IO.Out, c, src, html.Options{Generated: "assay " + version})
	case "json":
		return render.RenderJSON(f.IO.Out, c)
	case "markdown":
		md, err := render.RenderMarkdown(c, render.MarkdownOptions{Artifacts: files.links(c, &in)})
		if err != nil {
			return err
		}
		_, err = io.WriteString(f.IO.Out, md.String())
		return err
	}
	return render.RenderTable(f.IO.Out, c, render.TableOptions{Color: f.IO.ColorOut()})
}

// compareInput hands the plan's changed experiments to the comparison.
func compareInput(opts *compareOptions, plan *runner.Plan, runs *recordedRuns) compare.Input {
	in := compare.Input{
		Base: refOf(plan.Base), Head: refOf(plan.Head),
		Lookup: runs.lookup, LogTail: runs.logTail,
		RunHead: rerunCommand("assay run", opts), RunBase: rerunCommand("assay run --baseline", opts),
	}
	for _, e := range plan.Experiments {
		if e.Status == runner.ExperimentUnchanged {
			continue
		}
		ei := compare.ExperimentInput{Name: e.Name, Status: string(e.Status), Changes: []compare.Change{}}
		if e.Base != nil {
			ei.Base = &compare.SideInput{Spec: e.Base, Trials: e.BaseTrials}
		}
		if e.Head != nil {
			ei.Head = &compare.SideInput{Spec: e.Head, Trials: e.HeadTrials}
		}
		for _, ch := range e.Changes {
			ei.Changes = append(ei.Changes, compare.Change{Field: ch.Field, Path: ch.Path, Base: ch.Base, Head: ch.Head})
		}
		in.Experiments = append(in.Experiments, ei)
	}
	return in
}

// rerunCommand is the command that produces missing results for this
// comparison's selection.
func rerunCommand(cmd string, opts *compareOptions) string {
	if opts.base != "" {
		cmd += " --base " + shellQuote(opts.base)
	}
	for _, e := range opts.experiments {
		cmd += " --experiment " + shellQuote(e)
	}
	return cmd
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./~^@:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func refOf(s runner.Side) compare.Ref {
	name := s.Rev
	switch {
	case s.Kind == runner.SideWorktree:
		// Runs made from the working tree record the commit it sits on:
		// the comparison needs it to tell them from reused ones.
		return compare.Ref{Name: "working tree", Parent: s.Commit}
	case s.Kind == runner.SideNone:
		return compare.Ref{Name: "none"}
	case name == "":
		name = s.Source
	}
	return compare.Ref{Name: name, Commit: s.Commit}
}

// recordedRuns are the runs the comparison can see: those on the results
// branch and those still in the local spool. A comparison looks up the
// few trials a pull request changed among every run the team recorded,
// so a branch run becomes a runner.Result only when its trial is looked
// up (at 100,000 runs, converting them all was a third of a warm compare).
type recordedRuns struct {
	store   *results.Store
	entries map[string][]*results.Entry // branch runs by trial key
	spooled map[string][]*runner.Result // spooled runs by trial key
	// spoolLogs are the spooled runs' log files by run id.
	spoolLogs map[string]string
	looked    map[string][]*runner.Result
}

// lookup is a trial's runs: the branch's in run id order, then the
// spool's.
func (r *recordedRuns) lookup(key string) []*runner.Result {
	if rs, ok := r.looked[key]; ok {
		return rs
	}
	var rs []*runner.Result
	for _, e := range r.entries[key] {
		rs = append(rs, resultOf(e))
	}
	rs = append(rs, r.spooled[key]...)
	r.looked[key] = rs
	return rs
}

// each calls fn with every trial's runs.
func (r *recordedRuns) each(fn func([]*runner.Result)) {
	for key := range r.entries {
		fn(r.lookup(key))
	}
	for key := range r.spooled {
		if _, ok := r.entries[key]; !ok {
			fn(r.lookup(key))
		}
	}
}

func (r *recordedRuns) logTail(res *runner.Result) string {
	if path, ok := r.spoolLogs[res.RunID]; ok {
		return readTail(path, maxLogTail)
	}
	if r.store == nil {
		return ""
	}
	d, err := r.store.Run(res.RunID)
	if err != nil || d.Log == nil {
		return ""
	}
	return string(d.Log)
}

// maxLogTail is how much of a spooled log a failure shows at most, as the
// results branch keeps it for a failed run.
const maxLogTail = 64 << 10

func loadRuns(store *results.Store, stateDir string) (*recordedRuns, error) {
	idx, err := store.Index()
	if err != nil {
		return nil, fmt.Errorf("reading the results branch %s: %w", store.Branch(), err)
	}
	r := &recordedRuns{store: store, entries: make(map[string][]*results.Entry, len(idx.Entries)/2),
		spooled: map[string][]*runner.Result{}, spoolLogs: map[string]string{}, looked: map[string][]*runner.Result{}}
	for _, e := range idx.Entries {
		r.entries[e.TrialKey] = append(r.entries[e.TrialKey], e)
	}
	dir := filepath.Join(stateDir, "spool")
	if _, err := os.Stat(dir); err != nil {
		return r, nil
	}
	sp, err := spool.Open(dir)
	if err != nil {
		return nil, err
	}
	ids, err := sp.List()
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		run, err := sp.Get(id)
		if err != nil {
			continue // half-written or foreign: assay sync reports those
		}
		res := run.Result
		if onBranch(r.entries[res.TrialKey], id) {
			continue // recorded, not yet removed from the spool
		}
		r.spooled[res.TrialKey] = append(r.spooled[res.TrialKey], res)
		r.spoolLogs[id] = run.LogPath
	}
	return r, nil
}

// onBranch reports whether a trial's branch runs include run id.
func onBranch(entries []*results.Entry, id string) bool {
	for _, e := range entries {
		if e.RunID == id {
			return true
		}
	}
	return false
}

func resultOf(e *results.Entry) *runner.Result { return e.Result() }

func readTail(path string, limit int64) string {
	if path == "" {
		return ""
	}
	fh, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return ""
	}
	off := max(info.Size()-limit, 0)
	b := make([]byte, info.Size()-off)
	if _, err := fh.ReadAt(b, off); err != nil && !errors.Is(err, io.EOF) {
		return ""
	}
	return string(b)
}

// runFiles reads the files runs kept, for the reports: each run's
// manifest as it stands, and a file's bytes from the artifact store or,
// where its upload is pending or the store cannot serve it, from the copy
// this machine kept (what assay artifacts get serves), or from the spool
// for a run not recorded yet.
type runFiles struct {
	f        *Factory
	store    *results.Store
	spoolDir string
	// manifests holds each run's files once read: the comment and the
	// HTML report ask for the same runs.
	manifests map[string][]runner.ArtifactFile
	// storeDown is the store's first failure other than a missing or
	// damaged object: later files skip it rather than wait out the same
	// failure (an unreachable server, credentials that take a timeout to
	// refuse) once each.
	storeDown error
}

// Files lists the files run r kept, as they stand.
func (rf *runFiles) Files(r *runner.Result) ([]runner.ArtifactFile, error) {
	if files, ok := rf.manifests[r.RunID]; ok {
		return files, nil
	}
	d, err := rf.store.Run(r.RunID)
	var files []runner.ArtifactFile
	switch {
	case errors.Is(err, results.ErrNoRun) || (err == nil && d.Result.RunID != r.RunID):
		files = r.Manifest // still in the spool: its record carries the manifest
	case err != nil:
		return nil, err
	default:
		if files, _, err = rf.store.RunArtifacts(d); err != nil {
			return nil, err
		}
	}
	if rf.manifests == nil {
		rf.manifests = map[string][]runner.ArtifactFile{}
	}
	rf.manifests[r.RunID] = files
	return files, nil
}

// Read writes the bytes of file a of run r to w.
func (rf *runFiles) Read(r *runner.Result, a runner.ArtifactFile, w io.Writer) error {
	storeErr := rf.storeDown
	if !a.Pending && a.URL != "" && storeErr == nil {
		st, err := rf.store.ArtifactStore(rf.f.Context)
		if err == nil {
			var buf bytes.Buffer
			if err = st.Copy(rf.f.Context, a, &buf); err == nil {
				_, err = w.Write(buf.Bytes())
				return err
			}
		}
		var damaged *artifacts.ChecksumError
		if !errors.Is(err, artifacts.ErrNotInStore) && !errors.As(err, &damaged) {
			rf.storeDown = err
		}
		storeErr = err
	}
	local, err := localArtifactCopy(rf.store, r, a, false)
	if err != nil && rf.spoolDir != "" {
		if run, serr := (&spool.Spool{Dir: rf.spoolDir}).Get(r.RunID); serr == nil && run.ArtifactsDir != "" {
			local, err = filepath.Join(run.ArtifactsDir, filepath.FromSlash(a.Path)), nil
		}
	}
	if err != nil {
		if storeErr != nil {
			return fmt.Errorf("%w, and this machine kept no copy of it", storeErr)
		}
		return err
	}
	in, err := os.Open(local)
	if err != nil {
		return err
	}
	defer in.Close()
	_, err = io.Copy(w, in)
	return err
}

// links are the markdown report's links to the files of each experiment's
// headline runs: only files the project's artifact store holds (their
// recorded URL is its object URL), and only where it gives an address a
// browser opens.
func (rf *runFiles) links(c *compare.Comparison, in *compare.Input) map[string]render.ExperimentArtifacts {
	st, err := rf.store.ArtifactStore(rf.f.Context)
	if err != nil {
		fmt.Fprintf(rf.f.IO.ErrOut, "warning: %v; the report links no artifacts\n", err)
		return nil
	}
	link := func(a runner.ArtifactFile) string {
		if a.URL != st.ObjectURL(a.SHA256) {
			return "" // kept in another store than the one assay.hcl names now
		}
		return st.BrowseURL(a.SHA256)
	}
	out, errs := render.ArtifactLinks(c, in, rf.Files, link)
	for _, err := range errs {
		fmt.Fprintf(rf.f.IO.ErrOut, "warning: %v; the report links none of them\n", err)
	}
	return out
}
