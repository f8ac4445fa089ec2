package local

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/metrics/tfevents"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

// A trial whose training code writes TensorBoard events and removes its
// log directory before it exits still reports them: metrics_from files
// are read while the trial runs, even with nobody watching progress.
func TestMetricsFromIsReadWhileTheTrialRuns(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	var file []byte
	file = tfevents.AppendRecord(file, tfevents.FileVersionEvent(1))
	for step := int64(1); step <= 3; step++ {
		file = tfevents.AppendRecord(file, tfevents.ScalarEvent(1, step, "val/acc", float32(step)/4))
	}
	if err := os.WriteFile(filepath.Join(root, "events.bin"), file, 0o644); err != nil {
		t.Fatal(err)
	}
	p, diags := spec.Load(fstest.MapFS{"experiments/e.hcl": {Data: []byte(`experiment "e" {
  command = ["sh", "-c", "mkdir -p logs && cp events.bin logs/events.out.tfevents.1 && sleep 1 && rm -r logs"]
  metrics_from { tensorboard = "logs" }
  metric "acc" {
    tag     = "val/acc"
    summary = "max"
  }
}`)}}, spec.LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	trials, _ := p.Experiments[0].Trials("")
	jobs := runner.NewJobs(p, trials)
	if jobs[0].MetricsFrom == nil {
		t.Fatal("the job has no metrics_from")
	}
	sp, _ := spool.Open(filepath.Join(state, "spool"))
	x := New(Config{Parallel: 1, Environ: os.Environ(), PollInterval: 20 * time.Millisecond})
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: jobs, Root: root, StateDir: state}, sp, nil); err != nil {
		t.Fatal(err)
	}
	ids, _ := sp.List()
	run, err := sp.Get(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if run.Result.Status != runner.StatusSucceeded || run.Result.Metrics["acc"] != 0.75 {
		t.Errorf("status %s, metrics %v, warnings %q", run.Result.Status, run.Result.Metrics, run.Result.Warnings)
	}
	want := []runner.Point{{Step: 1, Value: 0.25}, {Step: 2, Value: 0.5}, {Step: 3, Value: 0.75}}
	if diff := cmp.Diff(want, run.Series["acc"]); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
}
