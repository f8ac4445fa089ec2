package compare_test

import (
	"math"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/runner"
)

// TestHistoryNeedsTwoDaysAndShowsTheLastFourteen: the sparkline of
// scheduled runs appears from the second day with a value, one point per
// day (the day's mean), and keeps only the last fourteen days. Failed
// scheduled runs, runs of other triggers and non-finite values add no
// point.
func TestHistoryNeedsTwoDaysAndShowsTheLastFourteen(t *testing.T) {
	e := comparetest.Load(t, comparetest.Template+`
experiment "x" {
  extends = template.train
  command = ["python", "train.py", "--seed=${seed}"]
  seeds   = [1, 2]
}
`)["x"]
	day := func(d int) time.Time { return comparetest.Epoch.AddDate(0, 0, d) }
	for _, c := range []struct {
		days   int
		points int
		first  string
	}{
		{1, 0, ""},
		{2, 2, "2024-05-02"},
		{14, 14, "2024-05-02"},
		{15, 14, "2024-05-03"},
	} {
		base, head := comparetest.Side(t, e, "a"), comparetest.Side(t, e, "b")
		store := comparetest.NewStore()
		for _, tr := range base.Trials {
			store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.9, "train_loss": 0.3}, Started: day(0)})
			for d := 1; d <= c.days; d++ {
				// Seed 1 and seed 2 differ by 0.02: the day's point is
				// their mean.
				v := 0.80 + 0.01*float64(d) + 0.02*float64(tr.Seed-1)
				store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": v}, Trigger: runner.TriggerSchedule, Started: day(d)})
			}
			// Neither a failed nightly, nor a pull request's run, nor a
			// NaN adds a day.
			store.Record(tr, comparetest.Run{Status: runner.StatusFailed, Metrics: map[string]float64{"val_acc": 0.1}, Trigger: runner.TriggerSchedule, Started: day(30)})
			store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.1}, Started: day(31)})
			store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": math.NaN()}, Trigger: runner.TriggerSchedule, Started: day(32)})
		}
		for _, tr := range head.Trials {
			store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.9, "train_loss": 0.3}, Started: day(40)})
		}
		cmp := mustCompare(t, compare.Input{Lookup: store.Lookup, Experiments: []compare.ExperimentInput{{Name: "x", Base: base, Head: head}}})
		x := cmp.Experiments[0]
		if c.points == 0 {
			if len(x.History) != 0 {
				t.Errorf("%d day: history %+v, want none", c.days, x.History)
			}
			continue
		}
		if len(x.History) != 1 || x.History[0].Metric != "val_acc" {
			t.Fatalf("%d days: history %+v, want val_acc's", c.days, x.History)
		}
		h := x.History[0]
		if len(h.Points) != c.points || h.Points[0].Date != c.first || h.Points[len(h.Points)-1].Date != day(c.days).Format("2006-01-02") {
			t.Errorf("%d days: %d points from %s, want %d from %s to day %d", c.days, len(h.Points), h.Points[0].Date, c.points, c.first, c.days)
		}
		last := h.Points[len(h.Points)-1]
		if want := 0.81 + 0.01*float64(c.days); last.N != 2 || math.Abs(last.Value-want) > 1e-12 {
			t.Errorf("%d days: last point %+v, want the mean of two seeds, %g", c.days, last, want)
		}
		if got := []rune(h.Spark); len(got) != c.points || got[0] != '▁' || got[len(got)-1] != '█' {
			t.Errorf("%d days: spark %q, want %d rising blocks", c.days, h.Spark, c.points)
		}
	}
}

// TestSparklineLevels: values scale between their least and greatest; a
// flat series sits at mid height.
func TestSparklineLevels(t *testing.T) {
	for _, c := range []struct {
		values []float64
		want   string
	}{
		{nil, ""},
		{[]float64{3}, "▅"},
		{[]float64{2, 2, 2}, "▅▅▅"},
		{[]float64{0, 7, 1, 6, 2, 5, 3, 4}, "▁█▂▇▃▆▄▅"},
		{[]float64{-1, 0, 1}, "▁▅█"},
		{[]float64{10, 0}, "█▁"},
	} {
		if got := compare.Sparkline(c.values); got != c.want {
			t.Errorf("Sparkline(%v) = %q, want %q", c.values, got, c.want)
		}
	}
}
