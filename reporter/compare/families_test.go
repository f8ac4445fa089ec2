package compare_test

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/assaylab/assay/reporter/compare"
)

// lrSweepShift is sweepInput's three configs over four seeds, with the
// head's second config (lr 0.03) moved up by d.
func lrSweepShift(t *testing.T, d float64) *compare.Comparison {
	t.Helper()
	noise := []float64{0.004, -0.004, 0.008, -0.008}
	return mustCompare(t, sweepInput(t, func(head bool, cfg int, seed int64) float64 {
		v := []float64{0.90, 0.85, 0.80}[cfg] + noise[seed-1]
		if head && cfg == 1 {
			v += d
		}
		return v
	}))
}

// The headline tests decide the status at α after Holm's adjustment; the
// per-config tests are only shown, at α/2 after Benjamini–Hochberg's. A
// config row whose adjusted p lies between the two levels is no change,
// while the headline at the same p would be.
func TestEachFamilyIsJudgedAtItsOwnLevel(t *testing.T) {
	c := lrSweepShift(t, 0.022)
	if c.Correction.Headline != (compare.Family{Method: compare.MethodHolm, Tests: 2}) ||
		c.Correction.Configs != (compare.Family{Method: compare.MethodBH, Tests: 6}) {
		t.Errorf("correction %+v: want Holm over the 2 headline tests, BH over the 6 config tests", c.Correction)
	}
	e := c.Experiments[0]
	cfg := metric(t, e.Configs[1], "val_acc")
	if p := *cfg.PAdjusted; !(p > compare.DefaultAlpha/2 && p < compare.DefaultAlpha) {
		t.Fatalf("premise: the config's adjusted p %g should lie between α/2 and α", p)
	}
	if cfg.Significant || cfg.Verdict != compare.Unchanged || e.Configs[1].Verdict != compare.Unchanged {
		t.Errorf("config lr=0.03 at adjusted p %g: significant %v, %s; the config family is judged at α/2", *cfg.PAdjusted, cfg.Significant, cfg.Verdict)
	}
	h := metric(t, e.Headline, "val_acc")
	if p := *h.PAdjusted; !(p > compare.DefaultAlpha/2 && p < compare.DefaultAlpha) {
		t.Fatalf("premise: the headline's adjusted p %g should lie between α/2 and α", p)
	}
	if !h.Significant || h.Verdict != compare.Improved || c.Result != compare.ResultSuccess {
		t.Errorf("headline at adjusted p %g: significant %v, %s, result %s; the headline family is judged at α", *h.PAdjusted, h.Significant, h.Verdict, c.Result)
	}
	// The pooled headline row, and so the experiment, take its verdict.
	if e.Headline.Verdict != compare.Improved || e.Verdict != compare.Improved {
		t.Errorf("headline row %s, experiment %s; want improved", e.Headline.Verdict, e.Verdict)
	}
}

// A headline with no significant change says how large a change its test
// would have found 80% of the time, at the level of Holm's first step
// (α over the headline tests): what "no change" vouches for.
func TestNoChangeSaysWhatItWouldHaveFound(t *testing.T) {
	c := lrSweepShift(t, 0.018)
	h := metric(t, c.Experiments[0].Headline, "val_acc")
	if h.Significant || h.Verdict != compare.Unchanged {
		t.Fatalf("premise: headline %s (significant %v) should be no change", h.Verdict, h.Significant)
	}
	// The test's standard error from its 95% interval, then the power
	// calculation by hand.
	df, k := *h.Test.DF, float64(c.Correction.Headline.Tests)
	tt := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	se := (h.Test.CI[1] - h.Test.CI[0]) / 2 / tt.Quantile(1-compare.DefaultAlpha/2)
	want := (tt.Quantile(1-compare.DefaultAlpha/k/2) + tt.Quantile(0.8)) * se
	if h.Detectable == nil || math.Abs(*h.Detectable-want) > 1e-12 {
		t.Fatalf("detectable %v, want %g", h.Detectable, want)
	}
	// Nothing else to say: both sides vary well above their floor.
	if h.Note != "no significant change; a change of ±0.0099 or more would have been found 80% of the time" {
		t.Errorf("note %q", h.Note)
	}
	// A significant change needs no such note.
	h = metric(t, lrSweepShift(t, 0.026).Experiments[0].Headline, "val_acc")
	if !h.Significant || strings.Contains(h.Note, "would have been found") {
		t.Errorf("significant %v, note %q", h.Significant, h.Note)
	}
}

// A metric without a goal is shown, never judged: its mark of a
// significant change is its own test's p below α, unadjusted.
func TestAMetricWithoutAGoalIsMarkedByItsOwnP(t *testing.T) {
	const tput = `metric "throughput" {}`
	for _, tc := range []struct {
		name       string
		base, head []float64
		want       bool
	}{
		{"faster", []float64{100, 101, 99, 100}, []float64{120, 121, 119, 120}, true},
		{"the same", []float64{100, 101, 99, 100}, []float64{100, 101, 99, 100}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, e := onePair(t, tput, map[string][]float64{"throughput": tc.base}, map[string][]float64{"throughput": tc.head})
			m := metric(t, e.Headline, "throughput")
			if m.Significant != tc.want || m.Verdict != compare.Reported || m.PAdjusted != nil {
				t.Errorf("p %g: significant %v (want %v), %s, adjusted p %v", m.Test.P, m.Significant, tc.want, m.Verdict, m.PAdjusted)
			}
			if c.Result != compare.ResultSuccess {
				t.Errorf("a metric without a goal decided the result: %s", c.Result)
			}
		})
	}
}

// A side that barely varies has its spread raised to a floor, and the
// note says which: the rounding of values written to a coarse grid, or,
// for values written to many decimals, what float arithmetic can tell
// apart (a ten-millionth of the largest value).
func TestTheSpreadFloorSaysWhy(t *testing.T) {
	for _, tc := range []struct {
		name       string
		base, head []float64
		want       string
	}{
		{"grid", []float64{0.99, 0.99, 0.99}, []float64{0.98, 0.98, 0.98},
			"a side barely varies: its sd was raised to 0.0029, the rounding error of values written to 0.01"},
		{"float", []float64{0.1234567891, 0.1234567891, 0.1234567891}, []float64{0.1234567893, 0.1234567893, 0.1234567893},
			"a side barely varies: its sd was raised to 1.2e-08, what float arithmetic can tell apart"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, e := onePair(t, accMetric, map[string][]float64{"val_acc": tc.base}, map[string][]float64{"val_acc": tc.head})
			m := metric(t, e.Headline, "val_acc")
			if !strings.Contains(m.Note, tc.want) {
				t.Errorf("note %q, want it to say %q", m.Note, tc.want)
			}
		})
	}
}
