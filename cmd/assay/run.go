package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/runner/gpu"
	"github.com/assaylab/assay/runner/local"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

type runOptions struct {
	f           *Factory
	g           *globalOptions
	base        string
	all         bool
	scheduled   bool
	rerun       bool
	experiments []string
	shard       string
	dryRun      bool
	baseline    bool
	withBase    bool
	noPush      bool
	parallel    int
	executor    string
	executorSet bool
	killGrace   time.Duration
	format      string
	// signals delivers SIGINT and SIGTERM; tests may replace it.
	signals func() (<-chan os.Signal, func())
}

func newRunCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &runOptions{f: f, g: g, signals: notifySignals}
	cmd := &cobra.Command{
		Use:   "run [--all | --experiment NAME] [--shard I/N] [--rerun] [--dry-run]",
		Short: "Run the trials a change touches on this machine",
		Long: `Run the trials that assay plan selects, here, and keep each result.

By default that is every trial of the experiments that changed between the
base (the merge-base with the default branch, or --base) and the working
tree; inside GitHub Actions the event chooses base and head as assay plan
--help says. --all runs every experiment. Trials whose key already has a
succeeded run are skipped (--rerun runs them anyway), so running again after
a crash or Ctrl-C runs only what has no result yet.

In a pull_request run (or with --with-baseline) the base commit's trials of
the changed experiments that have no result run too, from the base commit's
files, and are recorded with it as their source commit, so the report
compares both sides; --baseline runs only those.

Trials are packed onto this machine's GPUs (nvidia-smi, executor "local" {
gpus = [...] } in assay.hcl, or ASSAY_GPUS=0,1), each getting exactly its GPUs
in CUDA_VISIBLE_DEVICES, and CPU-only trials run up to --parallel at a time.
Each result is kept in the spool (.git/assay/spool) the moment its trial
ends; when the trials are done they are recorded on the results branch and
pushed (--no-push records locally only; assay sync pushes later).

A search (sweep method "tpe", or a sweep with batch and early_stop) runs in
rounds: each round's points are proposed from the results of the rounds
before it, so assay run runs round after round until the budget is spent.
With --shard it runs only its share of the round the plan showed; the next
workflow run carries on from the results branch. A trial an early_stop rule
stops is recorded as stopped, with its partial series (docs/search.md).

Exit status: 0 when every trial succeeded (or was stopped early), 1 when
any failed or timed out, 130 after Ctrl-C and 143 after SIGTERM (running
trials are stopped and recorded as cancelled).`,
		Example: `  assay run --dry-run
  assay run --all --parallel 4
  assay run --experiment 'resnet*' --rerun
  assay run --baseline --base main
  assay run --with-baseline --base main
  ASSAY_GPUS=0,1 assay run --shard 2/4
  assay run --all --format json | jq '.runs[] | {experiment, status, metrics}'
  assay run --experiment logreg-tpe     # a search: every round, until its budget is spent`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("run takes no arguments, got %q; name experiments with --experiment", strings.Join(args, " "))
			}
			if err := checkFormat(opts.format, "table", "json"); err != nil {
				return err
			}
			opts.executorSet = cmd.Flags().Changed("executor")
			if opts.executorSet && opts.executor != "local" && opts.executor != "slurm" {
				return usageErrorf("--executor %q is not available; use local or slurm", opts.executor)
			}
			if opts.parallel < 0 {
				return usageErrorf("--parallel must be at least 1")
			}
			if opts.shard != "" {
				if _, _, err := runner.ParseShard(opts.shard); err != nil {
					return usageError{err}
				}
			}
			if opts.all && opts.scheduled {
				return usageErrorf("--all and --scheduled cannot be used together")
			}
			if opts.baseline && (opts.shard != "" || opts.scheduled) {
				return usageErrorf("--baseline runs the base side of a change; it takes neither --shard nor --scheduled")
			}
			if opts.baseline && cmd.Flags().Changed("with-baseline") {
				return usageErrorf("--baseline runs the base side alone and --with-baseline both sides; use one")
			}
			opts.withBase = withBaseline(f, cmd, opts.withBase)
			return runRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.base, "base", "", "compare against `REF` (default: the merge-base with the default branch)")
	fl.BoolVar(&opts.all, "all", false, "run every experiment, changed or not")
	fl.BoolVar(&opts.scheduled, "scheduled", false, "run the experiments that carry a schedule, whatever is recorded")
	fl.BoolVar(&opts.rerun, "rerun", false, "run trials even when a succeeded run of them is recorded")
	fl.StringArrayVar(&opts.experiments, "experiment", nil, "only experiments whose name matches `GLOB` (repeatable)")
	fl.StringVar(&opts.shard, "shard", "", "run shard `I/N` of the plan, as assay plan --format github-matrix splits it")
	fl.BoolVar(&opts.dryRun, "dry-run", false, "show what would run, and run nothing")
	fl.BoolVar(&opts.noPush, "no-push", false, "record results on the local results branch only; assay sync pushes them later")
	fl.BoolVar(&opts.baseline, "baseline", false, "run the base commit's trials of the changed experiments that have no result, so assay compare has both sides")
	fl.BoolVar(&opts.withBase, "with-baseline", false, withBaselineUsage)
	fl.IntVar(&opts.parallel, "parallel", 0, "CPU-only trials at once (default: executor \"local\" parallel, else the number of cores)")
	fl.StringVar(&opts.executor, "executor", "", "where trials run: `local` or slurm (default: local, or slurm when assay.hcl declares only executor \"slurm\")")
	fl.DurationVar(&opts.killGrace, "kill-grace", local.DefaultKillGrace, "time a stopped trial gets between SIGTERM and SIGKILL")
	fl.StringVar(&opts.format, "format", "table", "output format: `table` or json")
	return cmd
}

