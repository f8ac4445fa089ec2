// Package comparetest builds comparison inputs for tests: experiments
// decoded by the real spec loader from HCL text, and recorded runs held in
// memory behind the same lookup the results store offers.
package comparetest

import (
	"fmt"
	"sort"
	"testing"
	"testing/fstest"
	"time"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// Epoch is the time the first recorded run of every scenario starts.
var Epoch = time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)

// Load decodes one experiment file and returns its experiments by name.
// The file is loaded exactly as `assay validate` would load it.
func Load(t testing.TB, src string) map[string]*spec.Experiment {
	t.Helper()
	fsys := fstest.MapFS{"experiments/spec.hcl": &fstest.MapFile{Data: []byte(src)}}
	p, diags := spec.Load(fsys, spec.LoadOptions{})
	if diags.HasErrors() {
		t.Fatalf("scenario spec does not load: %s", diags.Error())
	}
	out := map[string]*spec.Experiment{}
	for _, e := range p.Experiments {
		out[e.Name] = e
	}
	return out
}

// Side expands e into its trials with the given inputs fingerprint.
func Side(t testing.TB, e *spec.Experiment, inputs string) *compare.SideInput {
	t.Helper()
	ts, diags := e.Trials(inputs)
	if diags.HasErrors() {
		t.Fatalf("expanding %s: %s", e.Name, diags.Error())
	}
	return &compare.SideInput{Spec: e, Trials: ts}
}

// Store holds recorded runs by trial key, with their log tails.
type Store struct {
	runs map[string][]*runner.Result
	logs map[string]string
	seq  int
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{runs: map[string][]*runner.Result{}, logs: map[string]string{}}
}

// Lookup returns every run of key, as the results index does.
func (s *Store) Lookup(key string) []*runner.Result { return s.runs[key] }

// LogTail returns the log tail recorded with a run.
func (s *Store) LogTail(r *runner.Result) string { return s.logs[r.RunID] }

// Run describes one recorded run; zero fields take plain defaults.
type Run struct {
	// Status defaults to succeeded.
	Status  runner.Status
	Metrics map[string]float64
	Commit  string
	// Trigger defaults to pr.
	Trigger string
	PR      int
	// Started defaults to Epoch plus one minute per run recorded so far.
	Started time.Time
	// Duration defaults to ten minutes.
	Duration time.Duration
	GPUs     int
	ExitCode int
	Log      string
}

// Record stores a run of trial t and returns its record.
func (s *Store) Record(t *spec.Trial, r Run) *runner.Result {
	s.seq++
	if r.Status == "" {
		r.Status = runner.StatusSucceeded
	}
	if r.Trigger == "" {
		r.Trigger = runner.TriggerPR
	}
	if r.Started.IsZero() {
		r.Started = Epoch.Add(time.Duration(s.seq) * time.Minute)
	}
	if r.Duration == 0 {
		r.Duration = 10 * time.Minute
	}
	gpus := make([]string, r.GPUs)
	for i := range gpus {
		gpus[i] = fmt.Sprint(i)
	}
	res := &runner.Result{
		Schema: runner.ResultSchema, RunID: fmt.Sprintf("run-%05d", s.seq), TrialKey: t.Key,
		Experiment: t.Experiment, Params: t.Params, Seed: t.Seed, Status: r.Status, ExitCode: r.ExitCode,
		Attempt: 1, Metrics: r.Metrics, Started: r.Started, Finished: r.Started.Add(r.Duration),
		DurationS: r.Duration.Seconds(), Command: t.Command, Workdir: t.Workdir, Labels: t.Runner.Labels,
		GPUs: gpus, Executor: "local", System: runner.System{Host: "ci-1"},
		SourceCommit: r.Commit, Trigger: r.Trigger, PR: r.PR,
	}
	if res.Metrics == nil {
		res.Metrics = map[string]float64{}
	}
	s.runs[t.Key] = append(s.runs[t.Key], res)
	if r.Log != "" {
		s.logs[res.RunID] = r.Log
	}
	return res
}

// Keys lists the keys that have runs, sorted.
func (s *Store) Keys() []string {
	out := make([]string, 0, len(s.runs))
	for k := range s.runs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
