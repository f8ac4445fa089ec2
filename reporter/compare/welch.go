package compare

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultAlpha is the significance level: a change counts as significant
// when Welch's test gives p < DefaultAlpha.
const DefaultAlpha = 0.05

// Sample is one side's values of one metric for one config, one value per
// seed, with what was left out and why.
type Sample struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	// SD is the sample standard deviation (n−1 denominator); 0 when n < 2.
	SD     float64   `json:"sd"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	Values []float64 `json:"values"`
	// NonFinite counts values dropped because they were NaN or ±Inf.
	NonFinite int `json:"non_finite,omitempty"`
	// Absent counts succeeded runs that did not report the metric.
	Absent int `json:"absent,omitempty"`
}

// NewSample summarises values. Non-finite values are dropped and counted:
// a NaN would otherwise poison the mean and make every test meaningless.
func NewSample(values []float64) *Sample {
	s := &Sample{Values: []float64{}}
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			s.NonFinite++
			continue
		}
		s.Values = append(s.Values, v)
	}
	s.N = len(s.Values)
	if s.N == 0 {
		return s
	}
	s.Min, s.Max = slices.Min(s.Values), slices.Max(s.Values)
	if s.Min == s.Max {
		// Identical values: exactly that mean and no spread, without the
		// rounding error a computed mean and variance would carry.
		s.Mean = s.Min
		return s
	}
	if s.N == 1 {
		s.Mean = s.Values[0]
		return s
	}
	var v float64
	s.Mean, v = stat.MeanVariance(s.Values, nil)
	s.SD = math.Sqrt(v)
	return s
}

func (s *Sample) variance() float64 { return s.SD * s.SD }

// Welch is the result of Welch's unequal-variances t-test of head against
// base, with the confidence interval of the difference of means
// (head − base).
type Welch struct {
	// Delta is mean(head) − mean(base).
	Delta float64
	// T is the t statistic; ±Inf when neither side varies but the means
	// differ, NaN when neither varies and the means agree.
	T float64
	// DF is the Welch–Satterthwaite degrees of freedom; NaN when neither
	// side varies.
	DF float64
	// P is the two-sided p-value.
	P float64
	// CILow and CIHigh bound the confidence interval of Delta at the
	// level 1 − alpha.
	CILow, CIHigh float64
	// Exact is set when neither side varies: the difference is known
	// exactly, P is 0 (the means differ) or 1 (they agree), and the
	// interval is the point Delta.
	Exact bool
}

// WelchTest compares head against base. It needs at least two values on
// each side and reports ok=false otherwise: one value has no variance
// estimate, so no test is possible.
func WelchTest(base, head *Sample, alpha float64) (w Welch, ok bool) {
	if base == nil || head == nil || base.N < 2 || head.N < 2 {
		return Welch{}, false
	}
	w.Delta = head.Mean - base.Mean
	vb, vh := base.variance()/float64(base.N), head.variance()/float64(head.N)
	se2 := vb + vh
	if se2 == 0 {
		// Both sides are constant, as deterministic training makes them.
		// A difference between two constants is a real difference, not
		// "no change" (the mistake benchstat once made).
		w.Exact, w.DF = true, math.NaN()
		w.CILow, w.CIHigh = w.Delta, w.Delta
		if w.Delta == 0 {
			w.T, w.P = math.NaN(), 1
		} else {
			w.T, w.P = math.Inf(sign(w.Delta)), 0
		}
		return w, true
	}
	se := math.Sqrt(se2)
	w.T = w.Delta / se
	w.DF = se2 * se2 / (vb*vb/float64(base.N-1) + vh*vh/float64(head.N-1))
	if math.IsNaN(w.DF) || math.IsInf(w.DF, 0) || w.DF <= 0 {
		// Variances so small their squares underflow: fall back to the
		// smallest df Welch–Satterthwaite can give, which is conservative.
		w.DF = float64(min(base.N, head.N) - 1)
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: w.DF}
	w.P = math.Min(1, 2*t.Survival(math.Abs(w.T)))
	q := t.Quantile(1 - alpha/2)
	w.CILow, w.CIHigh = w.Delta-q*se, w.Delta+q*se
	return w, true
}

func sign(x float64) int {
	if x < 0 {
		return -1
	}
	return 1
}
