package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/runner/local"
	"github.com/assaylab/assay/runner/spool"
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
	caughtSignal, stopSignals := watchSignals(ctx, opts, cancel)
	defer stopSignals()

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
	switch caughtSignal() {
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

// watchSignals cancels the run on the first SIGINT or SIGTERM, saying what
// becomes of the running trials. caught tells afterwards which signal came
// (nil for none), so the exit status can be the shell's 128+n.
func watchSignals(ctx context.Context, opts *runOptions, cancel func()) (caught func() os.Signal, stop func()) {
	sigs, stop := opts.signals()
	caughtCh := make(chan os.Signal, 1)
	go func() {
		select {
		case s := <-sigs:
			caughtCh <- s
			fmt.Fprintf(opts.f.IO.ErrOut, "\nassay: %s: stopping the running trials (they get %s after SIGTERM) and recording them as cancelled\n", s, opts.killGrace)
			cancel()
		case <-ctx.Done():
		}
	}()
	caught = func() os.Signal {
		select {
		case s := <-caughtCh:
			return s
		default:
			return nil
		}
	}
	return caught, stop
}
