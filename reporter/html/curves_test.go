package html_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/internal/fixture"
	"github.com/assaylab/assay/runner"
)

func pts(steps []int64, vals []float64) []runner.Point {
	out := make([]runner.Point, len(steps))
	for i := range steps {
		out[i] = runner.Point{Step: steps[i], Value: vals[i]}
	}
	return out
}

func TestBuildCurveKeepsSharedStepsExactly(t *testing.T) {
	c, resampled := html.BuildCurve([]html.SeedSeries{
		{Seed: 1, Points: pts([]int64{30, 10, 20}, []float64{0.3, 0.1, 0.2})}, // out of order
		{Seed: 2, Points: pts([]int64{10, 20, 40}, []float64{1, math.NaN(), 4})},
	}, 10)
	if resampled {
		t.Error("4 distinct steps fit in 10 points, yet the curve was resampled")
	}
	if diff := cmp.Diff([]int64{10, 20, 30, 40}, c.Steps); diff != "" {
		t.Errorf("grid (-want +got):\n%s", diff)
	}
	nan := math.NaN()
	want := [][]float64{{0.1, 0.2, 0.3, nan}, {1, nan, nan, 4}}
	if diff := cmp.Diff(want, c.Values, cmp.Comparer(func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) })); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); got != `{"start":10,"stride":10,"n":4,"seeds":[1,2],"values":[[0.1,0.2,0.3,null],[1,null,null,4]]}` {
		t.Errorf("JSON = %s", got)
	}
}

func TestBuildCurveResamplesToMeansOnOneGrid(t *testing.T) {
	var a, b []runner.Point
	for s := int64(1); s <= 10; s++ {
		a = append(a, runner.Point{Step: s, Value: float64(s)})
		if s%2 == 0 {
			b = append(b, runner.Point{Step: s, Value: 0.000012345 * float64(s)})
		}
	}
	c, resampled := html.BuildCurve([]html.SeedSeries{{Seed: 7, Points: a}, {Seed: 8, Points: b}}, 5)
	if !resampled {
		t.Error("10 steps into 5 points was not reported as resampled")
	}
	if diff := cmp.Diff([]int64{2, 4, 6, 8, 10}, c.Steps); diff != "" {
		t.Errorf("grid (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float64{1.5, 3.5, 5.5, 7.5, 9.5}, c.Values[0]); diff != "" {
		t.Errorf("seed 7's means (-want +got):\n%s", diff)
	}
	out, _ := json.Marshal(c)
	if want := `{"start":2,"stride":2,"n":5,"seeds":[7,8],"values":[[1.5,3.5,5.5,7.5,9.5],[2.469e-5,4.938e-5,7.407e-5,9.876e-5,0.0001234]]}`; string(out) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", out, want)
	}
	if c, _ := html.BuildCurve([]html.SeedSeries{{Seed: 1, Points: pts([]int64{1}, []float64{math.Inf(1)})}}, 5); c != nil {
		t.Error("a curve with no finite value was drawn")
	}
	uneven, _ := html.BuildCurve([]html.SeedSeries{{Seed: 1, Points: pts([]int64{1, 2, 5}, []float64{1, 2, 3})}}, 5)
	if out, _ := json.Marshal(uneven); string(out) != `{"steps":[1,2,5],"seeds":[1],"values":[[1,2,3]]}` {
		t.Errorf("uneven steps: %s", out)
	}
}

// TestCurveBudget: however many runs, the curves stay within the budget
// (at the floor of MinCurvePoints per curve), and the page says they were
// resampled.
func TestCurveBudget(t *testing.T) {
	fx := fixture.Build(t, fixture.Options{Steps: 200, NoCanary: true, NoIntruder: true})
	r := html.FromComparison(fx.Comparison, html.Source{Input: fx.Input, Series: fx.Series}, html.Options{MaxCurveValues: 2000})
	if !r.Downsampled {
		t.Error("200-step curves under a 2,000-value budget were not resampled")
	}
	total, curves := 0, 0
	for _, e := range r.Experiments {
		for _, cfgs := range e.Curves {
			for _, cc := range cfgs {
				for _, c := range cc.Metrics {
					curves++
					total += c.Len()
					if len(c.Steps) > html.MaxCurvePoints {
						t.Errorf("a curve of %d steps", len(c.Steps))
					}
				}
			}
		}
	}
	if curves == 0 {
		t.Fatal("no curves drawn")
	}
	if limit := 2000 + curves*html.MinCurvePoints*3; total > limit {
		t.Errorf("curves hold %d values, beyond the budget's %d", total, limit)
	}
	full := html.FromComparison(fx.Comparison, html.Source{Input: fx.Input, Series: fx.Series}, html.Options{})
	if full.Downsampled {
		t.Error("200-step curves were resampled under the default budget")
	}
}
