package compare_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/spec"
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
}
