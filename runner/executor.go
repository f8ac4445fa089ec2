package runner

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/assaylab/assay/spec"
)

// Executor runs trials somewhere: this machine (runner/local), a Slurm
// cluster (runner/slurm). Every implementation passes the shared suite in
// runner/executortest.
type Executor interface {
	// Name is the executor's kind as the spec names it ("local"); it goes
	// into every record.
	Name() string
	// Check returns, before anything runs, one Refusal for each job this
	// executor can never run (labels it does not offer, more GPUs than it
	// has). A batch with refusals should not be executed.
	Check(jobs []*Job) []Refusal
	// Execute runs the batch and returns when every job has finished or
	// ctx is cancelled and every running job has been stopped. Each
	// finished attempt is handed to sink, and only after sink.Record
	// returns is it reported to obs as finished. Trials that fail are not
	// errors; the error is for what stops the batch itself (a sink that
	// cannot store a result). obs may be nil.
	Execute(ctx context.Context, b *Batch, sink Sink, obs Observer) error
}

// Job is one trial to run, with what the executor needs from its
// experiment.
type Job struct {
	Trial *spec.Trial
	// Metrics are the experiment's declared metrics: their summary rules
	// and stdout patterns.
	Metrics []*spec.Metric
	// MetricsFrom names the files the trial's libraries write metrics
	// to; nil for none.
	MetricsFrom *spec.MetricsFrom
	// Artifacts are globs, relative to the workdir, of files to keep.
	Artifacts []string
	// SpecFile is where the experiment is declared, for messages.
	SpecFile string
	// InputArtifacts are what the trial's artifact() inputs resolved to;
	// they go into its record (see Plan.AttachLineage).
	InputArtifacts []ArtifactOrigin
	// Search places the trial in its experiment's search, for its record;
	// EarlyStop, when set, may stop it early (see Plan.AttachSearch).
	Search    *SearchOrigin
	EarlyStop *EarlyStop
}

// EarlyStop is how an executor stops a trial of a search early: it feeds
// each new point of Metric, in the order they arrive, to a judge, and
// when the judge gives a reason it stops the trial as it would on a
// timeout and records it as stopped, with its partial series.
type EarlyStop struct {
	Metric string
	// Follow returns a fresh judge for one attempt; the judge returns why
	// the trial should stop, or "" while it should go on. One attempt's
	// judge is called from one goroutine at a time.
	Follow func() func(step int64, value float64) string
}

// Name is how messages name the job: experiment, param point and seed.
func (j *Job) Name() string {
	t := j.Trial
	if len(t.Params) == 0 {
		return fmt.Sprintf("%s[%d] seed=%d", t.Experiment, t.Index, t.Seed)
	}
	return fmt.Sprintf("%s[%d] %s seed=%d", t.Experiment, t.Index, formatParams(t.Params), t.Seed)
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
		parts[i] = fmt.Sprintf("%s=%v", k, params[k])
	}
	return strings.Join(parts, " ")
}

// NewJobs pairs each trial with its experiment from project.
func NewJobs(project *spec.Project, trials []*spec.Trial) []*Job {
	jobs := make([]*Job, 0, len(trials))
	for _, t := range trials {
		j := &Job{Trial: t}
		if e := project.Experiment(t.Experiment); e != nil {
			j.Metrics, j.Artifacts, j.SpecFile = e.Metrics, e.Artifacts, e.File
			j.MetricsFrom = e.MetricsFrom
		}
		jobs = append(jobs, j)
	}
	return jobs
}

// Batch is one invocation's worth of jobs and what every record of it
// shares.
type Batch struct {
	Jobs []*Job
	// Root is the repository root; each trial's workdir is relative to it.
	Root string
	// StateDir holds the working files of running trials (logs, metrics
	// files, artifacts); by default <git dir>/assay.
	StateDir string
	// SourceCommit, Trigger, PR and ID (Result.Batch) go into every
	// record.
	ID           string
	SourceCommit string
	Trigger      string
	PR           int
	// Secrets are values secret_env may name beyond assay's environment
	// (from ASSAY_SECRETS); the environment wins.
	Secrets Secrets
	// Withheld are assay's own credentials (OwnCredentials): never given
	// to a trial, even when secret_env names one.
	Withheld []string
	// Mask hides secret values in everything the executor writes: the
	// log as the trial writes it, and the run it hands to the sink.
	Mask *Mask
}

// Refusal is a job an executor will not run, and why.
type Refusal struct {
	Job *Job
	// Reason is a sentence a user can act on.
	Reason string
}

// EventKind says what happened to a job.
type EventKind int

// The events an Observer sees, in the order one job goes through them.
const (
	// EventStarted: an attempt's process started (or failed to start).
	EventStarted EventKind = iota + 1
	// EventMetric: the attempt reported a new value of a metric.
	EventMetric
	// EventFinished: an attempt ended and its result is in the sink.
	EventFinished
	// EventRetrying: a failed attempt will be run again.
	EventRetrying
)

// Event is one change in a batch, for progress displays.
type Event struct {
	Kind    EventKind
	Job     *Job
	Attempt int
	RunID   string
	Time    time.Time
	// GPUs are the device ids the attempt owns.
	GPUs []string
	// LogPath is the attempt's log on local disk (EventStarted,
	// EventFinished). It may be removed once the sink holds its own copy,
	// so read it during the Observe call, not later.
	LogPath string
	// Metric and Value are the latest point of a metric (EventMetric).
	Metric string
	Value  float64
	// Result is the record (EventFinished, EventRetrying).
	Result *Result
}

// Observer sees a batch's events. An executor never calls it from two
// goroutines at once, and it must not block for long.
type Observer interface {
	Observe(Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Event)

// Observe calls f(e).
func (f ObserverFunc) Observe(e Event) { f(e) }
