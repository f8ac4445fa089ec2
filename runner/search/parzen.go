package search

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat/distuv"
)

// parzen is an adaptive Parzen estimator over a real interval [lo, hi]
// (Bergstra et al. 2011, section 4): a mixture of Gaussians, one per
// observation and one for the prior, each truncated to the interval.
type parzen struct {
	lo, hi float64
	comps  []distuv.Normal
	// logW is each component's log weight less the log of its mass
	// inside [lo, hi], so that the truncated mixture integrates to one.
	logW []float64
	// cumW is the running sum of the (untruncated) weights, for drawing
	// a component.
	cumW []float64
	// massLo and massHi are each component's CDF at lo and hi.
	massLo, massHi []float64
}

// newParzen fits the estimator to observations (in the interval) with
// the prior as one more component of weight priorWeight, where each
// observation weighs 1.
func newParzen(obs []float64, lo, hi, priorWeight float64) *parzen {
	type mean struct {
		mu    float64
		prior bool
	}
	priorMu, priorSigma := (lo+hi)/2, hi-lo
	ms := make([]mean, 0, len(obs)+1)
	for _, o := range obs {
		ms = append(ms, mean{mu: o})
	}
	ms = append(ms, mean{mu: priorMu, prior: true})
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].mu < ms[j].mu })
	// Each Gaussian is as wide as the larger gap to its neighbours (the
	// interval's ends bound the outermost), clipped to a sensible range:
	// never wider than the prior, never narrower than the prior shared
	// among the observations.
	minSigma := priorSigma / math.Min(100, 1+float64(len(obs)))
	p := &parzen{lo: lo, hi: hi}
	total := 0.0
	for i, m := range ms {
		w, sigma := 1.0, priorSigma
		if m.prior {
			w = priorWeight
		} else {
			left, right := lo, hi
			if i > 0 {
				left = ms[i-1].mu
			}
			if i < len(ms)-1 {
				right = ms[i+1].mu
			}
			sigma = math.Min(math.Max(math.Max(m.mu-left, right-m.mu), minSigma), priorSigma)
		}
		n := distuv.Normal{Mu: m.mu, Sigma: sigma}
		a, b := n.CDF(lo), n.CDF(hi)
		total += w
		p.comps = append(p.comps, n)
		p.massLo, p.massHi = append(p.massLo, a), append(p.massHi, b)
		p.logW = append(p.logW, math.Log(w)-math.Log(math.Max(b-a, 1e-300)))
		p.cumW = append(p.cumW, total)
	}
	for i := range p.logW {
		p.logW[i] -= math.Log(total)
		p.cumW[i] /= total
	}
	return p
}

// logPDF is the log density of the truncated mixture at z in [lo, hi].
func (p *parzen) logPDF(z float64) float64 {
	terms := make([]float64, len(p.comps))
	for i, c := range p.comps {
		terms[i] = p.logW[i] + c.LogProb(z)
	}
	return floats.LogSumExp(terms)
}

// logMass is the log of the mixture's mass on [a, b] (within [lo, hi]).
func (p *parzen) logMass(a, b float64) float64 {
	a, b = math.Max(a, p.lo), math.Min(b, p.hi)
	terms := make([]float64, len(p.comps))
	for i, c := range p.comps {
		terms[i] = p.logW[i] + math.Log(math.Max(c.CDF(b)-c.CDF(a), 1e-300))
	}
	return floats.LogSumExp(terms)
}

// draw samples the mixture: a component by weight with u1, then a point
// of its truncated Gaussian by inverting the CDF with u2.
func (p *parzen) draw(u1, u2 float64) float64 {
	i := sort.SearchFloat64s(p.cumW, u1)
	if i >= len(p.comps) {
		i = len(p.comps) - 1
	}
	c := p.comps[i]
	q := p.massLo[i] + u2*(p.massHi[i]-p.massLo[i])
	q = math.Min(math.Max(q, 1e-300), 1-1e-16)
	return math.Min(math.Max(c.Quantile(q), p.lo), p.hi)
}

// categorical is the density of a choice param: the counts of each
// choice among the observations, with the prior's weight spread evenly.
type categorical struct {
	logP []float64
	cum  []float64
}

func newCategorical(obs []float64, k int, priorWeight float64) *categorical {
	w := make([]float64, k)
	for i := range w {
		w[i] = priorWeight / float64(k)
	}
	for _, o := range obs {
		w[int(o)]++
	}
	total := floats.Sum(w)
	c := &categorical{logP: make([]float64, k), cum: make([]float64, k)}
	run := 0.0
	for i, x := range w {
		c.logP[i] = math.Log(x / total)
		run += x / total
		c.cum[i] = run
	}
	return c
}

func (c *categorical) draw(u float64) float64 {
	i := sort.SearchFloat64s(c.cum, u)
	return float64(min(i, len(c.cum)-1))
}
