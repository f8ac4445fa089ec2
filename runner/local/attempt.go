package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/collect"
	"github.com/assaylab/assay/runner/metrics"
)

// File names inside an attempt's directory.
const (
	logName       = "log"
	metricsName   = "metrics.jsonl"
	artifactsName = "artifacts"
)

// attempt is one run of one job.
type attempt struct {
	x       *execution
	job     *runner.Job
	n       int
	gpus    []string
	runID   string
	dir     string
	logPath string
}

// run executes the attempt and returns its finished run, not yet handed
// to the sink.
func (a *attempt) run(ctx context.Context) *runner.Run {
	x, t := a.x, a.job.Trial
	started := x.cfg.Now()
	a.runID = runner.NewRunID(started)
	a.dir = filepath.Join(x.batch.StateDir, "runs", a.runID)
	res := a.newResult(started)
	run := &runner.Run{Result: res, Series: map[string][]runner.Point{}}

	if err := os.MkdirAll(filepath.Join(a.dir, artifactsName), 0o755); err != nil {
		return a.notStarted(run, fmt.Sprintf("cannot create the run's directory: %v", err))
	}
	a.logPath = filepath.Join(a.dir, logName)
	run.LogPath = a.logPath
	log, err := os.OpenFile(a.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return a.notStarted(run, fmt.Sprintf("cannot create the log: %v", err))
	}
	defer log.Close()

	workdir := filepath.Join(x.batch.Root, filepath.FromSlash(t.Workdir))
	where := ""
	if a.job.SpecFile != "" {
		where = " (set in " + a.job.SpecFile + ")"
	}
	if info, err := os.Stat(workdir); err != nil || !info.IsDir() {
		return a.notStarted(run, fmt.Sprintf("workdir %q does not exist%s; create it or fix workdir in the spec", t.Workdir, where), log)
	}
	// The trial runs in the resolved directory, never outside the
	// repository through a symlink.
	workdir, err = runner.ResolveWorkdir(x.batch.Root, t.Workdir)
	if err != nil {
		return a.notStarted(run, err.Error()+where, log)
	}
	metricsPath := filepath.Join(a.dir, metricsName)
	if err := os.WriteFile(metricsPath, nil, 0o644); err != nil {
		return a.notStarted(run, fmt.Sprintf("cannot create the metrics file: %v", err), log)
	}
	coll, err := metrics.NewCollector(a.job.Metrics, metricsPath)
	if err != nil {
		return a.notStarted(run, err.Error(), log)
	}
	coll.Watch(a.job.MetricsFrom, t, workdir)
	params := t.ParamsJSON
	if params == "" {
		params = "{}"
	}
	env, missing, withheld := trialEnv(x.cfg.Environ, t, x.batch.Secrets, x.batch.Withheld, [][2]string{
		{"ASSAY_RUN_ID", a.runID},
		{"ASSAY_TRIAL_KEY", t.Key},
		{"ASSAY_EXPERIMENT", t.Experiment},
		{"ASSAY_SEED", strconv.FormatInt(t.Seed, 10)},
		{"ASSAY_PARAMS", params},
		{"ASSAY_ATTEMPT", strconv.Itoa(a.n)},
		{"ASSAY_METRICS_FILE", metricsPath},
		{"ASSAY_ARTIFACTS_DIR", filepath.Join(a.dir, artifactsName)},
		{"CUDA_VISIBLE_DEVICES", strings.Join(a.gpus, ",")},
		{"CUDA_DEVICE_ORDER", "PCI_BUS_ID"},
	})
	for _, k := range missing {
		res.Warnings = append(res.Warnings, fmt.Sprintf("secret_env %s is not set in assay's environment (nor in %s), so the trial did not get it", k, runner.SecretsEnv))
	}
	for _, k := range withheld {
		res.Warnings = append(res.Warnings, fmt.Sprintf("secret_env %s holds assay's own credentials (for its artifact store), which never reach a trial; give the trial a key of its own under another name", k))
	}
	if len(t.Command) == 0 {
		return a.notStarted(run, "the trial has an empty command", log)
	}
	path, err := resolveCommand(t.Command[0], workdir, env)
	if err != nil {
		return a.notStarted(run, err.Error(), log)
	}
	argv := append([]string{path}, t.Command[1:]...)
	var scan func([]byte)
	if coll.HasPatterns() {
		scan = coll.ScanLine
	}
	stop := a.judge(coll)
	watch := x.cfg.Sampler.Watch(a.gpus)
	mask := x.batch.Mask
	sup, err := x.supervisor()
	if err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the trial ran without a supervisor (%v), so a process it left in another session, or a kill -9 of assay, may have outlived it", err))
	}
	proc, err := startProcess(argv, workdir, env, output{log: log, scan: scan, mask: mask}, sup, a.runID)
	if err != nil {
		watch.Stop()
		return a.notStarted(run, fmt.Sprintf("cannot start %q: %v", t.Command[0], err), log)
	}
	a.x.observe(runner.Event{Kind: runner.EventStarted, Job: a.job, Attempt: a.n, RunID: a.runID, Time: started, GPUs: a.gpus, LogPath: a.logPath})

	stopPoll := a.pollMetrics(coll)
	end := proc.wait(ctx, t.Runner.Timeout, x.cfg.KillGrace, stop)
	stopPoll()
	stats := watch.Stop()

	finished := x.cfg.Now()
	res.Finished = finished
	res.DurationS = finished.Sub(started).Seconds()
	res.ExitCode = end.exitCode
	switch {
	case end.cancelled:
		res.Status = runner.StatusCancelled
		res.Error = "cancelled: assay was interrupted" + stoppedHow(end, x.cfg.KillGrace)
	case end.stopped:
		res.Status = runner.StatusStopped
		res.Error = "stopped early: " + end.reason + stoppedHow(end, x.cfg.KillGrace)
	case end.timedOut:
		res.Status = runner.StatusTimedOut
		res.Error = fmt.Sprintf("timed out after %s (the runner's timeout)%s", t.Runner.Timeout, stoppedHow(end, x.cfg.KillGrace))
	case end.lost:
		res.Status = runner.StatusFailed
		res.Error = "the trials' supervisor went away before the trial ended, so how it ended is unknown"
	case end.exitCode == 0:
		res.Status = runner.StatusSucceeded
	default:
		res.Status = runner.StatusFailed
		if end.signalled {
			res.Error = "killed by signal" + describeSignal(end.exitCode)
		}
	}
	if res.Error != "" {
		fmt.Fprintf(log, "\nassay: %s\n", mask.String(res.Error))
	}
	out := coll.Finish()
	res.Metrics = out.Summaries
	res.Warnings = append(res.Warnings, out.Warnings...)
	run.Series = out.Series
	if stats.Samples > 0 {
		res.System.GPUPeakMemoryMiB = stats.PeakMemoryMiB
		res.System.GPUUtilMean = stats.UtilMean
	}
	collect.Finish(run, a.job, workdir, filepath.Join(a.dir, artifactsName))
	// The log was masked as it was written; the record is masked here,
	// before anything else sees it.
	run.LogMasked = !mask.Empty()
	mask.Run(run)
	return run
}

