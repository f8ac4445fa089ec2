package compare_test

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/spec"

	"gonum.org/v1/gonum/stat"
)

// lrSweep compares a sweep over baseLRs at inputs baseIn with one over
// headLRs at headIn; every run reports acc(head, lr, seed).
func lrSweep(t *testing.T, baseLRs, headLRs, baseIn, headIn string, acc func(head bool, tr *spec.Trial) float64) compare.Input {
	t.Helper()
	src := func(lrs string) string {
		return comparetest.Template + `
experiment "s" {
  extends = template.train
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
  params  = { lr = 0.1 }
  sweep {
    param "lr" { values = ` + lrs + ` }
  }
  seeds = [1, 2, 3, 4]
}
`
	}
	base := comparetest.Side(t, comparetest.Load(t, src(baseLRs))["s"], baseIn)
	head := comparetest.Side(t, comparetest.Load(t, src(headLRs))["s"], headIn)
	store := comparetest.NewStore()
	for _, side := range []*compare.SideInput{base, head} {
		for _, tr := range side.Trials {
			store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": acc(side == head, tr), "train_loss": 0.3}})
		}
	}
	return compare.Input{
		Base: comparetest.BaseRef, Head: comparetest.HeadRef, Lookup: store.Lookup,
		Experiments: []compare.ExperimentInput{{Name: "s", Base: base, Head: head}},
	}
}

func headlineNote(e *compare.Experiment) string {
	for _, n := range e.Notes {
		if strings.HasPrefix(n, "headline:") {
			return n
		}
	}
	return ""
}

// TestTheHeadlineSaysWhatItPools: a pooled headline's note says how many
// configs it averages and against what; a headline of one changed pair
// is that pair and needs no note.
func TestTheHeadlineSaysWhatItPools(t *testing.T) {
	seedNoise := func(head bool, tr *spec.Trial) float64 {
		v := 0.9 + []float64{0.001, -0.001, 0.002, -0.002}[tr.Seed-1]
		if head {
			v += 0.01
		}
		return v
	}
	for _, c := range []struct {
		name                     string
		baseLRs, headLRs, headIn string
		want                     string
	}{
		{"same params", "[0.1, 0.03]", "[0.1, 0.03]", "b",
			"headline: the mean over 2 configs, each against the same params at base"},
		{"replaced", "[0.1, 0.03]", "[0.2, 0.01]", "a",
			"headline: the mean over 2 configs, each against the base config it replaced"},
		{"both", "[0.1, 0.03]", "[0.1, 0.01]", "b",
			"headline: the mean over 2 configs, 1 against the same params at base, 1 against the base config each replaced"},
		// lr=0.1 is the same trials on both sides; only one pair changed.
		{"one changed pair", "[0.1, 0.03]", "[0.1, 0.01]", "a", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := experiment(t, mustCompare(t, lrSweep(t, c.baseLRs, c.headLRs, "a", c.headIn, seedNoise)), "s")
			if got := headlineNote(e); got != c.want {
				t.Errorf("note %q, want %q (notes %q)", got, c.want, e.Notes)
			}
			// A pool says how many configs it holds; one pair is no pool
			// (the JSON report leaves configs out).
			want := 2
			if c.want == "" {
				want = 0
			}
			if c.name == "replaced" {
				// Each new config takes the nearest base config not yet
				// taken, the first of equally near ones.
				want := []compare.ConfigPair{{Base: "lr=0.1", Head: "lr=0.2"}, {Base: "lr=0.03", Head: "lr=0.01"}}
				if !slices.Equal(e.Headline.Pairs, want) {
					t.Errorf("pairs %+v, want %+v", e.Headline.Pairs, want)
				}
			}
			acc := metric(t, e.Headline, "val_acc")
			if acc.Base.Configs != want || acc.Head.Configs != want {
				t.Errorf("configs %d → %d, want %d", acc.Base.Configs, acc.Head.Configs, want)
			}
			// Every config was tested: nothing to say about the others.
			if strings.Contains(acc.Note, "tested over") {
				t.Errorf("note %q", acc.Note)
			}
		})
	}
}