func notifySignals() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	return ch, func() { signal.Stop(ch) }
}

func runRun(opts *runOptions) error {
	f := opts.f
	ctx := f.Context
	ws, err := findWorkspace(f.Dir)
	if err != nil {
		return err
	}
	vv, err := varValues(f, opts.g)
	if err != nil {
		return err
	}
	repo, err := gitrepo.Open(ws.root)
	if err != nil && !errors.Is(err, gitrepo.ErrNotRepository) {
		return err
	}
	stateRoot := ws.root
	if repo != nil && repo.Root() != "" {
		stateRoot = repo.Root()
	}
	stateDir := spool.StateDir(stateRoot)
	sp, err := spool.Open(filepath.Join(stateDir, "spool"))
	if err != nil {
		return err
	}
	if repo == nil && !opts.all && !opts.scheduled {
		return fmt.Errorf("%s is not inside a git repository, so there is no change to run; run every experiment with assay run --all", ws.root)
	}
	if repo != nil {
		if err := adoptPreGitRuns(f, sp, ws.root, stateRoot); err != nil {
			return err
		}
	}
	plan, diags, err := runner.BuildPlan(ctx, repo, runner.PlanOptions{
		ProjectDir: ws.root, Base: opts.base, Getenv: f.Getenv,
		All: opts.all, Scheduled: opts.scheduled, Rerun: opts.rerun, Experiments: opts.experiments,
		WithBaseline: opts.withBase && !opts.baseline, Vars: vv, Recorded: runner.AnyRecorded{sp}, Artifacts: artifactSource(f, ws),
	})
	if err != nil {
		return err
	}
	files := plan.HeadProject.Files
	printDiagnostics(f, files, append(diags, plan.Warnings...))
	if diags.HasErrors() {
		return silentError
	}
	store, err := prepareRunResults(f, ws, plan.HeadProject.Settings)
	if err != nil {
		return err
	}
	if store != nil {
		plan.UseRecorded(runner.AnyRecorded{sp, store})
	}
	// A search's next round is known once its history is replayed.
	if err := replayFrom(plan, newSearchHistory(store, sp.Dir)); err != nil {
		return err
	}
	if store != nil {
		if err := refuseUnreadable(store, plan, opts.rerun || opts.scheduled); err != nil {
			return err
		}
	}
	if err := applyForkGate(f, plan); err != nil {
		return err
	}
	sides, err := runSides(opts, plan, ws.root)
	if err != nil {
		return err
	}
	// The executor is set up from the head's assay.hcl, the checkout this
	// machine runs (the base's with --baseline, which runs nothing else).
	project := sides[len(sides)-1].project
	jobs, skipped := sideJobs(sides)
	plan.AttachLineage(jobs)
	plan.AttachSearch(jobs)
	// The mask covers the search rounds to come too: their trials are
	// the same experiments', with the same secret_env.
	sec, err := newRunSecrets(f, project, append(jobs, plan.SearchJobs()...))
	if err != nil {
		return err
	}
	// From here on everything run prints is masked.
	f = sec.maskIO(f)
	opts.f = f
	var x runner.Executor
	var where string
	if useSlurm(opts, project) {
		sx, err := newSlurmExecutor(opts, project, ws.root)
		if err != nil {
			return err
		}
		x, where = sx, sx.Describe(ctx)
		warnNoEarlyStop(f, jobs)
	} else {
		lx, inv, err := newLocalExecutor(opts, project)
		if err != nil {
			return err
		}
		x, where = lx, slotsText(lx, inv)
	}
	if refusals := x.Check(jobs); len(refusals) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "error: %s cannot run on this machine, so nothing was run:\n", plural(len(refusals), "trial"))
		for _, r := range refusals {
			fmt.Fprintf(f.IO.ErrOut, "  %s: %s\n", r.Job.Name(), r.Reason)
		}
		return silentError
	}
	if opts.dryRun {
		return printDryRun(opts, sides, where)
	}
	if len(jobs) == 0 {
		fmt.Fprintln(f.IO.ErrOut, nothingToRun(opts, plan, skipped))
		if opts.format == "json" {
			if err := writeRunJSON(f, nil, skipped, 0); err != nil {
				return err
			}
		}
		// Runs still waiting in the spool (kept before git init, or by a
		// run that was stopped) are recorded all the same.
		if ids, _ := sp.List(); len(ids) > 0 {
			return deliverRunResults(f, store, sp, opts.noPush)
		}
		return nil
	}
	cleanup, err := exportBaseSide(opts, repo, plan, sides, ws.root, stateDir)
	defer cleanup()
	if err != nil {
		return err
	}
	release, err := claimStateDir(f, stateDir)
	if err != nil {
		return err
	}
	defer release()
	fmt.Fprintf(f.IO.ErrOut, "Running %s%s with %s.\n", plural(len(jobs), "trial"), skippedText(skipped, opts.shard != ""), where)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sigs, stopSignals := opts.signals()
	defer stopSignals()
	caughtCh := make(chan os.Signal, 1)
	go func() {
		select {
		case s := <-sigs:
			caughtCh <- s
			fmt.Fprintf(f.IO.ErrOut, "\nassay: %s: stopping the running trials (they get %s after SIGTERM) and recording them as cancelled\n", s, opts.killGrace)
			cancel()
		case <-ctx.Done():
		}
	}()

	trigger, pr := runner.TriggerFromEnv(f.Getenv)
	if opts.scheduled {
		trigger = runner.TriggerSchedule
	}
	batchID := runner.BatchID(f.Getenv, time.Now())
	// Whatever the executor leaves unmasked is masked before the spool
	// keeps it, so records, reports and comments built from it are clean.
	collect := &collectingSink{Sink: runner.MaskSink{Sink: sp, Mask: sec.mask}}
	logPath := func(id string) string {
		if store == nil {
			return relTo(f.Dir, filepath.Join(sp.Dir, id, spool.LogFile)) // outside git the spool keeps it
		}
		return "assay show " + id // the spool's copy moves when the run is recorded
	}
	prog := newProgress(f, len(jobs), logPath)
	obs := runner.MaskObserver(prog, sec.mask)
	var execErr error
	// One batch per side: each runs from its commit's files and records
	// that commit. A side after a Ctrl-C does not start.
	for _, s := range sides {
		if len(s.jobs) == 0 || ctx.Err() != nil {
			continue
		}
		batch := &runner.Batch{Jobs: s.jobs, Root: s.root, StateDir: stateDir, ID: batchID,
			SourceCommit: s.commit, Trigger: trigger, PR: pr,
			Secrets: sec.secrets, Withheld: sec.withheld, Mask: sec.mask}
		if execErr = x.Execute(ctx, batch, collect, obs); execErr != nil {
			break
		}
	}
	prog.Close()
	if execErr == nil && !opts.baseline && opts.shard == "" {
		head := sides[len(sides)-1]
		var more []*runner.Job
		more, execErr = runSearchRounds(ctx, opts, plan, x, collect, jobs, &runner.Batch{Root: head.root, StateDir: stateDir, ID: batchID,
			SourceCommit: head.commit, Trigger: trigger, PR: pr, Secrets: sec.secrets, Withheld: sec.withheld, Mask: sec.mask},
			newSearchHistoryFunc(store, sp.Dir), func(n int) progress { return newProgress(f, n, logPath) })
		jobs = append(jobs, more...)
	}
	stopSignals()
	cancel()
	if execErr != nil {
		return execErr
	}
	if err := printRunSummary(opts, jobs, collect.runs, skipped, sp.Dir, store == nil); err != nil {
		return err
	}
	if err := deliverRunResults(f, store, sp, opts.noPush); err != nil {
		return err
	}
	var caught os.Signal
	select {
	case caught = <-caughtCh:
	default:
	}
	switch caught {
	case os.Interrupt:
		return exitError{code: 130}
	case syscall.SIGTERM:
		return exitError{code: 143}
	}
	for _, r := range finalResults(collect.runs) {
		if r.Status != runner.StatusSucceeded && r.Status != runner.StatusStopped {
			return silentError
		}
	}
	return nil
}

