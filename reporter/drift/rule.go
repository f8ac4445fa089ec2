package drift

import (
	"math"
	"slices"

	"github.com/assaylab/assay/reporter/compare"
)

// Rule holds the drift rule's parameters; the zero value means the
// defaults.
type Rule struct {
	// Window is how many earlier healthy nights form a baseline (7).
	Window int
	// MinNights is the fewest healthy nights a verdict needs (3).
	MinNights int
	// K is the band's half-width in baseline standard deviations (3).
	K float64
	// Alpha is the significance level of Welch's test (0.05).
	Alpha float64
}

// The rule's defaults.
const (
	DefaultWindow    = 7
	DefaultMinNights = 3
	DefaultK         = 3.0
)

func (r Rule) withDefaults() Rule {
	if r.Window <= 0 {
		r.Window = DefaultWindow
	}
	if r.MinNights <= 0 {
		r.MinNights = DefaultMinNights
	}
	if r.MinNights > r.Window {
		r.MinNights = r.Window
	}
	if r.K <= 0 {
		r.K = DefaultK
	}
	if r.Alpha <= 0 {
		r.Alpha = compare.DefaultAlpha
	}
	return r
}

// Night is one night's values of one series.
type Night struct {
	// Date is the UTC date the runs started, as 2006-01-02.
	Date   string    `json:"date"`
	Values []float64 `json:"values"`
}

// Series is one metric of one config of one experiment, night by night.
type Series struct {
	Experiment string `json:"experiment"`
	// Config is the params as k=v pairs ("" for an experiment without
	// params).
	Config    string  `json:"config"`
	Metric    string  `json:"metric"`
	Goal      string  `json:"goal"`
	Tolerance float64 `json:"tolerance"`
	// Nights are ordered oldest first.
	Nights []Night `json:"nights"`
}

// Verdicts of a night.
const (
	// Insufficient: too few healthy nights before it for a verdict.
	Insufficient = "insufficient"
	// Stable: within the rule.
	Stable = "stable"
	// Drifting: outside it.
	Drifting = "drifting"
)

// Judgement is the verdict on a series' latest night and the figures
// behind it.
type Judgement struct {
	Series  Series `json:"series"`
	Night   Night  `json:"night"`
	Verdict string `json:"verdict"`
	// Mean is the night's mean; Baseline summarises the baseline's pooled
	// values, and BaselineNights names its nights.
	Mean           float64         `json:"mean"`
	Baseline       *compare.Sample `json:"baseline,omitempty"`
	BaselineNights []string        `json:"baseline_nights,omitempty"`
	// Delta is Mean − Baseline.Mean; Low and High bound the band.
	Delta     float64 `json:"delta"`
	Low, High float64 `json:"-"`
	// P is Welch's p-value, nil when a side has one run.
	P *float64 `json:"p,omitempty"`
	// Accepted is set when the baseline holds nights that drifted once
	// and, having held for Window nights, became the new normal.
	Accepted bool `json:"accepted,omitempty"`
	// Streak counts the consecutive drifting nights up to this one.
	Streak int `json:"streak,omitempty"`
}

// Judge applies the rule to every night of s in turn and returns the
// verdict on its latest night.
func (r Rule) Judge(s Series) Judgement {
	r = r.withDefaults()
	if len(s.Nights) == 0 {
		return Judgement{Series: s, Verdict: Insufficient}
	}
	healthy := make([]bool, len(s.Nights))
	accepted := make([]bool, len(s.Nights))
	var j Judgement
	streak := 0
	for i, n := range s.Nights {
		var base []int
		for k := i - 1; k >= 0 && len(base) < r.Window; k-- {
			if healthy[k] {
				base = append(base, k)
			}
		}
		j = r.judgeNight(s, n, base, accepted)
		j.Series = s
		if j.Verdict != Drifting {
			healthy[i] = true
			streak = 0
			continue
		}
		streak++
		j.Streak = streak
		if streak >= r.Window {
			// The new level has held for a full window: it is the new
			// normal from here on.
			for k := i - streak + 1; k <= i; k++ {
				healthy[k], accepted[k] = true, true
			}
			streak = 0
		}
	}
	return j
}

// judgeNight judges one night against the nights indexed by base.
func (r Rule) judgeNight(s Series, n Night, base []int, accepted []bool) Judgement {
	night := compare.NewSample(n.Values)
	j := Judgement{Night: n, Mean: night.Mean, Verdict: Insufficient}
	if night.N == 0 || len(base) < r.MinNights {
		return j
	}
	var pooled []float64
	for i := len(base) - 1; i >= 0; i-- {
		k := base[i]
		pooled = append(pooled, s.Nights[k].Values...)
		j.BaselineNights = append(j.BaselineNights, s.Nights[k].Date)
		j.Accepted = j.Accepted || accepted[k]
	}
	b := compare.NewSample(pooled)
	if b.N == 0 {
		return j
	}
	j.Baseline = b
	j.Delta = night.Mean - b.Mean
	j.Low, j.High = b.Mean-r.K*b.SD, b.Mean+r.K*b.SD
	j.Verdict = Stable
	against := (s.Goal == "maximize" && j.Delta < 0) || (s.Goal == "minimize" && j.Delta > 0)
	if !against || math.Abs(j.Delta) <= s.Tolerance || math.Abs(j.Delta) <= r.K*b.SD {
		if w, ok := compare.WelchTest(b, night, r.Alpha); ok {
			j.P = &w.P
		}
		return j
	}
	if w, ok := compare.WelchTest(b, night, r.Alpha); ok {
		j.P = &w.P
		if w.P >= r.Alpha {
			return j
		}
	}
	j.Verdict = Drifting
	return j
}

// Judged reports whether a metric is judged for drift: only metrics with a
// goal are.
func Judged(goal string) bool { return slices.Contains([]string{"maximize", "minimize"}, goal) }
