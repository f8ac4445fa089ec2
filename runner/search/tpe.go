package search

import (
	"math"
)

// Observation is a point tried and how it did. Observations reach the
// proposer best first; Loss orders them only within that order's
// groups (see the runner: stopped points rank after finished ones).
type Observation struct {
	X    []float64
	Loss float64
}

// TPE proposes points of a space from observations (see the package doc).
type TPE struct {
	Space Space
	// Candidates is how many points are drawn from l(x) for each proposal;
	// 0 means DefaultCandidates.
	Candidates int
	// Gamma sets the good group's size, ⌈Gamma·√n⌉ of n observations;
	// 0 means DefaultGamma.
	Gamma float64
	// PriorWeight is the prior's weight against an observation's 1; 0
	// means 1.
	PriorWeight float64
}

// Defaults of TPE.
const (
	DefaultCandidates = 24
	DefaultGamma      = 1
)

// GoodCount is how many of n observations the good group holds.
func (t *TPE) GoodCount(n int) int {
	g := t.Gamma
	if g == 0 {
		g = DefaultGamma
	}
	if n == 0 {
		return 0
	}
	return min(n, max(1, int(math.Ceil(g*math.Sqrt(float64(n))))))
}

// Propose returns the next point. obs are the observations of earlier
// rounds, best first; pending are points proposed in this round, which
// count as bad; tried reports whether a point was tried or proposed
// already, and such points are passed over while an untried one can be
// found.
func (t *TPE) Propose(obs []Observation, pending [][]float64, tried func([]float64) bool, src *Source) []float64 {
	if len(obs) == 0 {
		return t.random(tried, src)
	}
	nGood := t.GoodCount(len(obs))
	var good, bad [][]float64
	for i, o := range obs {
		if i < nGood {
			good = append(good, o.X)
		} else {
			bad = append(bad, o.X)
		}
	}
	bad = append(bad, pending...)
	l, g := t.densities(good), t.densities(bad)
	ncand := t.Candidates
	if ncand == 0 {
		ncand = DefaultCandidates
	}
	// Up to 20 sets of candidates while every one drawn was tried: a
	// small discrete space may hold few untried points.
	for range 20 {
		var best []float64
		bestScore := math.Inf(-1)
		for range ncand {
			x := make([]float64, len(t.Space))
			for i, p := range t.Space {
				x[i] = l[i].draw(p, src)
			}
			if tried(x) {
				continue
			}
			score := 0.0
			for i, p := range t.Space {
				score += l[i].logDensity(p, x[i]) - g[i].logDensity(p, x[i])
			}
			if score > bestScore {
				best, bestScore = x, score
			}
		}
		if best != nil {
			return best
		}
	}
	return t.random(tried, src)
}

// random draws an untried point from the whole space, uniformly in each
// param's modelled space (log space for LogUniform).
func (t *TPE) random(tried func([]float64) bool, src *Source) []float64 {
	var x []float64
	for range 10000 {
		x = make([]float64, len(t.Space))
		for i, p := range t.Space {
			if p.Kind == Choice {
				x[i] = float64(min(int(src.Unit()*float64(p.Choices)), p.Choices-1))
				continue
			}
			x[i] = p.value(p.lo() + src.Unit()*(p.hi()-p.lo()))
		}
		if !tried(x) {
			return x
		}
	}
	return x
}

// density is one param's density in one group.
type density struct {
	cont *parzen
	cat  *categorical
}

func (t *TPE) densities(points [][]float64) []density {
	w := t.PriorWeight
	if w == 0 {
		w = 1
	}
	out := make([]density, len(t.Space))
	for i, p := range t.Space {
		obs := make([]float64, len(points))
		for j, x := range points {
			obs[j] = x[i]
		}
		if p.Kind == Choice {
			out[i].cat = newCategorical(obs, p.Choices, w)
			continue
		}
		for j := range obs {
			obs[j] = p.model(obs[j])
		}
		out[i].cont = newParzen(obs, p.lo(), p.hi(), w)
	}
	return out
}

// draw samples a param value: a choice, a whole number, or a real kept
// to 6 significant digits.
func (d density) draw(p Param, src *Source) float64 {
	if d.cat != nil {
		return d.cat.draw(src.Unit())
	}
	u1, u2 := src.Unit(), src.Unit()
	return p.value(d.cont.draw(u1, u2))
}

// logDensity is the log density (a whole number's: its mass) of a value.
func (d density) logDensity(p Param, v float64) float64 {
	switch {
	case d.cat != nil:
		return d.cat.logP[int(v)]
	case p.Kind == Int:
		return d.cont.logMass(v-0.5, v+0.5)
	}
	return d.cont.logPDF(p.model(v))
}
