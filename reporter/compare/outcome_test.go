package compare_test

import (
	"slices"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/runner"
)

// TestRunsThatFinishTogetherAreOrderedByRunID: of two successes of a
// trial that finished at the same instant, the later run id counts,
// whatever order the results index lists them in.
func TestRunsThatFinishTogetherAreOrderedByRunID(t *testing.T) {
	e := comparetest.Load(t, comparetest.Template+`
experiment "x" {
  extends = template.train
  command = ["python", "train.py", "--seed=${seed}"]
  seeds   = [1, 2]
}
`)["x"]
	base, head := comparetest.Side(t, e, "a"), comparetest.Side(t, e, "b")
	store := comparetest.NewStore()
	for _, tr := range base.Trials {
		store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.9, "train_loss": 0.3}})
	}
	for _, tr := range head.Trials {
		store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.5, "train_loss": 0.3}, Started: comparetest.Epoch})
		store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.7, "train_loss": 0.3}, Started: comparetest.Epoch})
	}
	for name, lookup := range map[string]func(string) []*runner.Result{
		"in record order": store.Lookup,
		"newest first": func(key string) []*runner.Result {
			runs := slices.Clone(store.Lookup(key))
			slices.Reverse(runs)
			return runs
		},
	} {
		c := mustCompare(t, compare.Input{Lookup: lookup, Experiments: []compare.ExperimentInput{{Name: "x", Base: base, Head: head}}})
		if acc := metric(t, c.Experiments[0].Headline, "val_acc"); acc.Head.Mean != 0.7 || acc.Head.N != 2 {
			t.Errorf("%s: head val_acc %g (n=%d), want the later runs' 0.7", name, acc.Head.Mean, acc.Head.N)
		}
	}
}
