package compare

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultAlpha is the significance level: a change counts as significant
// when its p-value, adjusted for the other tests of the comparison, is
// below DefaultAlpha.
const DefaultAlpha = 0.05

// Welch is the result of Welch's unequal-variances t-test of head against
// base (or of its stratified form, the mean of several configs'
// differences), with the confidence interval of the difference of means
// (head − base).
type Welch struct {
	// Delta is mean(head) − mean(base), averaged over the configs of a
	// stratified test.
	Delta float64
	// SE is the standard error of Delta.
	SE float64
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
	// interval is the point Delta. Comparisons never see it: they floor
	// each side's spread at the values' resolution.
	Exact bool
	// Floored is set when a side's standard deviation was raised to its
	// floor, and Floor is the largest floor that was.
	Floored bool
	Floor   float64
}

// WelchTest compares head against base. It needs at least two values on
// each side and reports ok=false otherwise (one value has no variance
// estimate, so no test is possible), or when the difference does not fit
// in a float64.
func WelchTest(base, head *Sample, alpha float64) (w Welch, ok bool) {
	if base == nil || head == nil || base.MainN() < 2 || head.MainN() < 2 {
		return Welch{}, false
	}
	w, err := stratifiedWelch([]stratum{{b: base.moments(), h: head.moments()}}, alpha)
	return w, err == nil
}

// stratum is one config's two sides.
type stratum struct{ b, h moments }

// errOverflow says a comparison's numbers left float64's range.
var errOverflow = errors.New("the difference or its interval does not fit in a float64")

// stratifiedWelch tests the mean over strata of mean(head) − mean(base)
// against 0: with one stratum, Welch's t-test; with k, the difference's
// variance is the sum of the strata's Welch variances over k², and its
// degrees of freedom come from Welch–Satterthwaite over all 2k variance
// terms. Every stratum needs two values a side. The arithmetic runs on
// values divided by the largest magnitude involved, so values near
// float64's limits neither overflow nor underflow.
func stratifiedWelch(strata []stratum, alpha float64) (Welch, error) {
	var w Welch
	k := float64(len(strata))
	scale := 0.0
	for _, s := range strata {
		for _, x := range []float64{s.b.mean, s.h.mean, s.b.sd, s.h.sd, s.b.floor, s.h.floor} {
			scale = math.Max(scale, math.Abs(x))
		}
	}
	if scale == 0 || math.IsInf(scale, 0) {
		// Every value is 0.
		w.Exact, w.T, w.DF, w.P = true, math.NaN(), math.NaN(), 1
		return w, nil
	}
	if scale > 1e-50 && scale < 1e50 {
		// Fourth powers of these stay in range: no scaling, so ordinary
		// values get exactly the textbook arithmetic.
		scale = 1
	}
	var d, v, dfDen float64
	for _, s := range strata {
		sb, sh := math.Max(s.b.sd, s.b.floor)/scale, math.Max(s.h.sd, s.h.floor)/scale
		for _, m := range []moments{s.b, s.h} {
			if m.sd < m.floor {
				w.Floored, w.Floor = true, math.Max(w.Floor, m.floor)
			}
		}
		vb, vh := sb*sb/float64(s.b.n), sh*sh/float64(s.h.n)
		d += s.h.mean/scale - s.b.mean/scale
		v += vb + vh
		dfDen += vb*vb/float64(s.b.n-1) + vh*vh/float64(s.h.n-1)
	}
	d /= k
	se2 := v / (k * k)
	if se2 == 0 {
		// Both sides constant, as deterministic training makes them, and
		// no floor: the difference is exact.
		w.Exact, w.DF = true, math.NaN()
		w.Delta = d * scale
		w.CILow, w.CIHigh = w.Delta, w.Delta
		if d == 0 {
			w.T, w.P = math.NaN(), 1
		} else {
			w.T, w.P = math.Inf(sign(d)), 0
		}
		if math.IsInf(w.Delta, 0) {
			return w, errOverflow
		}
		return w, nil
	}
	se := math.Sqrt(se2)
	w.T = d / se
	w.DF = v * v / dfDen
	if math.IsNaN(w.DF) || math.IsInf(w.DF, 0) || w.DF <= 0 {
		// Variances so small their squares underflow: fall back to the
		// smallest df Welch–Satterthwaite can give, which is conservative.
		w.DF = math.Inf(1)
		for _, s := range strata {
			w.DF = math.Min(w.DF, float64(min(s.b.n, s.h.n)-1))
		}
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: w.DF}
	w.P = math.Min(1, 2*t.Survival(math.Abs(w.T)))
	q := t.Quantile(1 - alpha/2)
	w.Delta, w.SE = d*scale, se*scale
	w.CILow, w.CIHigh = (d-q*se)*scale, (d+q*se)*scale
	for _, x := range []float64{w.Delta, w.SE, w.CILow, w.CIHigh} {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return w, errOverflow
		}
	}
	return w, nil
}

// detectable is the smallest |Δ| a test of standard error se and df
// degrees of freedom detects with 80% power at the two-sided level a.
func detectable(se, df, a float64) float64 {
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	return (t.Quantile(1-a/2) + t.Quantile(0.8)) * se
}

func sign(x float64) int {
	if x < 0 {
		return -1
	}
	return 1
}
