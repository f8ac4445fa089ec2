// Package executortest is the test suite every executor passes: the run
// contract, outcomes, timeouts, cancellation, retries, GPU and CPU slots,
// refusals and bad metrics, checked through runner.Executor alone with a
// real spool as the sink. An executor's own test calls Run with a Harness
// that builds it for a described machine:
//
//	func TestSuite(t *testing.T) {
//		executortest.Run(t, executortest.Harness{New: func(t *testing.T, m executortest.Machine) runner.Executor {
//			return local.New(local.Config{...from m...})
//		}})
//	}
//
// Trials are shell scripts (/bin/sh), so the suite needs nothing but a
// POSIX system.
package executortest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

// Machine describes what the executor under test should offer.
type Machine struct {
	GPUs     []string
	Labels   []string
	Parallel int
	// KillGrace is the time between SIGTERM and SIGKILL.
	KillGrace time.Duration
	// Environ is the environment assay itself runs in; nil means the
	// test process's.
	Environ []string
}

// Harness builds the executor under test.
type Harness struct {
	New func(t *testing.T, m Machine) runner.Executor
	// SpanScale stretches the short trials (0.2-0.3 s) whose overlaps the
	// slot tests measure, for an executor whose trials start with more
	// skew than that (a batch scheduler); 0 means 1.
	SpanScale float64
}

// Run runs the whole suite.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"Contract", testContract},
		{"ExitCodes", testExitCodes},
		{"CommandNotFound", testCommandNotFound},
		{"WorkdirMissing", testWorkdirMissing},
		{"TimeoutKillsGrandchildren", testTimeoutKillsGrandchildren},
		{"IgnoresSIGTERM", testIgnoresSIGTERM},
		{"Cancel", testCancel},
		{"Retries", testRetries},
		{"GPUSlots", testGPUSlots},
		{"CPUSlots", testCPUSlots},
		{"Refusals", testRefusals},
		{"BadMetrics", testBadMetrics},
		{"MetricsFileDeleted", testMetricsFileDeleted},
		{"LargeStdout", testLargeStdout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, h)
		})
	}
}

// env is one test's repository, state directory and sink.
type env struct {
	t     *testing.T
	root  string
	state string
	spool *spool.Spool
	mu    sync.Mutex
	// events are what the observer saw, in order.
	events []runner.Event
	// mask, secrets and withheld go into the batch (Batch.Mask, Secrets,
	// Withheld). The sink and the observer do not mask: the executor
	// itself must hand on nothing unmasked.
	mask     *runner.Mask
	secrets  runner.Secrets
	withheld []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, root: filepath.Join(dir, "repo"), state: filepath.Join(dir, "state")}
	if err := os.MkdirAll(e.root, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := spool.Open(filepath.Join(e.state, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	e.spool = s
	return e
}

// job makes a CPU job whose command is a shell script run in the repo.
func job(name string, script string, opts ...func(*runner.Job)) *runner.Job {
	t := &spec.Trial{
		Experiment: name,
		Params:     map[string]any{"lr": 0.1},
		ParamsJSON: `{"lr":0.1}`,
		Seed:       7,
		Command:    []string{"/bin/sh", "-c", script},
		Workdir:    ".",
		Env:        map[string]string{"FROM_SPEC": "yes"},
	}
	t.ComputeKey()
	j := &runner.Job{Trial: t}
	for _, o := range opts {
		o(j)
	}
	j.Trial.ComputeKey()
	return j
}

func withGPUs(n int) func(*runner.Job) { return func(j *runner.Job) { j.Trial.Runner.GPUs = n } }
func withTimeout(d time.Duration) func(*runner.Job) {
	return func(j *runner.Job) { j.Trial.Runner.Timeout = d }
}
func withRetries(n int) func(*runner.Job) { return func(j *runner.Job) { j.Trial.Runner.Retries = n } }
func withMetrics(ms ...*spec.Metric) func(*runner.Job) {
	return func(j *runner.Job) { j.Metrics = ms }
}

// execute runs jobs and returns the spooled runs by experiment name, in
// the order they were recorded.
func (e *env) execute(ctx context.Context, x runner.Executor, jobs ...*runner.Job) map[string][]*runner.Run {
	e.t.Helper()
	b := &runner.Batch{Jobs: jobs, Root: e.root, StateDir: e.state, ID: "batch-1", SourceCommit: "abc123", Trigger: runner.TriggerManual,
		Mask: e.mask, Secrets: e.secrets, Withheld: e.withheld}
	obs := runner.ObserverFunc(func(ev runner.Event) {
		e.mu.Lock()
		defer e.mu.Unlock()
		if ev.Kind == runner.EventFinished {
			// The run must be in the sink before it is reported done.
			if _, err := e.spool.Get(ev.RunID); err != nil {
				e.t.Errorf("%s reported finished before it was recorded: %v", ev.RunID, err)
			}
		}
		e.events = append(e.events, ev)
	})
	if err := x.Execute(ctx, b, e.spool, obs); err != nil {
		e.t.Fatalf("Execute: %v", err)
	}
	return e.runs()
}

func (e *env) runs() map[string][]*runner.Run {
	e.t.Helper()
	ids, err := e.spool.List()
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]*runner.Run{}
	for _, id := range ids {
		r, err := e.spool.Get(id)
		if err != nil {
			e.t.Fatal(err)
		}
		out[r.Result.Experiment] = append(out[r.Result.Experiment], r)
	}
	return out
}

// only returns the single run recorded for name.
func only(t *testing.T, runs map[string][]*runner.Run, name string) *runner.Run {
	t.Helper()
	if len(runs[name]) != 1 {
		t.Fatalf("%s: %d runs recorded, want 1 (all: %v)", name, len(runs[name]), keys(runs))
	}
	return runs[name][0]
}

func keys(m map[string][]*runner.Run) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s×%d", k, len(v)))
	}
	return out
}

func readLog(t *testing.T, r *runner.Run) string {
	t.Helper()
	if r.LogPath == "" {
		t.Fatalf("run %s has no log", r.Result.RunID)
	}
	b, err := os.ReadFile(r.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantStatus(t *testing.T, r *runner.Run, st runner.Status, exit int) {
	t.Helper()
	if r.Result.Status != st || r.Result.ExitCode != exit {
		t.Errorf("%s: status %s exit %d, want %s exit %d (error %q)", r.Result.Experiment, r.Result.Status, r.Result.ExitCode, st, exit, r.Result.Error)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