// stoppedHow says how a stopped trial was stopped.
func stoppedHow(e ending, grace time.Duration) string {
	if e.killed {
		return fmt.Sprintf("; it ignored SIGTERM and was killed with SIGKILL after %s", grace)
	}
	return "; stopped with SIGTERM"
}

// notStarted finishes a run whose process never started.
func (a *attempt) notStarted(run *runner.Run, why string, log ...*os.File) *runner.Run {
	res := run.Result
	res.Status = runner.StatusFailed
	res.ExitCode = -1
	res.Error = why
	res.Finished = a.x.cfg.Now()
	res.DurationS = res.Finished.Sub(res.Started).Seconds()
	res.Metrics = map[string]float64{}
	for _, l := range log {
		fmt.Fprintf(l, "assay: %s\n", a.x.batch.Mask.String(why))
	}
	run.LogMasked = true
	a.x.batch.Mask.Run(run)
	return run
}

func (a *attempt) newResult(started time.Time) *runner.Result {
	x, t := a.x, a.job.Trial
	labels := t.Runner.Labels
	if labels == nil {
		labels = []string{}
	}
	res := &runner.Result{
		Schema:       runner.ResultSchema,
		RunID:        a.runID,
		TrialKey:     t.Key,
		Experiment:   t.Experiment,
		Params:       t.Params,
		Seed:         t.Seed,
		Attempt:      a.n,
		Metrics:      map[string]float64{},
		Started:      started,
		Command:      t.Command,
		Workdir:      t.Workdir,
		Labels:       labels,
		GPUs:         a.gpus,
		Executor:     "local",
		SourceCommit: x.batch.SourceCommit,
		Trigger:      x.batch.Trigger,
		PR:           x.batch.PR,
		Batch:        x.batch.ID,
		Search:       a.job.Search,
		System:       runner.System{Host: x.cfg.Host, OS: runtime.GOOS + "/" + runtime.GOARCH},
	}
	if res.Params == nil {
		res.Params = map[string]any{}
	}
	var models []string
	for _, id := range a.gpus {
		if d, ok := x.cfg.GPUs.Device(id); ok && d.Name != "" {
			if !contains(models, d.Name) {
				models = append(models, d.Name)
			}
			res.System.GPUDriver = d.Driver
		}
	}
	res.System.GPUModel = strings.Join(models, ", ")
	return res
}

// judge has the job's early-stopping judge see each point of its metric,
// and returns where its reason to stop arrives; nil without early stopping.
func (a *attempt) judge(coll *metrics.Collector) <-chan string {
	es := a.job.EarlyStop
	if es == nil || es.Follow == nil {
		return nil
	}
	judge := es.Follow()
	stop := make(chan string, 1)
	coll.OnPoint(es.Metric, func(step int64, v float64) {
		if why := judge(step, v); why != "" {
			select {
			case stop <- why:
			default: // said already
			}
		}
	})
	return stop
}

// pollMetrics reports new metric values while the trial runs, for live
// progress; it returns a function that stops it.
func (a *attempt) pollMetrics(coll *metrics.Collector) (stop func()) {
	// metrics_from files are read as the trial runs even when nobody
	// watches, so a trial that removes its logs at the end loses nothing;
	// a trial that may be stopped early is read so that it can be.
	if (a.x.obs == nil && !coll.Watching() && a.job.EarlyStop == nil) || a.x.cfg.PollInterval <= 0 {
		return func() {}
	}
	display := a.job.DisplayMetric()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(a.x.cfg.PollInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			updated := coll.Poll()
			name := display
			if name == "" && len(updated) > 0 {
				name = updated[0]
			}
			if name == "" || !contains(updated, name) {
				continue
			}
			if v, ok := coll.Latest(name); ok {
				a.x.observe(runner.Event{Kind: runner.EventMetric, Job: a.job, Attempt: a.n, RunID: a.runID, Time: a.x.cfg.Now(), GPUs: a.gpus, Metric: a.x.batch.Mask.String(name), Value: v})
			}
		}
	}()
	return func() { close(done); <-finished }
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