// newLocalExecutor sets up the local executor from assay.hcl, the
// environment (ASSAY_GPUS, ASSAY_LABELS) and the flags.
func newLocalExecutor(opts *runOptions, project *spec.Project) (*local.Executor, gpu.Inventory, error) {
	f := opts.f
	cfg := local.Config{KillGrace: opts.killGrace, Environ: f.Environ(), Supervisor: local.SupervisorCommand()}
	var configured []string
	if ex := project.Executor("local"); ex != nil {
		cfg.Labels, cfg.Parallel, configured = ex.Labels, ex.Parallel, ex.GPUs
	}
	if v, ok := lookupEnv(f, "ASSAY_LABELS"); ok {
		cfg.Labels = nil
		for _, l := range strings.Split(v, ",") {
			if l = strings.TrimSpace(l); l != "" {
				cfg.Labels = append(cfg.Labels, l)
			}
		}
	}
	if opts.parallel > 0 {
		cfg.Parallel = opts.parallel
	}
	env, envSet := lookupEnv(f, "ASSAY_GPUS")
	smi, _ := exec.LookPath("nvidia-smi")
	inv, err := gpu.Resolve(f.Context, gpu.Options{Env: env, EnvSet: envSet, Config: configured, NvidiaSMI: smi})
	if err != nil {
		if strings.HasPrefix(err.Error(), "nvidia-smi") {
			fmt.Fprintf(f.IO.ErrOut, "warning: %s; running with no GPUs (set ASSAY_GPUS to hand out GPUs anyway)\n", err)
		} else {
			return nil, inv, usageError{err}
		}
	}
	cfg.GPUs = inv
	if len(inv.Devices) > 0 {
		cfg.Sampler = gpu.NewSampler(smi, 2*time.Second)
	}
	return local.New(cfg), inv, nil
}

