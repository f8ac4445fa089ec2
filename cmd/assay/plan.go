package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/spec"
)

type planOptions struct {
	f *Factory
	g *globalOptions

	base, head     string
	all, scheduled bool
	rerun          bool
	withBaseline   bool
	experiments    []string
	shard          string
	format         string
	maxShards      int
	shardSize      int
	maxShardsSet   bool
	shardSizeSet   bool
	recorded       func(ws *workspace, head *spec.Project) (runner.Recorded, error)
}

func newPlanCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &planOptions{f: f, g: g, recorded: resultsRecorded(f)}
	cmd := &cobra.Command{
		Use:   "plan [--base REF] [--head REF] [--all|--scheduled] [--format table|json|github-matrix]",
		Short: "Show which trials a change touches",
		Long: `Compare the experiments at a base and a head commit and list the trials to run.

The specs are read straight from git objects (no checkout). Each trial's key
covers its resolved command, env, params, seed, runner and the git ids of
what its inputs globs match; an experiment changed iff its set of keys
differs between base and head. Trials whose key already has a succeeded run
are reused, not run again (unless --rerun).

--head defaults to the working tree, uncommitted edits included; --base to
the merge-base of the head with the default branch (origin/HEAD, main or
master). Revisions are anything git rev-parse takes: branches, tags, short
SHAs, HEAD~2. Inside GitHub Actions the event chooses (GITHUB_EVENT_PATH):

  pull_request       the pull request's head against its fork point
  push               the push's after commit against its before commit; when
                     before is unusable (the push created the branch, or a
                     force-push rewrote it) the default branch has no base
                     (every trial without a result runs), another branch
                     its merge-base with the default branch
  workflow_dispatch  on the default branch, no base; elsewhere the merge-base

--with-baseline (on by default in a pull_request run) also plans the base
side: the base commit's trials of modified and removed experiments that
have no succeeded run. They share the matrix with the head's, and assay run
runs them from the base commit's files, so the comparison has both sides.

--format github-matrix prints the JSON a GitHub Actions strategy.matrix
takes: one job per shard, each with runs-on (self-hosted and the trials'
labels) and shard (i/n for assay run --shard). Inside Actions it also writes
the outputs matrix and has_trials to $GITHUB_OUTPUT.

A search (sweep method "tpe", or a sweep with batch and early_stop) is
replayed from the results branch: the plan shows its budget, the rounds
settled, the best point so far and the next round's points, which are a
pure function of the spec and the rounds before (docs/search.md).`,
		Example: `  assay plan
  assay plan --base main~3 --head HEAD
  assay plan --all --format json | jq '.trials[].key'
  assay plan --experiment 'resnet*' --rerun
  assay plan --base main --with-baseline
  assay plan --format github-matrix --max-shards 8
  assay plan --shard 2/5
  assay plan --experiment logreg-tpe --format json | jq '.experiments[].search'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("plan takes no arguments, got %q", strings.Join(args, " "))
			}
			if err := checkFormat(opts.format, "table", "json", "github-matrix"); err != nil {
				return err
			}
			if opts.all && opts.scheduled {
				return usageErrorf("--all and --scheduled select differently; use one")
			}
			opts.maxShardsSet, opts.shardSizeSet = cmd.Flags().Changed("max-shards"), cmd.Flags().Changed("shard-size")
			opts.withBaseline = withBaseline(f, cmd, opts.withBaseline)
			if (opts.maxShardsSet || opts.shardSizeSet) && opts.format != "github-matrix" {
				return usageErrorf("--max-shards and --shard-size shape --format github-matrix")
			}
			if opts.maxShards < 1 || opts.maxShards > runner.MaxMatrixJobs {
				return usageErrorf("--max-shards %d: use 1 to %d (GitHub allows %d jobs in one matrix)", opts.maxShards, runner.MaxMatrixJobs, runner.MaxMatrixJobs)
			}
			if opts.shardSize < 0 {
				return usageErrorf("--shard-size %d: use a positive number of trials, or 0 for no bound", opts.shardSize)
			}
			if opts.shard != "" {
				if _, _, err := runner.ParseShard(opts.shard); err != nil {
					return usageError{err}
				}
				if opts.format == "github-matrix" {
					return usageErrorf("--shard shows one shard; --format github-matrix lists them all")
				}
			}
			return runPlan(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.base, "base", "", "compare against `REF` (default: merge-base of the head with the default branch)")
	fl.StringVar(&opts.head, "head", "", "plan the commit `REF` (default: the working tree)")
	fl.BoolVar(&opts.all, "all", false, "select every experiment, changed or not")
	fl.BoolVar(&opts.scheduled, "scheduled", false, "select the experiments with a schedule, and rerun them")
	fl.BoolVar(&opts.rerun, "rerun", false, "run selected trials even when a run of their key is recorded")
	fl.BoolVar(&opts.withBaseline, "with-baseline", false, withBaselineUsage)
	fl.StringArrayVar(&opts.experiments, "experiment", nil, "only experiments whose name matches `GLOB` (repeatable)")
	fl.StringVar(&opts.shard, "shard", "", "show only shard `I/N` of the plan, as assay run --shard runs it")
	fl.StringVar(&opts.format, "format", "table", "output format: `table`, json or github-matrix")
	fl.IntVar(&opts.maxShards, "max-shards", runner.DefaultMaxShards, "github-matrix: at most `N` shards (jobs)")
	fl.IntVar(&opts.shardSize, "shard-size", 0, "github-matrix: at most `N` trials per shard, with the fewest shards (0: no bound)")
	return cmd
}

func runPlan(opts *planOptions) error {
	f := opts.f
	// A plan parses every spec file into syntax trees it keeps, and lexes
	// each into tokens it drops. Collecting a little less often than the
	// default saves more collection than it costs in fresh memory from
	// the kernel (5% of the plan benchmark at 150; at 300 the fresh memory
	// costs more), and the limit holds the heap well under 300 MB even for
	// thousands of experiments.
	defer debug.SetGCPercent(debug.SetGCPercent(150))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(192 << 20))
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
		repo, err = nil, nil
	}
	if err != nil {
		return err
	}
	plan, diags, err := runner.BuildPlan(f.Context, repo, runner.PlanOptions{
		ProjectDir: ws.root, Base: opts.base, Head: opts.head, Getenv: f.Getenv,
		All: opts.all, Scheduled: opts.scheduled, Rerun: opts.rerun, Experiments: opts.experiments,
		WithBaseline: opts.withBaseline, Vars: vv, Artifacts: artifactSource(f, ws),
	})
	if err != nil {
		return err
	}
	// Machine formats keep stdout for the data: annotations go to stderr.
	df := f
	if opts.format != "table" {
		df = &Factory{IO: &IOStreams{Out: f.IO.ErrOut, ErrOut: f.IO.ErrOut, errTTY: f.IO.errTTY, noColor: f.IO.noColor}, Getenv: f.Getenv}
	}
	printDiagnostics(df, plan.HeadProject.Files, diags)
	if diags.HasErrors() {
		fmt.Fprintf(f.IO.ErrOut, "The specs at the head (%s) have %s; nothing was planned.\n", plan.Head, plural(countErrors(diags), "error"))
		return silentError
	}
	printDiagnostics(df, plan.HeadProject.Files, plan.Warnings)
	if opts.recorded != nil {
		rec, err := opts.recorded(ws, plan.HeadProject)
		if err != nil {
			return err
		}
		plan.UseRecorded(rec)
		// A search's next round is known once its history is replayed.
		if err := useHistory(plan, rec); err != nil {
			return err
		}
		if err := refuseUnreadable(rec, plan, opts.rerun || opts.scheduled); err != nil {
			return err
		}
	}
	if err := applyForkGate(f, plan); err != nil {
		return err
	}
	if opts.shard != "" {
		i, n, _ := runner.ParseShard(opts.shard)
		if err := plan.KeepShard(i, n); err != nil {
			return err
		}
	}
	switch opts.format {
	case "json":
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(plan.Document())
	case "github-matrix":
		return writeMatrix(opts, plan)
	}
	return writePlanTable(f, plan)
}

// writeMatrix prints the matrix on one line, and inside GitHub Actions
// also sets the step outputs matrix and has_trials.
func writeMatrix(opts *planOptions, plan *runner.Plan) error {
	f := opts.f
	m, err := plan.Matrix(runner.MatrixOptions{MaxShards: opts.maxShards, ShardSize: opts.shardSize})
	if err != nil {
		return err
	}
	for _, n := range m.Notes {
		fmt.Fprintf(f.IO.ErrOut, "note: %s\n", n)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(f.IO.Out, "%s\n", b); err != nil {
		return err
	}
	if out := f.Getenv("GITHUB_OUTPUT"); out != "" {
		file, err := os.OpenFile(out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("writing the step outputs to GITHUB_OUTPUT: %w", err)
		}
		_, werr := fmt.Fprintf(file, "matrix=%s\nhas_trials=%t\n", b, len(m.Include) > 0)
		if cerr := file.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("writing the step outputs to %s: %w", out, werr)
		}
	}
	return nil
}

// writePlanTable prints the plan for people: the sides, the experiments
// that changed or were selected, what changed in each, the trials to
// run, and a one-line summary.
func writePlanTable(f *Factory, plan *runner.Plan) error {
	w := f.IO.Out
	fmt.Fprintf(w, "Base: %s\nHead: %s\n", describeSide(plan, plan.Base), describeSide(plan, plan.Head))
	if plan.OnlyShard != "" {
		fmt.Fprintf(w, "Shard: %s\n", plan.OnlyShard)
	}
	sum := plan.Summary()
	withBase := sum.BaseToRun+sum.BaseReused > 0
	var rows [][]string
	for _, e := range plan.Experiments {
		if e.Status == runner.ExperimentUnchanged && !e.Selected {
			continue
		}
		row := []string{e.Name, string(e.Status), fmt.Sprint(len(e.HeadTrials)), fmt.Sprint(len(e.ToRun)), fmt.Sprint(len(e.Reused))}
		if withBase {
			row = append(row, fmt.Sprint(len(e.BaseToRun)))
		}
		rows = append(rows, append(row, e.File()))
	}
	if len(rows) > 0 {
		fmt.Fprintln(w)
		header := []string{"experiment", "status", "trials", "run", "reused"}
		if withBase {
			header = append(header, "base run")
		}
		if err := writeTable(w, append(header, "file"), rows); err != nil {
			return err
		}
	}
	for _, e := range plan.Experiments {
		if len(e.Changes) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s changed:\n", e.Name)
		var crows [][]string
		for _, c := range e.Changes {
			field := c.Field
			switch c.Field {
			case "inputs.path":
				field = "input " + c.Path
			case "inputs.artifact":
				field = "input artifact " + c.Path
			}
			crows = append(crows, []string{"  " + field, changeValue(c.Base) + " → " + changeValue(c.Head)})
		}
		if err := writeRows(w, crows); err != nil {
			return err
		}
	}
	writePlanSearches(w, plan)
	if err := writePlanTrials(w, plan, sum.BaseToRun > 0); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", summaryLine(sum))
	return nil
}

// writePlanTrials prints the trials to run, experiment by experiment;
// with a base side, a side column tells base from head, and a note says
// where the base's trials run from.
func writePlanTrials(w io.Writer, plan *runner.Plan, withBase bool) error {
	var rows [][]string
	add := func(side string, ts []*spec.Trial) {
		for _, t := range ts {
			row := []string{t.Experiment}
			if withBase {
				row = append(row, side)
			}
			rows = append(rows, append(row, formatParams(t.Params), fmt.Sprint(t.Seed),
				strings.Join(t.Runner.Labels, ","), fmt.Sprint(t.Runner.GPUs), t.ShortKey()))
		}
	}
	for _, e := range plan.Experiments {
		add("base", e.BaseToRun)
		add("head", e.ToRun)
	}
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	header := []string{"experiment"}
	if withBase {
		header = append(header, "side")
	}
	if err := writeTable(w, append(header, "params", "seed", "labels", "gpus", "key"), rows); err != nil {
		return err
	}
	if withBase {
		fmt.Fprintf(w, "\nThe base side's trials have no result yet; they run from the base commit's files (%s), so the comparison has both sides.\n",
			plan.Base.Commit[:12])
	}
	return nil
}

// writeRows prints aligned rows without a header.
func writeRows(w interface{ Write([]byte) (int, error) }, rows [][]string) error {
	width := 0
	for _, r := range rows {
		width = max(width, len([]rune(r[0])))
	}
	for _, r := range rows {
		if _, err := fmt.Fprintf(w, "%-*s  %s\n", width, r[0], r[1]); err != nil {
			return err
		}
	}
	return nil
}

func changeValue(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func describeSide(plan *runner.Plan, s runner.Side) string {
	switch s.Kind {
	case runner.SideWorktree:
		if s.Commit != "" {
			return fmt.Sprintf("working tree (on %s, uncommitted edits included)", s.Commit[:12])
		}
		return "working tree"
	case runner.SideNone:
		if s.Reason != "" {
			return fmt.Sprintf("none: %s, so every experiment at the head counts as added (trials with a succeeded run are reused)", s.Reason)
		}
		return "none (every experiment counts as added)"
	}
	switch s.Source {
	case "merge-base":
		if s.Reason != "" {
			return fmt.Sprintf("%s, the merge-base with %s (%s)", s.Commit[:12], s.Rev, s.Reason)
		}
		return fmt.Sprintf("%s, the merge-base with %s", s.Commit[:12], s.Rev)
	case "github-event":
		if s.Event == "push" {
			if s == plan.Base {
				return fmt.Sprintf("%s, %s before the push", s.Commit[:12], s.Rev)
			}
			return fmt.Sprintf("%s, %s after the push", s.Commit[:12], s.Rev)
		}
		if s == plan.Base {
			return fmt.Sprintf("%s, the pull request's merge-base with %s", s.Commit[:12], s.Rev)
		}
		return fmt.Sprintf("%s, the pull request's head (%s)", s.Commit[:12], s.Rev)
	}
	return s.String()
}

// summaryLine is the plan in one line: trials to run, reused, and how
// the experiments changed.
func summaryLine(s runner.Summary) string {
	var parts []string
	for _, c := range []struct {
		n    int
		word string
	}{{s.Added, "added"}, {s.Modified, "modified"}, {s.Removed, "removed"}, {s.Unchanged, "unchanged"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.word))
		}
	}
	if s.Experiments == 0 {
		return "Nothing to run: no experiments."
	}
	counts := strings.Join(parts, ", ")
	if s.ToRun+s.Reused+s.BaseToRun+s.BaseReused == 0 {
		return fmt.Sprintf("Nothing to run: %s (%s).", plural(s.Experiments, "experiment"), counts)
	}
	base := ""
	if s.BaseToRun > 0 {
		base = fmt.Sprintf(" (%d on the base side)", s.BaseToRun)
	}
	return fmt.Sprintf("%s to run%s, %d reused, in %s (%s).", plural(s.ToRun+s.BaseToRun, "trial"), base, s.Reused+s.BaseReused,
		plural(s.Selected, "experiment"), counts)
}

// formatParams renders params as k=v pairs in name order.
func formatParams(params map[string]any) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := params[k]
		var s string
		switch x := v.(type) {
		case string:
			s = x
		default:
			b, _ := json.Marshal(x)
			s = string(b)
		}
		parts[i] = k + "=" + s
	}
	return strings.Join(parts, " ")
}