// TestTiesForBestGoToTheFirstConfig: when configs tie for the head's best,
// the first in sweep order stands for the headline.
func TestTiesForBestGoToTheFirstConfig(t *testing.T) {
	in := lrSweep(t, "[0.1, 0.03, 0.01]", "[0.1, 0.03, 0.01]", "a", "b", func(head bool, tr *spec.Trial) float64 {
		if tr.Config == 2 {
			return 0.8
		}
		return 0.9
	})
	e := experiment(t, mustCompare(t, in), "s")
	if h := e.Headline; h.Head.Label != "lr=0.1" {
		t.Errorf("headline stands for %s, want the first of the tied lr=0.1 and lr=0.03", h.Head.Label)
	}
	if want := fmt.Sprintf("best at head by val_acc: lr=0.1 (%g)", 0.9); !slices.Contains(e.Notes, want) {
		t.Errorf("notes %q, want %q", e.Notes, want)
	}
}

// TestAPooledHeadlineSaysWhichConfigsItTested: a config with one value on
// a side cannot be tested; the headline is the test over the others, and
// says how many of its configs that covers.
func TestAPooledHeadlineSaysWhichConfigsItTested(t *testing.T) {
	in := lossSweep(t, func(head bool, cfg int, seed int64) float64 {
		if cfg == 2 && seed > 1 {
			return math.NaN() // a run that reports no loss
		}
		v := []float64{0.50, 0.20, 0.30}[cfg] + seedNoise[seed-1]
		if head {
			v -= 0.05
		}
		return v
	})
	e := experiment(t, mustCompare(t, in), "s")
	loss := metric(t, e.Headline, "loss")
	if !strings.Contains(loss.Note, "tested over 2 of 3 configs; the others have fewer than two values on a side") {
		t.Errorf("headline loss note %q", loss.Note)
	}
	if loss.Test == nil || loss.Test.Configs != 2 || loss.Head.Configs != 2 || loss.Verdict != compare.Improved {
		t.Errorf("headline loss %s over %d configs: want improved, tested over 2", loss.Verdict, loss.Head.Configs)
	}
}

// TestTiesForLowestGoToTheFirstConfig: the same for a metric to minimize.
func TestTiesForLowestGoToTheFirstConfig(t *testing.T) {
	in := lossSweep(t, func(head bool, cfg int, seed int64) float64 {
		return []float64{0.2, 0.2, 0.3}[cfg] + seedNoise[seed-1]
	})
	e := experiment(t, mustCompare(t, in), "s")
	if h := e.Headline; h.Head.Label != "lr=0.1" {
		t.Errorf("headline stands for %s, want the first of the tied lr=0.1 and lr=0.03", h.Head.Label)
	}
	if !slices.Contains(e.Notes, "best at head by loss: lr=0.1 (0.2)") {
		t.Errorf("notes %q, want the best at head lr=0.1", e.Notes)
	}
}

// TestAOneSeedSweepIsInconclusive: with one seed no config can be tested,
// and the headline says there is no p-value, not that the sides cannot be compared.
func TestAOneSeedSweepIsInconclusive(t *testing.T) {
	src := comparetest.Template + `
experiment "s" {
  extends = template.train
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
  params  = { lr = 0.1 }
  sweep {
    param "lr" { values = [0.1, 0.03] }
  }
}
`
	e := comparetest.Load(t, src)["s"]
	base, head := comparetest.Side(t, e, "a"), comparetest.Side(t, e, "b")
	store := comparetest.NewStore()
	for _, side := range []*compare.SideInput{base, head} {
		for _, tr := range side.Trials {
			v := 0.9
			if side == head {
				v = 0.8
			}
			store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": v, "train_loss": 0.3}})
		}
	}
	c := mustCompare(t, compare.Input{Base: comparetest.BaseRef, Head: comparetest.HeadRef, Lookup: store.Lookup,
		Experiments: []compare.ExperimentInput{{Name: "s", Base: base, Head: head}}})
	m := metric(t, experiment(t, c, "s").Headline, "val_acc")
	if m.Verdict != compare.Inconclusive || m.Test != nil || !strings.Contains(m.Note, "no p-value") || strings.Contains(m.Note, "cannot compare") {
		t.Errorf("headline val_acc %s %q: want inconclusive, no p-value", m.Verdict, m.Note)
	}
	if m.Delta == nil || math.Abs(*m.Delta+0.1) > 1e-12 || c.Result != compare.ResultSuccess {
		t.Errorf("delta %v, result %s: want −0.1 shown, success", m.Delta, c.Result)
	}
}

