package drift

import (
	"fmt"
	"testing"
	"time"
)

// nights builds a series of maximize val_acc with tolerance tol, one
// night per entry, each night's values as given.
func nights(tol float64, values ...[]float64) Series {
	s := Series{Experiment: "resnet", Metric: "val_acc", Goal: "maximize", Tolerance: tol}
	day := time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)
	for i, v := range values {
		s.Nights = append(s.Nights, Night{Date: NightOf(day.AddDate(0, 0, i)), Values: v})
	}
	return s
}

// healthy are seven nights of three seeds around 0.91.
var healthy = [][]float64{
	{0.910, 0.912, 0.908}, {0.911, 0.909, 0.913}, {0.912, 0.910, 0.909},
	{0.908, 0.911, 0.910}, {0.913, 0.909, 0.911}, {0.910, 0.912, 0.910},
	{0.909, 0.911, 0.912},
}

func with(extra ...[]float64) [][]float64 {
	return append(append([][]float64{}, healthy...), extra...)
}

func TestJudge(t *testing.T) {
	for _, c := range []struct {
		name string
		s    Series
		want string
	}{
		{"a normal night", nights(0.005, with([]float64{0.910, 0.909, 0.912})...), Stable},
		{"a clear drop", nights(0.005, with([]float64{0.874, 0.870, 0.877})...), Drifting},
		{"a clear rise is never drift", nights(0.005, with([]float64{0.950, 0.951, 0.949})...), Stable},
		{"a drop within tolerance", nights(0.05, with([]float64{0.874, 0.870, 0.877})...), Stable},
		{"a small drop inside the band", nights(0, with([]float64{0.9075, 0.9085, 0.908})...), Stable},
		{"one run, far out", nights(0.005, with([]float64{0.85})...), Drifting},
		{"too little history", nights(0.005, []float64{0.91, 0.91}, []float64{0.91, 0.91}, []float64{0.80, 0.80}), Insufficient},
		// A history that never varied gives no spread; the values' grid
		// (0.01) does: one step down is chance, five are not.
		{"a constant history and one grid step down", nights(0, constant(7, 1, 0.99)...), Stable},
		{"a constant history and a fall", nights(0, constant(7, 1, 0.95)...), Drifting},
		{"scattered seeds, a normal mean", nights(0.001, with([]float64{0.905, 0.915, 0.911})...), Stable},
		// The night's mean is judged against what whole nights did: a
		// seed that collapses takes the mean far below any healthy
		// night's.
		{"one seed collapses", nights(0.001, with([]float64{0.80, 0.91, 0.912})...), Drifting},
	} {
		t.Run(c.name, func(t *testing.T) {
			j := Rule{}.Judge(c.s)
			if j.Verdict != c.want {
				t.Errorf("verdict = %s, want %s (judgement %+v, baseline %+v)", j.Verdict, c.want, j, j.Baseline)
			}
		})
	}
}

// constant is n nights of two runs at v, then a night of two at last.
func constant(n int, v, last float64) [][]float64 {
	var out [][]float64
	for range n {
		out = append(out, []float64{v, v})
	}
	return append(out, []float64{last, last})
}

func TestMinimizeDriftsUpward(t *testing.T) {
	s := nights(0.01, []float64{0.40, 0.41}, []float64{0.41, 0.40}, []float64{0.40, 0.40}, []float64{0.52, 0.53})
	s.Goal = "minimize"
	if j := (Rule{}).Judge(s); j.Verdict != Drifting || j.Delta <= 0 {
		t.Errorf("judgement = %+v, want an upward drift", j)
	}
	s.Nights[3].Values = []float64{0.30, 0.31}
	if j := (Rule{}).Judge(s); j.Verdict != Stable {
		t.Errorf("a lower loss is %s, want stable", j.Verdict)
	}
}

func TestALastingDriftStaysFlaggedUntilItRecovers(t *testing.T) {
	low := []float64{0.874, 0.870, 0.877}
	s := nights(0.005, with(low, low, low)...)
	j := Rule{}.Judge(s)
	if j.Verdict != Drifting || j.Streak != 3 {
		t.Fatalf("after three low nights: %+v, want drifting, streak 3", j)
	}
	// The baseline is still the healthy nights, not the low ones.
	for _, d := range j.BaselineNights {
		if d >= "2026-03-08" {
			t.Errorf("baseline holds drifting night %s", d)
		}
	}
	s = nights(0.005, with(low, low, low, []float64{0.911, 0.910, 0.909})...)
	if j := (Rule{}).Judge(s); j.Verdict != Stable || j.Accepted {
		t.Errorf("back to normal: %+v, want stable, not accepted", j)
	}
}

