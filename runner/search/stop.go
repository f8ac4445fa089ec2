package search

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"sync"
)

// Point is one step of a metric's series.
type Point struct {
	Step  int64
	Value float64
}

// Evidence is the series of the judged metric of one trial of an earlier
// round, in step order. Completed is set for a trial that ran to its own
// end (not stopped, not failed): the median rule counts only those.
type Evidence struct {
	Points    []Point
	Completed bool
}

// StopConfig is an early_stop block with what judging needs of its metric.
type StopConfig struct {
	// Rule is "asha" or "median".
	Rule            string
	Metric          string
	MinSteps        int64
	ReductionFactor int
	GracePeriod     int
	// Summary is the metric's summary rule: how ASHA reduces the points
	// up to a rung to one value.
	Summary  string
	Maximize bool
}

// Stopper judges the running trials of one round against the trials of
// the rounds before it. Its Follow functions may run on several
// goroutines at once.
type Stopper struct {
	cfg      StopConfig
	evidence []Evidence
	mu       sync.Mutex
	// rungs caches, per ASHA rung, the sorted losses of the evidence
	// that reached it.
	rungs map[int][]float64
}

// NewStopper returns the judge of cfg with the evidence of earlier rounds.
func NewStopper(cfg StopConfig, evidence []Evidence) *Stopper {
	if cfg.MinSteps < 1 {
		cfg.MinSteps = 1
	}
	if cfg.ReductionFactor < 2 {
		cfg.ReductionFactor = 3
	}
	return &Stopper{cfg: cfg, evidence: evidence, rungs: map[int][]float64{}}
}

// loss turns a value into a number to minimize.
func (s *Stopper) loss(v float64) float64 {
	if s.cfg.Maximize {
		return -v
	}
	return v
}

// rungStep is the step of ASHA's rung k: min_steps·η^k, or -1 past int64.
func (s *Stopper) rungStep(k int) int64 {
	r := float64(s.cfg.MinSteps) * math.Pow(float64(s.cfg.ReductionFactor), float64(k))
	if r > math.MaxInt64/2 {
		return -1
	}
	return int64(r)
}

// summary reduces points by the metric's rule, incrementally.
type summary struct {
	rule            string
	n               int
	last, lo, hi, s float64
}

func (m *summary) add(v float64) {
	if m.n == 0 {
		m.lo, m.hi = v, v
	}
	m.n++
	m.last, m.s = v, m.s+v
	m.lo, m.hi = math.Min(m.lo, v), math.Max(m.hi, v)
}

func (m *summary) value() float64 {
	switch m.rule {
	case "min":
		return m.lo
	case "max":
		return m.hi
	case "mean":
		return m.s / float64(m.n)
	}
	return m.last
}

// atRung is the summary of an evidence series up to its first point at
// or past step, as the trial would have been judged there; ok is false
// when the series never got that far.
func (s *Stopper) atRung(pts []Point, step int64) (float64, bool) {
	m := summary{rule: s.cfg.Summary}
	for _, p := range pts {
		m.add(p.Value)
		if p.Step >= step {
			return m.value(), true
		}
	}
	return 0, false
}

func (s *Stopper) rungLosses(k int) []float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ls, ok := s.rungs[k]; ok {
		return ls
	}
	step := s.rungStep(k)
	var ls []float64
	for _, e := range s.evidence {
		if v, ok := s.atRung(e.Points, step); ok {
			ls = append(ls, s.loss(v))
		}
	}
	sort.Float64s(ls)
	s.rungs[k] = ls
	return ls
}

// Follow returns the judge of one running trial: it takes the trial's
// points of the metric in the order they arrive and returns why the trial
// should stop, or "" while it should go on. Once it has said stop, it
// keeps saying so.
func (s *Stopper) Follow() func(step int64, value float64) string {
	m := summary{rule: s.cfg.Summary}
	best := math.Inf(1)
	next := 0 // the next ASHA rung
	stopped := ""
	return func(step int64, value float64) string {
		if stopped != "" {
			return stopped
		}
		m.add(value)
		best = math.Min(best, s.loss(value))
		if s.cfg.Rule == "median" {
			stopped = s.median(step, best)
			return stopped
		}
		for {
			r := s.rungStep(next)
			if r < 0 || step < r {
				return ""
			}
			if why := s.asha(next, r, m.value()); why != "" {
				stopped = why
				return why
			}
			next++
		}
	}
}

// asha judges a trial that reached rung k (at step r) with value v: it
// goes on if it is among the best ⌊n/η⌋ (at least 1) of the n values at
// the rung, its own included; ties go on.
func (s *Stopper) asha(k int, r int64, v float64) string {
	ls := s.rungLosses(k)
	if len(ls) < s.cfg.GracePeriod {
		return ""
	}
	n := len(ls) + 1
	keep := max(1, n/s.cfg.ReductionFactor)
	lv := s.loss(v)
	better := sort.SearchFloat64s(ls, lv) // evidence strictly better
	if better < keep {
		return ""
	}
	cutoff := ls[keep-1]
	if s.cfg.Maximize {
		cutoff = -cutoff
	}
	return fmt.Sprintf("at step %d (rung %d of successive halving), %s %s is not among the best %d of the %d trials that reached it (cutoff %s)",
		r, k, s.cfg.Metric, num(v), keep, n, num(cutoff))
}

// median judges a trial at step with its best loss so far: it stops when
// that is worse than the median of the running averages, up to step, of
// the completed earlier trials that reached step.
func (s *Stopper) median(step int64, bestLoss float64) string {
	if step < s.cfg.MinSteps {
		return ""
	}
	var avgs []float64
	for _, e := range s.evidence {
		if !e.Completed || len(e.Points) == 0 || e.Points[len(e.Points)-1].Step < step {
			continue
		}
		sum, n := 0.0, 0
		for _, p := range e.Points {
			if p.Step > step {
				break
			}
			sum += p.Value
			n++
		}
		if n > 0 {
			avgs = append(avgs, s.loss(sum/float64(n)))
		}
	}
	if len(avgs) < s.cfg.GracePeriod || len(avgs) == 0 {
		return ""
	}
	med := Median(avgs)
	if !(bestLoss > med) {
		return ""
	}
	best, shown := bestLoss, med
	if s.cfg.Maximize {
		best, shown = -best, -shown
	}
	return fmt.Sprintf("at step %d, its best %s %s is worse than the median %s of the running averages of the %d finished trials that reached that step",
		step, s.cfg.Metric, num(best), num(shown), len(avgs))
}

// Median is the median of xs: the middle value, or the mean of the two
// middle values. xs is sorted in place.
func Median(xs []float64) float64 {
	sort.Float64s(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
