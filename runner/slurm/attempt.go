package slurm

import (
	"path/filepath"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/metrics"
)

// attempt is one submission of one job, followed until it is recorded.
type attempt struct {
	job       *runner.Job
	n         int
	runID     string
	dir       string
	jobID     string
	submitted time.Time
	// start is the wrapper's started file, once it exists.
	start *started
	coll  *metrics.Collector
	// scan feeds the log to pattern metrics, when there are any.
	scan *logScanner
	// endSeen is when the job was first seen ended without its exit file.
	endSeen time.Time
	// cancelled is set once assay has scancelled the job.
	cancelled bool
	warnings  []string
	// lastShown is the metric value progress last saw.
	shown     bool
	lastShown float64
}

func (a *attempt) logPath() string { return filepath.Join(a.dir, logName) }

// gpus are the devices Slurm gave a GPU trial.
func (a *attempt) gpus() []string {
	if a.start == nil || a.job.Trial.Runner.GPUs == 0 {
		return nil
	}
	return a.start.GPUs
}

// waited is how long the job has been seen ended without a result.
func (a *attempt) waited(now time.Time) time.Duration {
	if a.endSeen.IsZero() {
		a.endSeen = now
	}
	return now.Sub(a.endSeen)
}

func (a *attempt) close() {
	if a.scan != nil {
		a.scan.close()
	}
}

// openCollector starts reading the attempt's metrics file and, for
// pattern metrics, its log.
func (a *attempt) openCollector() error {
	coll, err := metrics.NewCollector(a.job.Metrics, filepath.Join(a.dir, metricsName))
	if err != nil {
		return err
	}
	a.coll = coll
	if coll.HasPatterns() {
		a.scan = newLogScanner(a.logPath(), coll.ScanLine)
	}
	return nil
}

// newResult is the record's identity part, as far as it is known.
func (a *attempt) newResult(x *execution) *runner.Result {
	t := a.job.Trial
	labels := t.Runner.Labels
	if labels == nil {
		labels = []string{}
	}
	params := t.Params
	if params == nil {
		params = map[string]any{}
	}
	res := &runner.Result{
		Schema:       runner.ResultSchema,
		RunID:        a.runID,
		TrialKey:     t.Key,
		Experiment:   t.Experiment,
		Params:       params,
		Seed:         t.Seed,
		Attempt:      a.n,
		Metrics:      map[string]float64{},
		Started:      a.submitted,
		Command:      t.Command,
		Workdir:      t.Workdir,
		Labels:       labels,
		GPUs:         a.gpus(),
		Executor:     "slurm",
		SourceCommit: x.batch.SourceCommit,
		Trigger:      x.batch.Trigger,
		PR:           x.batch.PR,
		Batch:        x.batch.ID,
		Search:       a.job.Search,
		Warnings:     append([]string(nil), a.warnings...),
	}
	if a.start != nil {
		res.Started = a.start.At
		res.System.Host = a.start.Host
		res.System.OS = a.start.OS
	}
	return res
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// pollMetrics reads what the trial added to its metrics file and log, and
// reports the metric progress shows.
func (x *execution) pollMetrics(a *attempt) {
	if a.coll == nil {
		return
	}
	if a.scan != nil {
		a.scan.read()
	}
	updated := a.coll.Poll()
	if x.obs == nil {
		return
	}
	name := a.job.DisplayMetric()
	if name == "" && len(updated) > 0 {
		name = updated[0]
	}
	if name == "" {
		return
	}
	if v, ok := a.coll.Latest(name); ok && (!a.shown || v != a.lastShown || contains(updated, name)) {
		a.shown, a.lastShown = true, v
		x.observe(runner.Event{Kind: runner.EventMetric, Job: a.job, Attempt: a.n, RunID: a.runID, Time: x.cfg.Now(), GPUs: a.gpus(), Metric: x.batch.Mask.String(name), Value: v})
	}
}
