package compare

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Sample is one side's values of one metric for one config, one value per
// seed, with what was left out and why. A headline row that averages
// several configs carries a pooled sample (Configs > 0).
type Sample struct {
	// N counts the finite values, diverged ones included.
	N int `json:"n"`
	// Mean and SD describe the values that did not diverge: the main mode
	// a typical seed lands in. SD is the sample standard deviation (n−1
	// denominator), 0 when fewer than two values are left; it is capped
	// at the largest float64 for values so extreme their spread is not a
	// number (the test then cannot compare, and says so).
	Mean   float64   `json:"mean"`
	SD     float64   `json:"sd"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	Values []float64 `json:"values"`
	// Diverged are the values set aside as diverged seeds: far from the
	// side's median, in units of the row's robust spread (see
	// docs/compare.md). Mean, SD and the test use the other values.
	Diverged []float64 `json:"diverged,omitempty"`
	// Configs is set on a pooled headline sample: the number of configs
	// it averages. Mean is then the mean of their means, SD the root of
	// their mean variance (the seed-to-seed spread within a config), N
	// and Values all their values.
	Configs int `json:"configs,omitempty"`
	// NonFinite counts values dropped because they were NaN or ±Inf.
	NonFinite int `json:"non_finite,omitempty"`
	// Absent counts succeeded runs that did not report the metric.
	Absent int `json:"absent,omitempty"`

	// main are the values the mean and the test use: Values without the
	// diverged ones; floor is the least standard deviation a test gives
	// the side (see resolution.go).
	main  []float64
	floor float64
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
	s.main = s.Values
	s.Mean, s.SD = meanSD(s.Values)
	return s
}

// MainN is the number of values the mean and the test use.
func (s *Sample) MainN() int {
	if s == nil {
		return 0
	}
	return s.N - len(s.Diverged)
}

// setAside moves the values marked in diverged out of the main mode and
// summarises the rest again.
func (s *Sample) setAside(diverged []bool) {
	var main, out []float64
	for i, v := range s.Values {
		if diverged[i] {
			out = append(out, v)
		} else {
			main = append(main, v)
		}
	}
	if len(out) == 0 {
		return
	}
	s.Diverged, s.main = out, main
	s.Mean, s.SD = meanSD(main)
}

// moments are what a test needs of one side.
func (s *Sample) moments() moments {
	return moments{n: s.MainN(), mean: s.Mean, sd: s.SD, floor: s.floor}
}

// moments summarise one side of one config for a test.
type moments struct {
	n               int
	mean, sd, floor float64
}

// meanSD is the mean and sample standard deviation of vals without
// overflow or underflow: values whose squares leave float64's range
// (above about 1e154, below about 1e-154) are scaled by the largest
// magnitude first. Identical values give exactly that value and 0.
func meanSD(vals []float64) (mean, sd float64) {
	n := len(vals)
	if n == 0 {
		return 0, 0
	}
	lo, hi := slices.Min(vals), slices.Max(vals)
	if lo == hi {
		// Identical values: exactly that mean and no spread, without the
		// rounding error a computed mean and variance would carry.
		return lo, 0
	}
	scale := math.Max(math.Abs(lo), math.Abs(hi))
	if scale < 1e150 && scale > 1e-150 && n > 1 {
		m, v := stat.MeanVariance(vals, nil)
		return m, math.Sqrt(v)
	}
	var sum float64
	for _, v := range vals {
		sum += v / scale
	}
	m := sum / float64(n)
	mean = math.Min(math.Max(m*scale, lo), hi)
	if n == 1 {
		return vals[0], 0
	}
	var ss, comp float64
	for _, v := range vals {
		d := v/scale - m
		ss += d * d
		comp += d
	}
	v := math.Max(0, (ss-comp*comp/float64(n))/float64(n-1))
	sd = math.Sqrt(v) * scale
	if math.IsInf(sd, 0) {
		sd = math.MaxFloat64
	}
	return mean, sd
}
