package main

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// rate is k events in n replicates.
type rate struct{ k, n int }

func (r rate) p() float64 { return float64(r.k) / float64(r.n) }

// wilson is the 95% Wilson score interval of the rate: unlike p ± 1.96·se
// it stays inside [0, 1] and is honest at 0 or n events.
func (r rate) wilson() (lo, hi float64) {
	const z = 1.959963984540054
	n, p := float64(r.n), r.p()
	den := 1 + z*z/n
	mid := (p + z*z/(2*n)) / den
	half := z / den * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
	return math.Max(0, mid-half), math.Min(1, mid+half)
}

func (r rate) String() string {
	lo, hi := r.wilson()
	return fmt.Sprintf("%5.1f%% [%4.1f, %4.1f] (%d/%d)", 100*r.p(), 100*lo, 100*hi, r.k, r.n)
}

// binomialUpper is P(X ≥ k) for X ~ Binomial(n, p).
func binomialUpper(k, n int, p float64) float64 {
	if k <= 0 {
		return 1
	}
	return distuv.Binomial{N: float64(n), P: p}.Survival(float64(k - 1))
}

// binomialLower is P(X ≤ k) for X ~ Binomial(n, p).
func binomialLower(k, n int, p float64) float64 {
	return distuv.Binomial{N: float64(n), P: p}.CDF(float64(k))
}

// mean is a running mean of a count per replicate with its spread.
type mean struct {
	n         int
	sum, sum2 float64
}

func (m *mean) add(x float64) { m.n++; m.sum += x; m.sum2 += x * x }

func (m mean) value() float64 { return m.sum / float64(m.n) }

// interval is the mean's 95% normal interval.
func (m mean) interval() (lo, hi float64) {
	n := float64(m.n)
	mu := m.value()
	v := math.Max(0, (m.sum2-n*mu*mu)/math.Max(n-1, 1))
	half := 1.959963984540054 * math.Sqrt(v/n)
	return math.Max(0, mu-half), mu + half
}

func (m mean) String() string {
	lo, hi := m.interval()
	return fmt.Sprintf("%.3f [%.3f, %.3f] (%d)", m.value(), lo, hi, m.n)
}
