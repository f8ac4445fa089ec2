package local

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
)

// A run's record carries the trial's params and the labels its runner
// asked for; a trial with neither records an empty object and an empty
// list, never null, so that readers of the results branch need no
// special case.
func TestRecordCarriesParamsAndLabels(t *testing.T) {
	for _, c := range []struct {
		name         string
		params       map[string]any
		labels       []string
		wantP, wantL string
	}{
		{name: "set", params: map[string]any{"lr": 0.1}, labels: []string{"gpu"}, wantP: `{"lr":0.1}`, wantL: `["gpu"]`},
		{name: "unset", wantP: `{}`, wantL: `[]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			root, state := t.TempDir(), t.TempDir()
			sp, _ := spool.Open(filepath.Join(state, "spool"))
			j := trial("fields", "true")
			j.Trial.Params, j.Trial.Runner.Labels = c.params, c.labels
			x := New(Config{Parallel: 1, Labels: []string{"cpu", "gpu"}, Environ: os.Environ()})
			if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{j}, Root: root, StateDir: state}, sp, nil); err != nil {
				t.Fatal(err)
			}
			ids, _ := sp.List()
			if len(ids) != 1 {
				t.Fatalf("%d runs recorded, want 1", len(ids))
			}
			run, err := sp.Get(ids[0])
			if err != nil {
				t.Fatal(err)
			}
			p, _ := json.Marshal(run.Result.Params)
			l, _ := json.Marshal(run.Result.Labels)
			if string(p) != c.wantP || string(l) != c.wantL {
				t.Errorf("params %s labels %s, want %s %s", p, l, c.wantP, c.wantL)
			}
		})
	}
}