func lookupEnv(f *Factory, key string) (string, bool) {
	for _, kv := range f.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

func newProgress(f *Factory, total int, logPath func(string) string) progress {
	st := newProgressState(total, time.Now, logPath)
	if f.IO.IsStderrTTY() && !f.InActions() {
		return newLiveProgress(st, f.IO.ErrOut, f.IO.ColorErr())
	}
	return &lineProgress{st: st, w: f.IO.ErrOut, actions: f.InActions()}
}

// collectingSink remembers what it passed on, for the summary. Executors
// may call Record from several goroutines at once.
type collectingSink struct {
	runner.Sink
	mu   sync.Mutex
	runs []*runner.Result
}

func (s *collectingSink) Record(ctx context.Context, run *runner.Run) error {
	if err := s.Sink.Record(ctx, run); err != nil {
		return err
	}
	s.mu.Lock()
	s.runs = append(s.runs, run.Result)
	s.mu.Unlock()
	return nil
}

// finalResults keeps each trial's last attempt.
func finalResults(rs []*runner.Result) []*runner.Result {
	last := map[string]int{}
	var out []*runner.Result
	for _, r := range rs {
		if i, ok := last[r.TrialKey]; ok {
			out[i] = r
			continue
		}
		last[r.TrialKey] = len(out)
		out = append(out, r)
	}
	return out
}

func skippedText(n int, sharded bool) string {
	if n == 0 {
		return ""
	}
	what := "already recorded"
	if sharded {
		what = "this shard's, already recorded"
	}
	return fmt.Sprintf(" (%d skipped: %s; --rerun runs them again)", n, what)
}

func slotsText(x *local.Executor, inv gpu.Inventory) string {
	gpus := "no GPUs"
	if len(inv.Devices) > 0 {
		gpus = fmt.Sprintf("GPUs %s (from %s)", strings.Join(inv.IDs(), ","), inv.Source)
	}
	return fmt.Sprintf("%s and %d CPU slots", gpus, x.Parallel())
}

func printDryRun(opts *runOptions, sides []*runSide, where string) error {
	f := opts.f
	jobs, skipped := sideJobs(sides)
	if opts.format == "json" {
		out := struct {
			Trials  []runner.TrialDocument `json:"trials"`
			Skipped int                    `json:"skipped"`
		}{Trials: []runner.TrialDocument{}, Skipped: skipped}
		for _, s := range sides {
			for _, j := range s.jobs {
				td := runner.TrialDocumentOf(j.Trial)
				td.Action, td.Side = "run", sideName(s)
				out.Trials = append(out.Trials, td)
			}
		}
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	mixed := mixedSides(sides)
	rows := make([][]string, 0, len(jobs))
	for _, s := range sides {
		for _, j := range s.jobs {
			t := j.Trial
			timeout := "-"
			if t.Runner.Timeout > 0 {
				timeout = t.Runner.Timeout.String()
			}
			row := []string{t.Experiment}
			if mixed {
				row = append(row, sideName(s))
			}
			rows = append(rows, append(row, formatParams(t.Params), fmt.Sprint(t.Seed), fmt.Sprint(t.Runner.GPUs), timeout, t.ShortKey()))
		}
	}
	if len(rows) > 0 {
		header := []string{"experiment"}
		if mixed {
			header = append(header, "side")
		}
		if err := writeTable(f.IO.Out, append(header, "params", "seed", "gpus", "timeout", "key"), rows); err != nil {
			return err
		}
		fmt.Fprintln(f.IO.Out)
	}
	fmt.Fprintf(f.IO.Out, "Would run %s%s with %s. Nothing was run (--dry-run).\n", plural(len(jobs), "trial"), skippedText(skipped, opts.shard != ""), where)
	return nil
}

type runJSON struct {
	Runs    []*runner.Result `json:"runs"`
	Skipped int              `json:"skipped"`
	// NotStarted counts the trials a Ctrl-C stopped before they started.
	NotStarted int `json:"not_started,omitempty"`
}

func writeRunJSON(f *Factory, runs []*runner.Result, skipped, notStarted int) error {
	if runs == nil {
		runs = []*runner.Result{}
	}
	enc := json.NewEncoder(f.IO.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(runJSON{Runs: runs, Skipped: skipped, NotStarted: notStarted})
}

// printRunSummary prints the table of finished trials. spooled says the
// results stay in the spool (no results branch could be opened); otherwise
// they are about to be recorded, and failures point at assay show.
func printRunSummary(opts *runOptions, jobs []*runner.Job, runs []*runner.Result, skipped int, spoolDir string, spooled bool) error {
	f := opts.f
	final := finalResults(runs)
	if opts.format == "json" {
		return writeRunJSON(f, runs, skipped, len(jobs)-len(final))
	}
	order := map[string]int{}
	for i, j := range jobs {
		order[j.Trial.Key] = i
	}
	sort.SliceStable(final, func(a, b int) bool { return order[final[a].TrialKey] < order[final[b].TrialKey] })
	byKey := map[string]*runner.Result{}
	for _, r := range final {
		byKey[r.TrialKey] = r
	}
	// Every trial of the batch has a row: one that never started (Ctrl-C
	// came first) says so rather than vanishing from the count.
	rows := make([][]string, 0, len(jobs))
	counts := map[runner.Status]int{}
	notStarted := 0
	for _, j := range jobs {
		r := byKey[j.Trial.Key]
		if r == nil {
			notStarted++
			rows = append(rows, []string{j.Trial.Experiment, formatParams(j.Trial.Params), fmt.Sprint(j.Trial.Seed), "not started", "-", "0", ""})
			continue
		}
		counts[r.Status]++
		attempts := fmt.Sprint(r.Attempt)
		rows = append(rows, []string{r.Experiment, formatParams(r.Params), fmt.Sprint(r.Seed), string(r.Status),
			shortDuration(time.Duration(r.DurationS * float64(time.Second))), attempts, metricsText(r.Metrics, 4)})
	}
	fmt.Fprintln(f.IO.Out)
	if err := writeTable(f.IO.Out, []string{"experiment", "params", "seed", "status", "time", "attempts", "metrics"}, rows); err != nil {
		return err
	}
	var parts []string
	for _, st := range []runner.Status{runner.StatusSucceeded, runner.StatusStopped, runner.StatusFailed, runner.StatusTimedOut, runner.StatusCancelled} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	if notStarted > 0 {
		parts = append(parts, fmt.Sprintf("%d not started", notStarted))
	}
	fmt.Fprintf(f.IO.Out, "\n%s: %s%s.\n", plural(len(jobs), "trial"), strings.Join(parts, ", "), skippedText(skipped, opts.shard != ""))
	if stopped := counts[runner.StatusCancelled] + notStarted; stopped > 0 {
		fmt.Fprintf(f.IO.Out, "Run the same command again to run the %s with no succeeded result.\n", plural(stopped+counts[runner.StatusFailed]+counts[runner.StatusTimedOut], "trial"))
	}
	rel, err := filepath.Rel(f.Dir, spoolDir)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = spoolDir
	}
	if spooled {
		fmt.Fprintf(f.IO.Out, "Results are in %s until the results branch records them.\n", rel)
	}
	for _, r := range final {
		if r.Status != runner.StatusSucceeded && r.Status != runner.StatusCancelled && r.Status != runner.StatusStopped {
			msg := r.Error
			if msg == "" {
				msg = fmt.Sprintf("exit code %d", r.ExitCode)
			}
			name := strings.Join(strings.Fields(fmt.Sprintf("%s %s seed=%d", r.Experiment, formatParams(r.Params), r.Seed)), " ")
			if spooled {
				fmt.Fprintf(f.IO.ErrOut, "%s %s: %s\n  log: %s\n", name, r.Status, msg, filepath.Join(rel, r.RunID, spool.LogFile))
			} else {
				fmt.Fprintf(f.IO.ErrOut, "%s %s: %s\n  log: assay show %s\n", name, r.Status, msg, r.RunID)
			}
		}
	}
	return nil
}
