package compare_test

import (
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/runner"
)

const searchSpec = `
experiment "search" {
  command = ["train", "--lr=${param.lr}", "--epochs=EPOCHS"]
  params  = { lr = 1 }
  metric "acc" {
    goal    = "maximize"
    summary = "max"
  }
  sweep {
    batch = 1
    param "lr" { values = [1, 2, 3] }
  }
  early_stop { rule = "asha" }
  seeds = [1, 2, 3]
}`

// A search's stopped trials are its evidence, not failures: configs
// stopped early are left out of the rows, with a note, and the headline
// is the best of the configs that ran to their end on each side.
func TestSearchStoppedConfigsAreNotFailures(t *testing.T) {
	base := comparetest.Side(t, comparetest.Load(t, strings.Replace(searchSpec, "EPOCHS", "10", 1))["search"], "fp")
	head := comparetest.Side(t, comparetest.Load(t, strings.Replace(searchSpec, "EPOCHS", "20", 1))["search"], "fp")
	st := comparetest.NewStore()
	acc := map[string]map[float64][]float64{
		"base": {1: {0.70, 0.71, 0.69}, 3: {0.75, 0.76, 0.74}},
		"head": {1: {0.80, 0.81, 0.79}, 3: {0.90, 0.91, 0.89}},
	}
	for name, side := range map[string]*compare.SideInput{"base": base, "head": head} {
		for _, tr := range side.Trials {
			lr := tr.Params["lr"].(float64)
			if lr == 2 {
				st.Record(tr, comparetest.Run{Status: runner.StatusStopped, Metrics: map[string]float64{"acc": 0.3}})
				continue
			}
			st.Record(tr, comparetest.Run{Metrics: map[string]float64{"acc": acc[name][lr][tr.Seed-1]}})
		}
	}
	c := mustCompare(t, compare.Input{
		Base: compare.Ref{Name: "main"}, Head: compare.Ref{Name: "pr"}, Lookup: st.Lookup,
		Experiments: []compare.ExperimentInput{{Name: "search", Base: base, Head: head}},
	})
	e := experiment(t, c, "search")
	if len(e.Configs) != 2 || len(e.Failures) != 0 || len(e.Missing) != 0 {
		t.Fatalf("%d rows, %d failures, %d missing; want 2 rows and no failure", len(e.Configs), len(e.Failures), len(e.Missing))
	}
	if e.Headline == nil || e.Headline.Head.Label != "lr=3" || e.Headline.Base.Label != "lr=3" {
		t.Fatalf("headline %+v", e.Headline)
	}
	if v := metric(t, e.Headline, "acc").Verdict; v != compare.Improved {
		t.Errorf("headline acc %s, want improved", v)
	}
	if !strings.Contains(strings.Join(e.Notes, "; "), "1 base and 1 head configs of the search were stopped early") {
		t.Errorf("notes %q", e.Notes)
	}
	if c.Result != compare.ResultSuccess {
		t.Errorf("result %s", c.Result)
	}
}

// A search's headline is its best point: when base never ran head's best
// params (here the PR moved the search space), the best config of each
// side by the objective, so a search that found a better point improves
// and one whose best got worse regresses beyond tolerance.
func TestSearchHeadlineIsBestAgainstBest(t *testing.T) {
	const spaceSpec = `
experiment "search" {
  command = ["train", "--lr=${param.lr}"]
  params  = { lr = 1 }
  metric "acc" {
    goal      = "maximize"
    tolerance = 0.01
  }
  sweep {
    batch = 1
    param "lr" { values = VALUES }
  }
  early_stop { rule = "median" }
  seeds = [1, 2, 3]
}`
	for _, tc := range []struct {
		name      string
		headBest  float64
		want      compare.Verdict
		wantState compare.Result
	}{
		{"better", 0.90, compare.Improved, compare.ResultSuccess},
		{"worse", 0.60, compare.Regressed, compare.ResultFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := comparetest.Side(t, comparetest.Load(t, strings.Replace(spaceSpec, "VALUES", "[1, 2, 3]", 1))["search"], "fp")
			head := comparetest.Side(t, comparetest.Load(t, strings.Replace(spaceSpec, "VALUES", "[4, 5]", 1))["search"], "fp")
			mean := map[float64]float64{1: 0.50, 2: 0.75, 3: 0.70, 4: 0.55, 5: tc.headBest}
			st := comparetest.NewStore()
			for _, side := range []*compare.SideInput{base, head} {
				for _, tr := range side.Trials {
					lr := tr.Params["lr"].(float64)
					st.Record(tr, comparetest.Run{Metrics: map[string]float64{"acc": mean[lr] + 0.01*float64(tr.Seed-2)}})
				}
			}
			c := mustCompare(t, compare.Input{
				Base: compare.Ref{Name: "main"}, Head: compare.Ref{Name: "pr"}, Lookup: st.Lookup,
				Experiments: []compare.ExperimentInput{{Name: "search", Base: base, Head: head}},
			})
			e := experiment(t, c, "search")
			h := e.Headline
			if h == nil || h.Pairing != compare.PairBest || h.Base.Label != "lr=2" || h.Head.Label != "lr=5" {
				t.Fatalf("headline %+v, want the best of each side (lr=2 at base, lr=5 at head)", h)
			}
			if v := metric(t, h, "acc").Verdict; v != tc.want {
				t.Errorf("headline acc %s, want %s", v, tc.want)
			}
			if c.Result != tc.wantState {
				t.Errorf("result %s, want %s", c.Result, tc.wantState)
			}
			if !strings.Contains(strings.Join(e.Notes, "; "), "headline: the search's best at each side by acc: lr=2 at base (0.75), lr=5 at head") {
				t.Errorf("notes %q", e.Notes)
			}
		})
	}
}

