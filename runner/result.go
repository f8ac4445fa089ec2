package runner

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"os"
	"strings"
	"time"
)

// ResultSchema is the schema tag of every run record.
const ResultSchema = "assay.run/v1"

// Status is how a trial ended.
type Status string

// Retryable reports whether a trial that ended so may be run again under
// its retries: a failure or a timeout, never a cancellation (the user
// asked it to stop) and never a success.
func (s Status) Retryable() bool { return s == StatusFailed || s == StatusTimedOut }

// The statuses a run record may carry.
const (
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	StatusTimedOut  Status = "timed_out"
	StatusCancelled Status = "cancelled"
	// StatusStopped is a trial of a search that an early_stop rule
	// stopped: its partial series is evidence, not a failure.
	StatusStopped Status = "stopped"
)

// runIDEncoding is lowercase Crockford-style base32: no padding, no
// letters that read like digits (i, l, o, u).
var runIDEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewRunID returns a run id for an attempt started at t: the UTC time to
// the millisecond, then 10 random base32 characters (50 bits), as in
//
//	20261127T134501.123Z-7k3m9q2xa4
//
// Ids sort by start time as plain strings (the spool and the results
// branch list runs oldest first that way), are unique without any
// coordination between machines, and are safe as file names.
func NewRunID(t time.Time) string {
	var b [7]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("runner: no randomness for a run id: " + err.Error())
	}
	return t.UTC().Format("20060102T150405.000Z") + "-" + strings.ToLower(runIDEncoding.EncodeToString(b[:]))[:10]
}

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
	// ExitCode is the command's exit status; 128+N when a signal N ended
	// it (the shell's convention), -1 when it never started.
	ExitCode int `json:"exit_code"`
	// Attempt counts from 1; retries of a failed trial raise it.
	Attempt int `json:"attempt"`
	// Metrics are each metric's summary (see the metric's summary rule).
	// Non-finite values are never stored here; they are named in Warnings.
	Metrics  map[string]float64 `json:"metrics"`
	Warnings []string           `json:"warnings,omitempty"`
	// Error says, in words a user can act on, why a trial did not start or
	// was stopped (command not found, workdir missing, timeout after 2h,
	// cancelled). Empty for a trial whose command ran to its own exit.
	Error string `json:"error,omitempty"`

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

	// Artifacts are the files kept from the run, relative to its
	// artifacts directory (ASSAY_ARTIFACTS_DIR).
	Artifacts []string `json:"artifacts,omitempty"`
	// Manifest describes each kept file: size, SHA-256, media type and
	// where the artifact store holds it. Records older than the manifest
	// have none.
	Manifest []ArtifactFile `json:"manifest,omitempty"`
	// FullLog is the whole log in the artifact store; the results branch
	// keeps only its tail.
	FullLog *ArtifactFile `json:"full_log,omitempty"`
	// InputArtifacts are the artifacts of other experiments the trial
	// consumed through artifact() inputs.
	InputArtifacts []ArtifactOrigin `json:"input_artifacts,omitempty"`

	SourceCommit string `json:"source_commit"`
	Trigger      string `json:"trigger"`
	PR           int    `json:"pr,omitempty"`
	// Batch names the invocation that ran the trial: "github-<run id>" for
	// every shard of one GitHub Actions workflow run, else the id of the
	// assay run that ran it. A nightly comparison groups runs by it.
	Batch string `json:"batch,omitempty"`
	// Search says which round and proposal of its experiment's search
	// produced the trial; absent for a trial of no search.
	Search *SearchOrigin `json:"search,omitempty"`
}

// SearchOrigin places a trial in its search: the round that proposed its
// point, and the point's number among all the search's proposals (from
// 0, in the order they were made).
type SearchOrigin struct {
	Round    int `json:"round"`
	Proposal int `json:"proposal"`
}

// BatchID names the invocation runs are part of: the GitHub Actions
// workflow run, shared by all its shards and job retries, or else a new id
// made from now.
func BatchID(getenv func(string) string, now time.Time) string {
	if id := getenv("GITHUB_RUN_ID"); id != "" && getenv("GITHUB_ACTIONS") == "true" {
		return "github-" + id
	}
	return NewRunID(now)
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
	// ArtifactsDir is the directory the trial's artifacts were kept in,
	// or "" when it kept none. Like the log, a sink keeps its own copy:
	// the executor may remove both once Record returns.
	ArtifactsDir string
	// LogMasked says the executor masked the log as it was written (see
	// Mask), so masking the run need not read it again.
	LogMasked bool
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

// AnyRecorded is the Recorded of several stores together: a key is
// recorded if any of them has it (the results branch, and the local spool
// of runs not yet delivered to it).
type AnyRecorded []Recorded

// Recorded reports whether any store has a succeeded run of key.
func (rs AnyRecorded) Recorded(key string) bool {
	for _, r := range rs {
		if r != nil && r.Recorded(key) {
			return true
		}
	}
	return false
}

// NothingRecorded is the Recorded of a project with no history.
type NothingRecorded struct{}

// Recorded reports false for every key.
func (NothingRecorded) Recorded(string) bool { return false }

// TriggerFromEnv says why trials run, from the GitHub Actions environment
// (GITHUB_EVENT_NAME, and the pull request number from the event at
// GITHUB_EVENT_PATH): pr, push, schedule, or manual outside Actions and
// for any other event.
func TriggerFromEnv(getenv func(string) string) (trigger string, pr int) {
	switch getenv("GITHUB_EVENT_NAME") {
	case "pull_request", "pull_request_target":
		trigger = TriggerPR
	case "push":
		return TriggerPush, 0
	case "schedule":
		return TriggerSchedule, 0
	default:
		return TriggerManual, 0
	}
	b, err := os.ReadFile(getenv("GITHUB_EVENT_PATH"))
	if err != nil {
		return trigger, 0
	}
	var ev struct {
		Number      int `json:"number"`
		PullRequest struct {
			Number int `json:"number"`
		} `json:"pull_request"`
	}
	if json.Unmarshal(b, &ev) == nil {
		pr = ev.Number
		if ev.PullRequest.Number != 0 {
			pr = ev.PullRequest.Number
		}
	}
	return trigger, pr
}
