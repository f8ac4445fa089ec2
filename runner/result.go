package runner

import (
	"context"
	"time"
)

// ResultSchema is the schema tag of every run record.
const ResultSchema = "assay.run/v1"

// Status is how a trial ended.
type Status string

// The statuses a run record may carry.
const (
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	StatusTimedOut  Status = "timed_out"
	StatusCancelled Status = "cancelled"
)

// Triggers say why a trial ran.
const (
	TriggerPR       = "pr"
	TriggerPush     = "push"
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
)

// Result is the record of one run of one trial: the assay.run/v1 record of
// DESIGN.md. It is what the results branch stores as
// runs/<experiment>/<key[0:2]>/<key>/<run-id>.json, with the metric
// series and log tail in files beside it.
type Result struct {
	Schema     string         `json:"schema"`
	RunID      string         `json:"run_id"`
	TrialKey   string         `json:"trial_key"`
	Experiment string         `json:"experiment"`
	Params     map[string]any `json:"params"`
	Seed       int64          `json:"seed"`
	Status     Status         `json:"status"`
	ExitCode   int            `json:"exit_code"`
	// Attempt counts from 1; retries of a failed trial raise it.
	Attempt int `json:"attempt"`
	// Metrics are each metric's summary (see the metric's summary rule).
	// Non-finite values are never stored here; they are named in Warnings.
	Metrics  map[string]float64 `json:"metrics"`
	Warnings []string           `json:"warnings,omitempty"`

	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// DurationS is the wall time of the run in seconds.
	DurationS float64 `json:"duration_s"`

	Command  []string `json:"command"`
	Workdir  string   `json:"workdir"`
	Labels   []string `json:"labels"`
	GPUs     []string `json:"gpus"`
	Executor string   `json:"executor"`
	System   System   `json:"system"`

	SourceCommit string `json:"source_commit"`
	Trigger      string `json:"trigger"`
	PR           int    `json:"pr,omitempty"`
}

// System describes the machine a trial ran on.
type System struct {
	Host      string `json:"host"`
	OS        string `json:"os,omitempty"`
	GPUModel  string `json:"gpu_model,omitempty"`
	GPUDriver string `json:"gpu_driver,omitempty"`
	// GPUPeakMemoryMiB and GPUUtilMean are sampled while the trial runs.
	GPUPeakMemoryMiB float64 `json:"gpu_peak_memory_mib,omitempty"`
	GPUUtilMean      float64 `json:"gpu_util_mean,omitempty"`
}

// Point is one entry of a metric series.
type Point struct {
	Step  int64   `json:"step"`
	Value float64 `json:"value"`
}

// Run is a finished trial: its record and what belongs beside it.
type Run struct {
	Result *Result
	// Series holds each metric's points in step order.
	Series map[string][]Point
	// LogPath is the trial's full log on local disk.
	LogPath string
}

// Sink receives finished runs. A sink must have the run on durable
// storage before Record returns: the caller reports a trial done only
// afterwards, so a crash never loses a result that was reported.
type Sink interface {
	Record(ctx context.Context, run *Run) error
}

// Recorded answers the plan's one question about history: does this trial
// key already have a succeeded run?
type Recorded interface {
	Recorded(key string) bool
}

// NothingRecorded is the Recorded of a project with no history.
type NothingRecorded struct{}

// Recorded reports false for every key.
func (NothingRecorded) Recorded(string) bool { return false }
