package drift

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/assaylab/assay/reporter/compare"
)

// Rule holds the drift rule's parameters; the zero value means the
// defaults.
type Rule struct {
	// Window is how many earlier healthy nights form a baseline (14).
	Window int
	// MinNights is the fewest healthy nights a verdict needs (3).
	MinNights int
	// Alpha is the one-sided level of the prediction test a night must
	// fail to drift (0.0005).
	Alpha float64
}

// The rule's defaults, tuned by simulation (see the package doc).
const (
	DefaultWindow    = 28
	DefaultMinNights = 3
	DefaultAlpha     = 0.0005
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
	if r.MinNights < 2 {
		// A spread of night means needs two nights.
		r.MinNights = 2
	}
	if r.Alpha <= 0 {
		r.Alpha = DefaultAlpha
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
	// runs, and BaselineNights names its nights.
	Mean           float64         `json:"mean"`
	Baseline       *compare.Sample `json:"baseline,omitempty"`
	BaselineNights []string        `json:"baseline_nights,omitempty"`
	// Delta is Mean − the mean of the baseline's night means; Low and
	// High bound the band a healthy night's mean falls in, but for a
	// chance of Alpha on the side against the goal.
	Delta     float64 `json:"delta"`
	Low, High float64 `json:"-"`
	// P is the one-sided p-value of the prediction test, against the
	// goal.
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
	all := r.JudgeAll(s)
	if len(all) == 0 {
		return Judgement{Series: s, Verdict: Insufficient}
	}
	return all[len(all)-1]
}

// JudgeAll applies the rule to every night of s in turn and returns each
// night's judgement, oldest first. A night's judgement depends only on the
// nights before it, so night i's is what Judge said on the morning after
// night i: replaying a history gives every verdict the nightly job gave.
func (r Rule) JudgeAll(s Series) []Judgement {
	r = r.withDefaults()
	out := make([]Judgement, 0, len(s.Nights))
	healthy := make([]bool, len(s.Nights))
	accepted := make([]bool, len(s.Nights))
	streak := 0
	for i, n := range s.Nights {
		var base []int
		for k := i - 1; k >= 0 && len(base) < r.Window; k-- {
			if healthy[k] {
				base = append(base, k)
			}
		}
		j := r.judgeNight(s, n, base, accepted)
		j.Series = s
		if j.Verdict != Drifting {
			healthy[i] = true
			streak = 0
			out = append(out, j)
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
		out = append(out, j)
	}
	return out
}

// judgeNight judges one night against the nights indexed by base: a
// prediction test of the night's mean against the baseline's night means,
//
//	t = (mean − m̄) / (s · √(1 + 1/k)),  k − 1 degrees of freedom,
//
// where m̄ and s are the mean and standard deviation of the k baseline
// nights' means. Working with night means, not runs, keeps whatever makes
// whole nights differ (data order, the machine of the night) from passing
// for drift; s is never below the values' resolution (see
// compare.SDFloor), so a baseline that never varied does not make every
// rounding a drift.
func (r Rule) judgeNight(s Series, n Night, base []int, accepted []bool) Judgement {
	night := compare.NewSample(n.Values)
	j := Judgement{Night: n, Mean: night.Mean, Verdict: Insufficient}
	if night.N == 0 || len(base) < r.MinNights {
		return j
	}
	var pooled, means []float64
	for i := len(base) - 1; i >= 0; i-- {
		k := base[i]
		nv := compare.NewSample(s.Nights[k].Values)
		if nv.N == 0 {
			continue
		}
		pooled = append(pooled, s.Nights[k].Values...)
		means = append(means, nv.Mean)
		j.BaselineNights = append(j.BaselineNights, s.Nights[k].Date)
		j.Accepted = j.Accepted || accepted[k]
	}
	if len(means) < r.MinNights {
		return j
	}
	j.Baseline = compare.NewSample(pooled)
	m := compare.NewSample(means)
	sd := math.Max(m.SD, compare.SDFloor(pooled, night.Values))
	j.Delta = night.Mean - m.Mean
	se := sd * math.Sqrt(1+1/float64(m.N))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(m.N - 1)}
	if math.IsInf(j.Delta, 0) || math.IsNaN(j.Delta) || se == 0 || math.IsInf(se, 0) {
		return j
	}
	q := t.Quantile(1 - r.Alpha)
	j.Low, j.High = m.Mean-q*se, m.Mean+q*se
	against := j.Delta
	if s.Goal == "maximize" {
		against = -j.Delta
	}
	p := t.Survival(against / se)
	j.P = &p
	j.Verdict = Stable
	if against > 0 && math.Abs(compare.RoundSig(j.Delta, compare.DeltaDigits)) > s.Tolerance && p < r.Alpha {
		j.Verdict = Drifting
	}
	return j
}

// Judged reports whether a metric is judged for drift: only metrics with a
// goal are.
func Judged(goal string) bool { return slices.Contains([]string{"maximize", "minimize"}, goal) }
