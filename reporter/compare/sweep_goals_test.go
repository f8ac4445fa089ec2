package compare_test

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
)

// lossSweep is a 3-config sweep ranked by a metric to minimize; loss gives
// each config's value per side, or NaN for a run that reports no loss.
func lossSweep(t *testing.T, loss func(head bool, cfg int, seed int64) float64) compare.Input {
	t.Helper()
	e := comparetest.Load(t, `
experiment "s" {
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
  params  = { lr = 0.1 }
  sweep {
    param "lr" { values = [0.1, 0.03, 0.01] }
  }
  seeds = [1, 2, 3, 4]
  metric "loss" {
    goal      = "minimize"
    tolerance = 0.005
  }
  metric "acc" {}
}
`)["s"]
	base, head := comparetest.Side(t, e, "a"), comparetest.Side(t, e, "b")
	store := comparetest.NewStore()
	for _, side := range []*compare.SideInput{base, head} {
		for _, tr := range side.Trials {
			m := map[string]float64{"acc": 0.5}
			if v := loss(side == head, tr.Config, tr.Seed); !math.IsNaN(v) {
				m["loss"] = v
			}
			store.Record(tr, comparetest.Run{Metrics: m})
		}
	}
	return compare.Input{
		Base: comparetest.BaseRef, Head: comparetest.HeadRef, Lookup: store.Lookup,
		Experiments: []compare.ExperimentInput{{Name: "s", Base: base, Head: head}},
	}
}

var seedNoise = []float64{0.001, -0.001, 0.002, -0.002}

// TestMinimizedSweepHeadline: with a metric to minimize, the head's best
// config is the one with the lowest value, a fall is an improvement and a
// rise beyond the tolerance a regression.
func TestMinimizedSweepHeadline(t *testing.T) {
	for _, tc := range []struct {
		name    string
		shift   float64 // added to every head value
		verdict compare.Verdict
		result  compare.Result
	}{
		{"loss falls", -0.02, compare.Improved, compare.ResultSuccess},
		{"loss rises", +0.02, compare.Regressed, compare.ResultFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCompare(t, lossSweep(t, func(head bool, cfg int, seed int64) float64 {
				// lr=0.03 has the lowest loss on both sides; lr=0.1 the
				// highest.
				v := []float64{0.50, 0.20, 0.30}[cfg] + seedNoise[seed-1]
				if head {
					v += tc.shift
				}
				return v
			}))
			e := experiment(t, c, "s")
			h := e.Headline
			if h.Base.Label != "lr=0.03" || h.Head.Label != "lr=0.03" {
				t.Errorf("headline stands for %s → %s, want the lowest loss, lr=0.03", h.Base.Label, h.Head.Label)
			}
			want := "best at head by loss: lr=0.03 (" + strconv.FormatFloat(0.20+tc.shift, 'g', 4, 64) + ")"
			if !slices.Contains(e.Notes, want) {
				t.Errorf("notes %q, want %q", e.Notes, want)
			}
			loss := metric(t, h, "loss")
			if math.Abs(*loss.Delta-tc.shift) > 1e-12 || loss.Verdict != tc.verdict || c.Result != tc.result {
				t.Errorf("headline loss Δ %g %s, result %s; want Δ %g %s, %s", *loss.Delta, loss.Verdict, c.Result, tc.shift, tc.verdict, tc.result)
			}
			for i, r := range e.Configs {
				if v := metric(t, r, "loss").Verdict; v != tc.verdict {
					t.Errorf("config %d: %s, want %s", i, v, tc.verdict)
				}
			}
		})
	}
}

// TestAHeadConfigThatNeverReportedTheMetric: one config of a sweep whose
// runs all succeed without ever reporting the metric cannot be compared,
// and the comparison says so instead of judging the others alone.
func TestAHeadConfigThatNeverReportedTheMetric(t *testing.T) {
	c := mustCompare(t, lossSweep(t, func(head bool, cfg int, seed int64) float64 {
		if head && cfg == 2 {
			return math.NaN()
		}
		return []float64{0.50, 0.20, 0.30}[cfg] + seedNoise[seed-1]
	}))
	e := experiment(t, c, "s")
	if c.Result != compare.ResultError || c.Description != "metrics not reported (s)" || e.Verdict != compare.Missing {
		t.Errorf("result %s %q, verdict %s; want error, metrics not reported (s), missing", c.Result, c.Description, e.Verdict)
	}
	r := e.Configs[2]
	loss := metric(t, r, "loss")
	if r.Head.Label != "lr=0.01" || r.Verdict != compare.Missing || loss.Verdict != compare.Missing ||
		!strings.Contains(loss.Note, "4 head runs did not report it") {
		t.Errorf("%s: %s, loss %s %q; want missing, 4 head runs did not report it", r.Head.Label, r.Verdict, loss.Verdict, loss.Note)
	}
	// The configs that reported stay unchanged: the headline does not
	// turn the silent one into a change.
	for _, r := range e.Configs[:2] {
		if r.Verdict != compare.Unchanged {
			t.Errorf("%s: %s, want unchanged", r.Head.Label, r.Verdict)
		}
	}
}