func TestANewLevelHeldForAWindowBecomesNormal(t *testing.T) {
	low := []float64{0.874, 0.870, 0.877}
	var extra [][]float64
	for range DefaultWindow {
		extra = append(extra, low)
	}
	j := Rule{}.Judge(nights(0.005, with(extra...)...))
	if j.Verdict != Drifting || j.Streak != DefaultWindow {
		t.Fatalf("on the %dth low night: %+v, want still drifting", DefaultWindow, j)
	}
	j = Rule{}.Judge(nights(0.005, with(append(extra, low)...)...))
	if j.Verdict != Stable || !j.Accepted {
		t.Errorf("the night after: %+v, want stable against the accepted level", j)
	}
}

func TestBuildSeriesAndEvaluate(t *testing.T) {
	metrics := []Metric{{Name: "val_acc", Goal: "maximize", Tolerance: 0.005}, {Name: "loss", Goal: "minimize"}, {Name: "throughput"}}
	var obs []Observation
	day := time.Date(2026, 3, 1, 3, 15, 0, 0, time.UTC)
	for n := range 6 {
		for seed := range 3 {
			acc := 0.91 + 0.001*float64(seed)
			if n == 5 {
				acc -= 0.05
			}
			for _, lr := range []float64{0.1, 0.03} {
				obs = append(obs, Observation{
					Params:  map[string]any{"lr": lr},
					Started: day.AddDate(0, 0, n).Add(time.Duration(seed) * time.Minute),
					Metrics: map[string]float64{"val_acc": acc, "loss": 0.4, "throughput": 900},
				})
			}
		}
	}
	series := BuildSeries("resnet", metrics, obs)
	if len(series) != 4 {
		t.Fatalf("%d series, want 2 configs × 2 judged metrics", len(series))
	}
	for _, s := range series {
		if len(s.Nights) != 6 || len(s.Nights[0].Values) != 3 {
			t.Errorf("%s %s: %d nights of %d", s.Config, s.Metric, len(s.Nights), len(s.Nights[0].Values))
		}
	}
	f := Rule{}.Evaluate("resnet", series)
	if f.Verdict != Drifting || f.Night != "2026-03-06" || len(f.Drifting()) != 2 {
		t.Errorf("finding = %s on %s with %d drifting, want both configs' val_acc drifting on 2026-03-06", f.Verdict, f.Night, len(f.Drifting()))
	}
	if f.Judgements[0].Verdict != Drifting {
		t.Error("drifting judgements are not first")
	}
	// A series that did not run on the latest night is not judged.
	series[0].Nights = series[0].Nights[:5]
	f = Rule{}.Evaluate("resnet", series)
	if len(f.Judgements) != 3 {
		t.Errorf("%d judgements, want 3", len(f.Judgements))
	}
	if f := (Rule{}).Evaluate("none", nil); f.Verdict != Insufficient {
		t.Errorf("no series: %s", f.Verdict)
	}
}

func ExampleRule_Judge() {
	s := nights(0.005, with([]float64{0.874, 0.870, 0.877})...)
	j := Rule{}.Judge(s)
	fmt.Printf("%s: %.4f against %.4f ± %.4f over %d nights, p=%.2g\n", j.Verdict, j.Mean, j.Baseline.Mean, j.Baseline.SD, len(j.BaselineNights), *j.P)
	// Output: drifting: 0.8737 against 0.9105 ± 0.0015 over 7 nights, p=3.3e-10
}

// JudgeAll replays the nightly job: night i's judgement is what Judge
// said of the history up to night i.
func TestJudgeAllIsEveryMorningsJudge(t *testing.T) {
	low := []float64{0.874, 0.870, 0.877}
	s := nights(0.005, with(low, low, []float64{0.911, 0.910, 0.909}, low)...)
	all := Rule{}.JudgeAll(s)
	if len(all) != len(s.Nights) {
		t.Fatalf("%d judgements for %d nights", len(all), len(s.Nights))
	}
	for i := range s.Nights {
		prefix := s
		prefix.Nights = s.Nights[:i+1]
		want := Rule{}.Judge(prefix)
		if got := all[i]; got.Verdict != want.Verdict || got.Streak != want.Streak || got.Delta != want.Delta {
			t.Errorf("night %d: JudgeAll says %s (streak %d), Judge %s (streak %d)", i, got.Verdict, got.Streak, want.Verdict, want.Streak)
		}
	}
	if all[7].Verdict != Drifting || all[9].Verdict != Stable || all[10].Verdict != Drifting {
		t.Errorf("verdicts %s %s %s, want drifting, stable, drifting", all[7].Verdict, all[9].Verdict, all[10].Verdict)
	}
}
