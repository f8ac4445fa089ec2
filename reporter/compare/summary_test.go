package compare_test

import (
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/runner"
)

// TestEveryScenarioDescribesItsOutcome: the commit status's description
// names the experiments where trials failed or results are missing, and
// only those: base failures, which do not fail the check, are not named.
func TestEveryScenarioDescribesItsOutcome(t *testing.T) {
	want := map[string]struct {
		result compare.Result
		desc   string
	}{
		"single":        {compare.ResultSuccess, "1 experiment: 1 improved"},
		"sweep":         {compare.ResultSuccess, "1 experiment: 1 improved"},
		"regression":    {compare.ResultFailure, "2 regressions: resnet18 val_acc -2.4%, resnet18 train_loss +8.1%"},
		"missing":       {compare.ResultError, "4 results missing (bert, vit)"},
		"failures":      {compare.ResultError, "2 trials failed (gpt-small)"},
		"n1":            {compare.ResultSuccess, "2 experiments: 2 inconclusive"},
		"edges":         {compare.ResultFailure, "1 regression: deterministic val_acc -2.4%"},
		"added_removed": {compare.ResultSuccess, "2 experiments: 1 new, 1 removed"},
		"forty":         {compare.ResultFailure, "2 regressions: exp-07 val_acc -2.5%, exp-07 train_loss +5.0%; 1 trial failed (exp-21)"},
		"replaced":      {compare.ResultFailure, "2 regressions: logreg val_acc -1.5%, logreg train_loss +8.8%"},
		"extremes":      {compare.ResultSuccess, "3 experiments: 1 inconclusive, 2 unchanged"},
	}
	for _, s := range comparetest.Scenarios() {
		w, ok := want[s.Name]
		if !ok {
			t.Errorf("scenario %s: no expected description", s.Name)
			continue
		}
		c := mustCompare(t, s.Input(t))
		if c.Result != w.result || c.Description != w.desc {
			t.Errorf("%s: %s %q, want %s %q", s.Name, c.Result, c.Description, w.result, w.desc)
		}
	}

	// Experiments with every result are not named among those missing some.
	in, more := comparetest.MissingBaseline(t), comparetest.Single(t)
	lookup := in.Lookup
	in.Experiments = append(in.Experiments, more.Experiments...)
	in.Lookup = func(key string) []*runner.Result { return append(lookup(key), more.Lookup(key)...) }
	if c := mustCompare(t, in); c.Description != "4 results missing (bert, vit)" {
		t.Errorf("with a complete experiment: %q, want 4 results missing (bert, vit)", c.Description)
	}
}

// TestADescriptionOfExactly140CharactersIsKept: GitHub takes 140
// characters of a status description; one of exactly 140 is kept whole,
// a longer one is cut to 139 and an ellipsis.
func TestADescriptionOfExactly140CharactersIsKept(t *testing.T) {
	for _, c := range []struct {
		name string
		want string
	}{
		// "metrics not reported (" + name + ")" is 23 characters more
		// than the name.
		{strings.Repeat("é", 117), "metrics not reported (" + strings.Repeat("é", 117) + ")"},
		{strings.Repeat("é", 118), "metrics not reported (" + strings.Repeat("é", 117) + "…"},
	} {
		e := comparetest.Load(t, comparetest.Template+`
experiment "`+c.name+`" {
  extends = template.train
  command = ["python", "train.py", "--seed=${seed}"]
  seeds   = [1, 2]
}
`)[c.name]
		base, head := comparetest.Side(t, e, "a"), comparetest.Side(t, e, "b")
		store := comparetest.NewStore()
		for _, tr := range base.Trials {
			store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.9, "train_loss": 0.3}})
		}
		for _, tr := range head.Trials {
			store.Record(tr, comparetest.Run{Metrics: map[string]float64{"train_loss": 0.3}})
		}
		cmp := mustCompare(t, compare.Input{Lookup: store.Lookup, Experiments: []compare.ExperimentInput{{Name: c.name, Base: base, Head: head}}})
		if cmp.Description != c.want {
			t.Errorf("a name of %d characters: description %q (%d characters), want %q", len([]rune(c.name)), cmp.Description, len([]rune(cmp.Description)), c.want)
		}
	}
}

// TestARegressionFromZeroShowsTheAbsoluteChange: a percentage of a base
// of 0 means nothing, so the description shows the change itself.
func TestARegressionFromZeroShowsTheAbsoluteChange(t *testing.T) {
	e := comparetest.Load(t, `
experiment "z" {
  command = ["python", "train.py", "--seed=${seed}"]
  seeds   = [1, 2, 3]
  metric "errors" {
    goal = "minimize"
  }
}
`)["z"]
	base, head := comparetest.Side(t, e, "a"), comparetest.Side(t, e, "b")
	store := comparetest.NewStore()
	for _, tr := range base.Trials {
		store.Record(tr, comparetest.Run{Metrics: map[string]float64{"errors": 0}})
	}
	for _, tr := range head.Trials {
		store.Record(tr, comparetest.Run{Metrics: map[string]float64{"errors": float64(9 + tr.Seed)}})
	}
	c := mustCompare(t, compare.Input{Lookup: store.Lookup, Experiments: []compare.ExperimentInput{{Name: "z", Base: base, Head: head}}})
	if want := "1 regression: z errors +11"; c.Result != compare.ResultFailure || c.Description != want {
		t.Errorf("%s %q, want failure %q", c.Result, c.Description, want)
	}
}
