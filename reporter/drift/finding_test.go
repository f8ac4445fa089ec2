package drift

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// TestTheBandIsThePredictionInterval: the band the drift issue shows is
// m̄ ± q·s·√(1 + 1/k) over the k baseline nights' means, q the t quantile
// at 1 − Alpha with k − 1 degrees of freedom.
func TestTheBandIsThePredictionInterval(t *testing.T) {
	s := nights(0.005, with([]float64{0.874, 0.870, 0.877})...)
	j := Rule{}.Judge(s)
	var means []float64
	for _, v := range healthy {
		means = append(means, stat.Mean(v, nil))
	}
	k := float64(len(means))
	m, sd := stat.Mean(means, nil), stat.StdDev(means, nil)
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: k - 1}.Quantile(1 - DefaultAlpha)
	half := q * sd * math.Sqrt(1+1/k)
	if math.Abs(j.Low-(m-half)) > 1e-12 || math.Abs(j.High-(m+half)) > 1e-12 {
		t.Errorf("band [%g, %g], want [%g, %g]", j.Low, j.High, m-half, m+half)
	}
	if !(j.Mean < j.Low) {
		t.Errorf("a drifting night's mean %g lies in the band [%g, %g]", j.Mean, j.Low, j.High)
	}
}

// TestTheToleranceIsExclusive: a drop of exactly the tolerance, at the
// delta's displayed rounding, is within it; a hair more is drift.
func TestTheToleranceIsExclusive(t *testing.T) {
	for _, c := range []struct {
		tol  float64
		want string
	}{
		{0.05, Stable},
		{0.049, Drifting},
	} {
		j := Rule{}.Judge(nights(c.tol, constant(7, 1, 0.95)...))
		if j.Verdict != c.want {
			t.Errorf("a drop of 0.05, tolerance %g: %s (Δ %g), want %s", c.tol, j.Verdict, j.Delta, c.want)
		}
	}
}

// TestAnAcceptedLevelIsTheWholeBaseline: once a new level has held for a
// window, the next night's baseline is exactly the window's nights of the
// new level — all of them, and no older night.
func TestAnAcceptedLevelIsTheWholeBaseline(t *testing.T) {
	low := []float64{0.874, 0.870, 0.877}
	var extra [][]float64
	for range DefaultWindow + 1 {
		extra = append(extra, low)
	}
	s := nights(0.005, with(extra...)...)
	j := Rule{}.Judge(s)
	var want []string
	n := len(s.Nights)
	for _, night := range s.Nights[n-1-DefaultWindow : n-1] {
		want = append(want, night.Date)
	}
	if j.Verdict != Stable || !j.Accepted || !slices.Equal(j.BaselineNights, want) {
		t.Errorf("%s, accepted %v, baseline %v; want stable, accepted, the %d low nights %v", j.Verdict, j.Accepted, j.BaselineNights, DefaultWindow, want)
	}
	// A smaller window holds as many nights, never one more.
	r := Rule{Window: 5}
	if j := r.Judge(nights(0.005, healthy...)); len(j.BaselineNights) != 5 {
		t.Errorf("window 5: baseline %v", j.BaselineNights)
	}
}

// TestFindings: the finding lists its drifting judgements and nothing
// else; a night where every series is stable is stable; a series with no
// nights is left out; series come in config then metric order.
func TestFindings(t *testing.T) {
	metrics := []Metric{{Name: "val_acc", Goal: "maximize", Tolerance: 0.005}, {Name: "loss", Goal: "minimize"}}
	var obs []Observation
	day := time.Date(2026, 3, 1, 3, 15, 0, 0, time.UTC)
	for n := range 6 {
		for seed := range 3 {
			for _, lr := range []float64{0.1, 0.03} {
				acc := 0.91 + 0.001*float64(seed)
				if n == 5 && lr == 0.1 {
					acc -= 0.05
				}
				obs = append(obs, Observation{
					Params:  map[string]any{"lr": lr},
					Started: day.AddDate(0, 0, n).Add(time.Duration(seed) * time.Minute),
					Metrics: map[string]float64{"val_acc": acc, "loss": 0.4 + 0.001*float64(seed)},
				})
			}
		}
	}
	series := BuildSeries("resnet", metrics, obs)
	var order []string
	for _, s := range series {
		order = append(order, s.Config+" "+s.Metric)
	}
	if got := fmt.Sprint(order); !slices.IsSorted(order) || len(order) != 4 || order[0] == order[1] {
		t.Errorf("series in order %s, want by config then metric", got)
	}
	f := Rule{}.Evaluate("resnet", append(series, Series{Experiment: "resnet", Config: "lr=1", Metric: "val_acc"}))
	if len(f.Judgements) != 4 {
		t.Errorf("%d judgements, want 4: the series with no nights is not judged", len(f.Judgements))
	}
	d := f.Drifting()
	if f.Verdict != Drifting || len(d) != 1 || d[0].Verdict != Drifting || d[0].Series.Metric != "val_acc" || d[0].Series.Config != series[2].Config {
		t.Errorf("finding %s, drifting %+v; want only lr 0.1's val_acc", f.Verdict, d)
	}

	// Without the drop, every series is stable, and so is the finding.
	var calm []Series
	for _, s := range series {
		if s.Config != series[2].Config {
			calm = append(calm, s)
		}
	}
	if f := (Rule{}).Evaluate("resnet", calm); f.Verdict != Stable || len(f.Drifting()) != 0 {
		t.Errorf("all stable: finding %s with %d drifting", f.Verdict, len(f.Drifting()))
	}
}
