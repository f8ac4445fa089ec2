package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

func progressJob(name string, gpus int) *runner.Job {
	t := &spec.Trial{Experiment: name, Params: map[string]any{"lr": 0.1}, Seed: 1}
	t.Runner.GPUs = gpus
	t.Runner.Retries = 1
	return &runner.Job{Trial: t}
}

// In GitHub Actions each finished trial's log tail is folded into a group,
// with workflow commands in the log disabled, and a failure becomes an
// error annotation.
func TestActionsProgressGroupsLogTails(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	os.WriteFile(log, []byte("epoch 1\n::error::not a real command\nTraceback: boom\n"), 0o644)
	var out bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := newProgressState(2, func() time.Time { return now }, func(id string) string { return "spool/" + id + "/log" })
	p := &lineProgress{st: st, w: &out, actions: true}
	j := progressJob("resnet", 1)
	p.Observe(runner.Event{Kind: runner.EventStarted, Job: j, Attempt: 1, GPUs: []string{"0"}, Time: now})
	p.Observe(runner.Event{Kind: runner.EventFinished, Job: j, Attempt: 1, LogPath: log, Result: &runner.Result{
		RunID: "r1", Status: runner.StatusFailed, ExitCode: 1, DurationS: 2.5, Metrics: map[string]float64{"acc": 0.5}}})
	p.Observe(runner.Event{Kind: runner.EventRetrying, Job: j, Attempt: 2})
	got := out.String()
	for _, want := range []string{
		"[0/2] started   resnet[0] lr=0.1 seed=1 on GPU 0\n",
		"::group::[0/2] failed    resnet[0] lr=0.1 seed=1 in 2.5s  acc=0.5%0A    exit code 1%0A    log: spool/r1/log\n",
		"::stop-commands::assay-r1\nepoch 1\n::error::not a real command\nTraceback: boom\n::assay-r1::\n::endgroup::\n",
		"::warning title=assay%3A trial failed%2C retrying::resnet[0] lr=0.1 seed=1: exit code 1\n",
		"[0/2] retrying  resnet[0] lr=0.1 seed=1 (attempt 2 of 2)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

// The live view lists running trials with elapsed time, GPUs and latest
// metric, then the counts and an ETA; finished trials print above it, and
// Close leaves only those.
func TestLiveProgress(t *testing.T) {
	var out bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st := newProgressState(3, clock, func(id string) string { return id })
	p := newLiveProgress(st, &out, false)
	a, b := progressJob("a", 2), progressJob("b", 0)
	p.Observe(runner.Event{Kind: runner.EventStarted, Job: a, Attempt: 1, GPUs: []string{"0", "1"}, Time: now})
	p.Observe(runner.Event{Kind: runner.EventStarted, Job: b, Attempt: 1, Time: now})
	st.mu.Lock() // the view's ticker reads the clock too
	now = now.Add(65 * time.Second)
	st.mu.Unlock()
	p.Observe(runner.Event{Kind: runner.EventMetric, Job: a, Metric: "val_acc", Value: 0.8125})
	screen := out.String()
	if !regexp.MustCompile(`(?m)  1m05s +a\[0\] lr=0.1 seed=1 \[GPU 0,1\]  val_acc=0.8125$`).MatchString(screen) {
		t.Errorf("running line missing:\n%s", screen)
	}
	if !strings.Contains(screen, "2 running · 1 queued · 0 done  (1m05s elapsed)") {
		t.Errorf("counts missing:\n%s", screen)
	}
	p.Observe(runner.Event{Kind: runner.EventFinished, Job: b, Attempt: 1, Result: &runner.Result{RunID: "r", Status: runner.StatusSucceeded, DurationS: 60}})
	screen = out.String()
	if !strings.Contains(screen, "1 running · 1 queued · 1 done · ETA ~2m00s") {
		t.Errorf("ETA missing:\n%s", screen)
	}
	out.Reset()
	p.Close()
	if !strings.HasPrefix(out.String(), "\x1b[") || strings.Contains(out.String(), "running") {
		t.Errorf("Close should only erase the block, wrote %q", out.String())
	}
}

// The counter counts trials as they end for good, so it never goes back:
// a failed attempt that will be retried leaves it where it was, and the
// trial counts once, when its last attempt ends. A Slurm job that is lost
// and retried (no finished attempt) leaves it alone too.
func TestProgressCounterOnRetries(t *testing.T) {
	var out bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := newProgressState(2, func() time.Time { return now }, func(id string) string { return id })
	p := &lineProgress{st: st, w: &out}
	a, b := progressJob("a", 0), progressJob("b", 0)
	failed := func(id string, code int) *runner.Result {
		return &runner.Result{RunID: id, Status: runner.StatusFailed, ExitCode: code, DurationS: 1}
	}
	for _, ev := range []runner.Event{
		{Kind: runner.EventStarted, Job: a, Attempt: 1},
		{Kind: runner.EventStarted, Job: b, Attempt: 1},
		{Kind: runner.EventFinished, Job: a, Attempt: 1, Result: failed("a1", 1)},
		{Kind: runner.EventRetrying, Job: a, Attempt: 2, Result: failed("a1", 1)},
		{Kind: runner.EventRetrying, Job: b, Attempt: 2, Result: failed("b1", -1)},
		{Kind: runner.EventStarted, Job: a, Attempt: 2},
		{Kind: runner.EventStarted, Job: b, Attempt: 2},
		{Kind: runner.EventFinished, Job: a, Attempt: 2, Result: failed("a2", 1)},
		{Kind: runner.EventFinished, Job: b, Attempt: 2, Result: &runner.Result{RunID: "b2", Status: runner.StatusSucceeded, DurationS: 1}},
	} {
		p.Observe(ev)
	}
	var counters []string
	for _, m := range regexp.MustCompile(`(?m)^\[(\d)/2\] (\S+)`).FindAllStringSubmatch(out.String(), -1) {
		counters = append(counters, m[1]+" "+m[2])
	}
	want := "0 started,0 started,0 failed,0 retrying,0 retrying,0 started,0 started,1 failed,2 succeeded"
	if got := strings.Join(counters, ","); got != want {
		t.Errorf("counters:\n%s\nwant:\n%s\nin:\n%s", got, want, out.String())
	}
	if st.queued() != 0 || len(st.running) != 0 || st.done != 1 || st.failed != 1 {
		t.Errorf("queued %d running %d done %d failed %d, want 0 0 1 1", st.queued(), len(st.running), st.done, st.failed)
	}
}