// TestAHeadlineWithNothingToPairAveragesWhatWasReported: when no config
// has the metric on both sides, each side's headline value is the mean
// over the configs that reported it on that side, not a mean that counts
// the silent ones as zero.
func TestAHeadlineWithNothingToPairAveragesWhatWasReported(t *testing.T) {
	in := lossSweep(t, func(head bool, cfg int, seed int64) float64 {
		if (!head && cfg == 0) || (head && cfg > 0) {
			return math.NaN()
		}
		return []float64{0.50, 0.20, 0.30}[cfg] + seedNoise[seed-1]
	})
	c := mustCompare(t, in)
	loss := metric(t, experiment(t, c, "s").Headline, "loss")
	if math.Abs(loss.Head.Mean-0.50) > 1e-12 || math.Abs(loss.Base.Mean-0.25) > 1e-12 {
		t.Errorf("headline loss %g → %g, want 0.25 (lr=0.03 and 0.01 at base) → 0.5 (lr=0.1 at head)", loss.Base.Mean, loss.Head.Mean)
	}
	if c.Result != compare.ResultError {
		t.Errorf("result %s, want error: metrics not reported", c.Result)
	}

	// A side where no config reported it has no mean, and the
	// comparison still encodes as JSON (assay compare --json).
	c = mustCompare(t, lossSweep(t, func(head bool, cfg int, seed int64) float64 {
		if head {
			return math.NaN()
		}
		return 0.5
	}))
	loss = metric(t, experiment(t, c, "s").Headline, "loss")
	if loss.Head.N != 0 || loss.Head.Mean != 0 || loss.Base.Mean != 0.5 {
		t.Errorf("headline loss %g (n=%d) → %g (n=%d), want 0.5 → nothing", loss.Base.Mean, loss.Base.N, loss.Head.Mean, loss.Head.N)
	}
	if _, err := json.Marshal(c); err != nil {
		t.Errorf("the comparison does not encode: %v", err)
	}
}

// TestAPooledSpreadIsTheRootMeanVariance: the ± of a pooled headline is
// the root of the configs' mean variance, so a headline over configs of
// different spreads shows the spread a typical config has.
func TestAPooledSpreadIsTheRootMeanVariance(t *testing.T) {
	spread := []float64{1, 2, 4}
	in := lossSweep(t, func(head bool, cfg int, seed int64) float64 {
		v := []float64{0.50, 0.20, 0.30}[cfg] + spread[cfg]*seedNoise[seed-1]
		if head {
			v -= 0.05
		}
		return v
	})
	loss := metric(t, experiment(t, mustCompare(t, in), "s").Headline, "loss")
	var sumVar float64
	for _, k := range spread {
		var vals []float64
		for _, n := range seedNoise {
			vals = append(vals, k*n)
		}
		sd := stat.StdDev(vals, nil)
		sumVar += sd * sd
	}
	want := math.Sqrt(sumVar / float64(len(spread)))
	if math.Abs(loss.Head.SD-want) > 1e-12 || math.Abs(loss.Base.SD-want) > 1e-12 {
		t.Errorf("pooled sd %g → %g, want %g on both sides", loss.Base.SD, loss.Head.SD, want)
	}
}