// A pull request that changes what a search optimizes is judged by what
// it optimizes now: both sides' best configs are ranked by the head's
// objective, here a loss to minimize where base ranked by accuracy.
func TestSearchRanksByTheHeadsObjective(t *testing.T) {
	const spec = `
experiment "search" {
  command = ["train", "--lr=${param.lr}"]
  params  = { lr = 1 }
  METRICS
  sweep {
    batch = 1
    param "lr" { values = VALUES }
  }
  early_stop { rule = "median" }
  seeds = [1, 2, 3]
}`
	const acc, loss = `metric "acc" { goal = "maximize" }`, `metric "loss" { goal = "minimize" }`
	// The objective is the first metric with a goal.
	load := func(metrics, values string) *compare.SideInput {
		src := strings.NewReplacer("METRICS", metrics, "VALUES", values).Replace(spec)
		return comparetest.Side(t, comparetest.Load(t, src)["search"], "fp")
	}
	base, head := load(acc+"\n"+loss, "[1, 2, 3]"), load(loss+"\n"+acc, "[4, 5]")
	// By accuracy the bests are lr=2 and lr=5; by loss, lr=3 and lr=4.
	accs := map[float64]float64{1: 0.50, 2: 0.75, 3: 0.70, 4: 0.55, 5: 0.60}
	losses := map[float64]float64{1: 0.60, 2: 0.40, 3: 0.30, 4: 0.20, 5: 0.50}
	st := comparetest.NewStore()
	for _, side := range []*compare.SideInput{base, head} {
		for _, tr := range side.Trials {
			lr, d := tr.Params["lr"].(float64), 0.01*float64(tr.Seed-2)
			st.Record(tr, comparetest.Run{Metrics: map[string]float64{"acc": accs[lr] + d, "loss": losses[lr] + d}})
		}
	}
	c := mustCompare(t, compare.Input{
		Base: compare.Ref{Name: "main"}, Head: compare.Ref{Name: "pr"}, Lookup: st.Lookup,
		Experiments: []compare.ExperimentInput{{Name: "search", Base: base, Head: head}},
	})
	e := experiment(t, c, "search")
	h := e.Headline
	if h == nil {
		t.Fatal("no headline")
	}
	if h.Pairing != compare.PairBest || h.Base.Label != "lr=3" || h.Head.Label != "lr=4" {
		t.Fatalf("headline %s → %s (%s), want the lowest loss of each side (lr=3 at base, lr=4 at head)", h.Base.Label, h.Head.Label, h.Pairing)
	}
	if !strings.Contains(strings.Join(e.Notes, "; "), "headline: the search's best at each side by loss: lr=3 at base (0.3), lr=4 at head (0.2)") {
		t.Errorf("notes %q", e.Notes)
	}
	if v := metric(t, h, "loss").Verdict; v != compare.Improved {
		t.Errorf("headline loss %s, want improved (0.3 → 0.2)", v)
	}
}

// When base ran head's best params but they never reported the
// objective, there is nothing to compare them with: the headline is the
// best of each side among the configs that reported it.
func TestSearchHeadlineSkipsABaseConfigThatNeverReported(t *testing.T) {
	const spec = `
experiment "search" {
  command = ["train", "--lr=${param.lr}", "--epochs=EPOCHS"]
  params  = { lr = 1 }
  metric "acc" { goal = "maximize" }
  sweep {
    batch = 1
    param "lr" { values = [1, 2, 3] }
  }
  early_stop { rule = "median" }
  seeds = [1, 2, 3]
}`
	base := comparetest.Side(t, comparetest.Load(t, strings.Replace(spec, "EPOCHS", "10", 1))["search"], "fp")
	head := comparetest.Side(t, comparetest.Load(t, strings.Replace(spec, "EPOCHS", "20", 1))["search"], "fp")
	mean := map[float64]float64{1: 0.50, 2: 0.75, 3: 0.80}
	st := comparetest.NewStore()
	for _, side := range []*compare.SideInput{base, head} {
		for _, tr := range side.Trials {
			lr := tr.Params["lr"].(float64)
			m := map[string]float64{"acc": mean[lr] + 0.01*float64(tr.Seed-2)}
			if side == base && lr == 3 {
				m = map[string]float64{} // base's lr=3 never reported acc
			}
			st.Record(tr, comparetest.Run{Metrics: m})
		}
	}
	c := mustCompare(t, compare.Input{
		Base: compare.Ref{Name: "main"}, Head: compare.Ref{Name: "pr"}, Lookup: st.Lookup,
		Experiments: []compare.ExperimentInput{{Name: "search", Base: base, Head: head}},
	})
	h := experiment(t, c, "search").Headline
	if h == nil {
		t.Fatal("no headline")
	}
	if h.Pairing != compare.PairBest || h.Base.Label != "lr=2" || h.Head.Label != "lr=3" {
		t.Errorf("headline %s → %s (%s), want base's best that reported (lr=2) against head's best (lr=3)", h.Base.Label, h.Head.Label, h.Pairing)
	}
}
