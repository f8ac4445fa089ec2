package local

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

// Each stdout line is matched once, on its own: blank lines between the
// lines a pattern metric reads (a training loop's print() of an empty
// line) add no points and do not glue lines together, so the series has
// one point per matching line.
func TestPatternMetricSeesEachLineOnce(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	sp, _ := spool.Open(filepath.Join(state, "spool"))
	j := trial("blank", `printf 'epoch 1\n\nval_acc: 0.5\n\n\nval_acc: 0.75\nval_acc: 0.8'`)
	j.Metrics = []*spec.Metric{{Name: "acc", Summary: "last", Pattern: regexp.MustCompile(`val_acc: ([0-9.]+)`)}}
	x := New(Config{Parallel: 1, Environ: os.Environ()})
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{j}, Root: root, StateDir: state}, sp, nil); err != nil {
		t.Fatal(err)
	}
	ids, _ := sp.List()
	run, err := sp.Get(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	want := []runner.Point{{Step: 1, Value: 0.5}, {Step: 2, Value: 0.75}, {Step: 3, Value: 0.8}}
	if diff := cmp.Diff(want, run.Series["acc"]); diff != "" || run.Result.Metrics["acc"] != 0.8 {
		t.Errorf("summary %v; series (-want +got):\n%s", run.Result.Metrics, diff)
	}
}
