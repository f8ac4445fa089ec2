package query

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
)

func entries() []*results.Entry {
	mk := func(id, exp string, lr, acc float64, status runner.Status) *results.Entry {
		e := &results.Entry{RunID: id, TrialKey: "k" + id, Experiment: exp, Status: status,
			Params: map[string]any{"lr": lr, "opt": "adam"}, Metrics: map[string]float64{},
			Started: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(len(id)) * time.Hour)}
		if acc >= 0 {
			e.Metrics["val_acc"] = acc
		}
		return e
	}
	return []*results.Entry{
		mk("a1", "resnet", 0.1, 0.91, runner.StatusSucceeded),
		mk("a2", "resnet", 0.03, 0.95, runner.StatusSucceeded),
		mk("a3", "resnet", 0.01, 0.80, runner.StatusSucceeded),
		mk("b1", "mlp", 0.1, -1, runner.StatusFailed),
		mk("b2", "mlp", 0.01, 0.93, runner.StatusSucceeded),
	}
}

func ids(r *Result) []string {
	var out []string
	for _, e := range r.Runs {
		out = append(out, e.RunID)
	}
	return out
}

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		opts    Options
		want    []string
		skipped int
	}{
		{Options{}, []string{"b2", "b1", "a3", "a2", "a1"}, 0},
		{Options{Experiment: "mlp"}, []string{"b2", "b1"}, 0},
		{Options{Where: "metrics.val_acc > 0.9", Sort: "-metrics.val_acc"}, []string{"a2", "b2", "a1"}, 1},
		{Options{Where: "metrics.val_acc > 0.9", Sort: "-metrics.val_acc", Limit: 2}, []string{"a2", "b2"}, 1},
		{Options{Where: `status == "failed"`}, []string{"b1"}, 0},
		{Options{Where: `params.lr < 0.05 && experiment == "resnet"`, Sort: "params.lr"}, []string{"a3", "a2"}, 0},
		{Options{Sort: "metrics.val_acc"}, []string{"a3", "a1", "b2", "a2", "b1"}, 0},
		{Options{Sort: "experiment,-params.lr"}, []string{"b1", "b2", "a1", "a2", "a3"}, 0},
		{Options{Where: `started >= date("2026-03-01T02:00:00Z")`}, []string{"b2", "b1", "a3", "a2", "a1"}, 0},
	} {
		t.Run(fmt.Sprintf("%+v", tc.opts), func(t *testing.T) {
			r, err := Run(entries(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, ids(r)); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
			if r.Skipped != tc.skipped {
				t.Errorf("skipped %d, want %d (%v)", r.Skipped, tc.skipped, r.FirstSkip)
			}
		})
	}
}

func TestBadExpressions(t *testing.T) {
	for _, o := range []Options{{Where: "metrics.val_acc >"}, {Where: "statsu == 1"}, {Where: "params"}, {Sort: "-("}} {
		_, err := Run(entries(), o)
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("%+v: err = %v, want a query error", o, err)
		}
	}
}

func TestLimitKeepsTheBestRuns(t *testing.T) {
	var es []*results.Entry
	for i := 0; i < 2000; i++ {
		es = append(es, &results.Entry{RunID: fmt.Sprintf("r%05d", i), Experiment: "e",
			Metrics: map[string]float64{"acc": float64((i * 7919) % 1000)}})
	}
	for _, sortBy := range []string{"-metrics.acc", "metrics.acc", ""} {
		all, err := Run(es, Options{Sort: sortBy})
		if err != nil {
			t.Fatal(err)
		}
		// The streaming path reuses one Entry, as Store.Scan does.
		seq := func(yield func(*results.Entry) bool) {
			var reused results.Entry
			for _, e := range es {
				reused = *e
				reused.Metrics = map[string]float64{"acc": e.Metrics["acc"]}
				if !yield(&reused) {
					return
				}
			}
		}
		top, err := RunSeq(seq, Options{Sort: sortBy, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ids(all)[:7], ids(top)); diff != "" {
			t.Errorf("sort %q: top 7 (-want +got):\n%s", sortBy, diff)
		}
		if top.Matched != 2000 {
			t.Errorf("matched %d", top.Matched)
		}
		for i, e := range top.Runs {
			if e.Metrics["acc"] != all.Runs[i].Metrics["acc"] {
				t.Errorf("run %s kept the metrics of another run", e.RunID)
			}
		}
	}
}
