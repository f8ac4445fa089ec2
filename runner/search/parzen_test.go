package search

import (
	"math"
	"testing"
)

// phi is the standard normal CDF, written with the standard library so
// the test does not check gonum against itself.
func phi(x float64) float64 { return 0.5 * (1 + math.Erf(x/math.Sqrt2)) }

func gauss(x, mu, sigma float64) float64 {
	return math.Exp(-0.5*((x-mu)/sigma)*((x-mu)/sigma)) / (sigma * math.Sqrt(2*math.Pi))
}

// One observation at 0.5 in [0, 1]: the prior is N(0.5, 1); the
// observation's Gaussian is as wide as its larger gap (0.5, to the
// interval's end), which is also the floor of 1/(1+1); each is truncated
// to [0, 1] and they weigh the same.
func TestParzenKnownDensity(t *testing.T) {
	p := newParzen([]float64{0.5}, 0, 1, 1)
	z1, z2 := phi(1)-phi(-1), phi(0.5)-phi(-0.5)
	for _, x := range []float64{0, 0.1, 0.5, 0.93, 1} {
		want := 0.5 * (gauss(x, 0.5, 0.5)/z1 + gauss(x, 0.5, 1)/z2)
		if got := math.Exp(p.logPDF(x)); math.Abs(got-want) > 1e-12 {
			t.Errorf("density at %g = %.15g, want %.15g", x, got, want)
		}
	}
	if at := math.Exp(p.logPDF(0.5)); math.Abs(at-1.105283) > 1e-6 {
		t.Errorf("density at 0.5 = %.7g, want 1.105283 (worked by hand)", at)
	}
}

// The truncated mixture is a density: it integrates to one over its
// interval, and the mass of the whole interval is one.
func TestParzenIntegratesToOne(t *testing.T) {
	p := newParzen([]float64{-2, -1.9, 0.3, 3.5, 4}, -3, 4, 1)
	const n = 20000
	sum := 0.0
	for i := 0; i <= n; i++ {
		x := -3 + 7*float64(i)/n
		w := 1.0
		if i == 0 || i == n {
			w = 0.5
		}
		sum += w * math.Exp(p.logPDF(x))
	}
	if integral := sum * 7 / n; math.Abs(integral-1) > 1e-6 {
		t.Errorf("integral = %.9f", integral)
	}
	if m := math.Exp(p.logMass(-3, 4)); math.Abs(m-1) > 1e-12 {
		t.Errorf("mass of the interval = %.15f", m)
	}
}

// Bandwidths: the larger gap to a neighbour, at least the prior's width
// over 1+n and at most the prior's width.
func TestParzenBandwidths(t *testing.T) {
	p := newParzen([]float64{0.1, 0.2, 0.9}, 0, 1, 1)
	// Sorted means: 0.1, 0.2, 0.5 (prior), 0.9. Floor 1/4.
	want := map[float64]float64{0.1: 0.25, 0.2: 0.3, 0.9: 0.4}
	for _, c := range p.comps {
		if c.Mu == 0.5 {
			if c.Sigma != 1 {
				t.Errorf("prior sigma = %g", c.Sigma)
			}
			continue
		}
		if math.Abs(c.Sigma-want[c.Mu]) > 1e-12 {
			t.Errorf("sigma at %g = %g, want %g", c.Mu, c.Sigma, want[c.Mu])
		}
	}
}

// Draws follow the density: the share of draws in a bin matches the
// bin's mass.
func TestParzenDrawsFollowTheDensity(t *testing.T) {
	p := newParzen([]float64{0.2, 0.25, 0.8}, 0, 1, 1)
	src := NewSource(1, 0)
	const n = 200000
	in := 0
	for range n {
		if x := p.draw(src.Unit(), src.Unit()); x >= 0.15 && x < 0.3 {
			in++
		}
	}
	want := math.Exp(p.logMass(0.15, 0.3))
	if got := float64(in) / n; math.Abs(got-want) > 0.005 {
		t.Errorf("share in [0.15, 0.3) = %.4f, mass %.4f", got, want)
	}
}

// A choice's density is its counts plus the prior's weight spread evenly:
// counts 2, 1, 0 with weight 1 over 3 choices are 7/12, 4/12, 1/12.
func TestCategoricalKnownDensity(t *testing.T) {
	c := newCategorical([]float64{0, 0, 1}, 3, 1)
	for i, want := range []float64{7.0 / 12, 4.0 / 12, 1.0 / 12} {
		if got := math.Exp(c.logP[i]); math.Abs(got-want) > 1e-12 {
			t.Errorf("p(%d) = %g, want %g", i, got, want)
		}
	}
	if c.draw(0.5) != 0 || c.draw(0.6) != 1 || c.draw(0.99) != 2 {
		t.Error("draws do not follow the cumulative weights")
	}
}
