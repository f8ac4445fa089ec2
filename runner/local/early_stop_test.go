package local

import (
	"context"
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

// A trial whose judge rejects its series is stopped (SIGTERM to its
// group), recorded as stopped with the judge's reason and the series it
// reported so far, and is not retried; the judge saw every point in
// order. The trial would otherwise never end.
func TestEarlyStopStopsTheTrial(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	sp, _ := spool.Open(filepath.Join(state, "spool"))
	j := trial("search", `i=1; while :; do echo "{\"step\": $i, \"loss\": $((100 - i))}" >> "$ASSAY_METRICS_FILE"; i=$((i+1)); sleep 0.01; done`)
	j.Trial.Runner.Retries = 2
	j.Metrics = []*spec.Metric{{Name: "loss", Goal: "minimize", Summary: "last"}}
	var mu sync.Mutex
	var seen []int64
	j.EarlyStop = &runner.EarlyStop{Metric: "loss", Follow: func() func(int64, float64) string {
		return func(step int64, v float64) string {
			mu.Lock()
			seen = append(seen, step)
			mu.Unlock()
			if step >= 5 {
				return "at step 5, loss 95 is not good enough"
			}
			return ""
		}
	}}
	j.Search = &runner.SearchOrigin{Round: 2, Proposal: 9}
	x := New(Config{Parallel: 1, Environ: os.Environ(), PollInterval: 20 * time.Millisecond, KillGrace: 5 * time.Second})
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{j}, Root: root, StateDir: state}, sp, nil); err != nil {
		t.Fatal(err)
	}
	ids, _ := sp.List()
	if len(ids) != 1 {
		t.Fatalf("%d runs recorded, want 1 (a stopped trial is not retried)", len(ids))
	}
	run, err := sp.Get(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	res := run.Result
	if res.Status != runner.StatusStopped || !strings.Contains(res.Error, "stopped early: at step 5") {
		t.Errorf("status %s, error %q", res.Status, res.Error)
	}
	if res.Search == nil || res.Search.Round != 2 || res.Search.Proposal != 9 {
		t.Errorf("search origin %+v", res.Search)
	}
	pts := run.Series["loss"]
	if len(pts) < 5 || pts[4].Step != 5 || res.Metrics["loss"] != pts[len(pts)-1].Value {
		t.Errorf("series %v, summary %v", pts, res.Metrics)
	}
	mu.Lock()
	defer mu.Unlock()
	for i, s := range seen {
		if s != int64(i+1) {
			t.Fatalf("the judge saw steps %v, not each in order", seen)
		}
	}
}

// A trial that ends on its own before its judge objects succeeds as
// usual, and a job without early stopping is never judged.
func TestEarlyStopLetsGoodTrialsFinish(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	sp, _ := spool.Open(filepath.Join(state, "spool"))
	j := trial("search", `for i in 1 2 3; do echo "{\"step\": $i, \"loss\": 1}" >> "$ASSAY_METRICS_FILE"; done`)
	j.Metrics = []*spec.Metric{{Name: "loss", Goal: "minimize", Summary: "last"}}
	j.EarlyStop = &runner.EarlyStop{Metric: "loss", Follow: func() func(int64, float64) string {
		return func(int64, float64) string { return "" }
	}}
	x := New(Config{Parallel: 1, Environ: os.Environ(), PollInterval: 20 * time.Millisecond})
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{j}, Root: root, StateDir: state}, sp, nil); err != nil {
		t.Fatal(err)
	}
	ids, _ := sp.List()
	run, _ := sp.Get(ids[0])
	if run.Result.Status != runner.StatusSucceeded || len(run.Series["loss"]) != 3 || run.Result.Search != nil {
		t.Errorf("status %s, series %v, search %+v", run.Result.Status, run.Series["loss"], run.Result.Search)
	}
}
