package compare

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/assaylab/assay/spec"
)

// headline builds the row the summary shows and the status judges.
//
// A single pair is its own headline. A sweep's headline is the mean over
// its paired configs — each head config against the same params at base,
// or against the config it replaced — of head − base, tested with the
// stratified Welch test. It compares like with like, uses every seed of
// every pair (a change that moves all twelve configs by 2σ is found even
// at n = 3), and picks nothing by its results: the best-against-best
// headline it replaced compared different configs and rewarded the
// luckiest. Pairs whose trials are the same on both sides are left out
// while any pair changed: they would only dilute the change.
func (x *experimentCtx) headline(e *Experiment, pairs []pair) *Row {
	if !e.Sweep {
		if len(pairs) != 1 {
			return nil
		}
		x.hlBase, x.hlHead = pairs[0].base, pairs[0].head
		r := e.Configs[0]
		if r.Base != nil && r.Head != nil {
			r.Pairs = []ConfigPair{{Base: r.Base.Label, Head: r.Head.Label}}
		}
		return r
	}
	var paired, ok, changed []int
	for i, r := range e.Configs {
		if r.Base == nil || r.Head == nil {
			continue
		}
		paired = append(paired, i)
		if r.state == "" {
			ok = append(ok, i)
			if !r.Same {
				changed = append(changed, i)
			}
		}
	}
	switch {
	case len(paired) == 0:
		return x.loneHeadline(e)
	case len(ok) == 0:
		return x.stateHeadline(e, pairs, paired)
	case len(changed) > 0:
		return x.pooled(e, pairs, changed)
	}
	return x.pooled(e, pairs, ok)
}

// pooled is the headline over the rows use (indices into e.Configs and
// pairs).
func (x *experimentCtx) pooled(e *Experiment, pairs []pair, use []int) *Row {
	r := &Row{Pairing: PairPooled, Metrics: []*Metric{}, Same: true}
	if len(use) == 1 {
		r.Pairing = e.Configs[use[0]].Pairing
	}
	nParams, nReplaced := 0, 0
	for _, i := range use {
		cr := e.Configs[i]
		r.Pairs = append(r.Pairs, ConfigPair{Base: cr.Base.Label, Head: cr.Head.Label})
		r.Same = r.Same && cr.Same
		if cr.Pairing == PairReplaced {
			nReplaced++
		} else {
			nParams++
		}
	}
	rep := x.representative(e, use)
	r.Base, r.Head = e.Configs[rep].Base, e.Configs[rep].Head
	x.hlBase, x.hlHead = pairs[rep].base, pairs[rep].head
	for j, m := range x.metrics {
		cms := make([]*Metric, len(use))
		for k, i := range use {
			cms[k] = e.Configs[i].Metrics[j]
		}
		r.Metrics = append(r.Metrics, x.pooledMetric(m, cms, r.Same))
	}
	if len(use) > 1 {
		var how string
		switch {
		case nReplaced == 0:
			how = "each against the same params at base"
		case nParams == 0:
			how = "each against the base config it replaced"
		default:
			how = fmt.Sprintf("%d against the same params at base, %d against the base config each replaced", nParams, nReplaced)
		}
		e.Notes = append(e.Notes, fmt.Sprintf("headline: the mean over %d configs, %s", len(use), how))
	}
	if p := x.primary(); p != nil && p.Goal != "" {
		if best := bestConfig(x.headCfgs, p); best != nil {
			e.Notes = append(e.Notes, fmt.Sprintf("best at head by %s: %s (%s)", p.Name, orDefaults(best.label), strconv.FormatFloat(best.sample(p.Name).Mean, 'g', 4, 64)))
		}
	}
	return r
}

// representative is the row of use whose files stand for a pooled
// headline: the head's best config by the primary metric, else the first.
func (x *experimentCtx) representative(e *Experiment, use []int) int {
	p := x.primary()
	pick := use[0]
	if p == nil || p.Goal == "" {
		return pick
	}
	j := -1
	for k, m := range x.metrics {
		if m == p {
			j = k
		}
	}
	if j < 0 {
		return pick
	}
	best := math.NaN()
	for _, i := range use {
		s := e.Configs[i].Metrics[j].Head
		if s == nil || s.MainN() == 0 {
			continue
		}
		if math.IsNaN(best) || (p.Goal == "maximize" && s.Mean > best) || (p.Goal == "minimize" && s.Mean < best) {
			best, pick = s.Mean, i
		}
	}
	return pick
}

// pooledMetric averages one metric over the rows of a pooled headline and
// tests the mean difference, stratified by config.
func (x *experimentCtx) pooledMetric(m *spec.Metric, cms []*Metric, same bool) *Metric {
	mr := &Metric{Name: m.Name, Goal: m.Goal, Tolerance: m.Tolerance}
	var withVals, testable []*Metric
	for _, cm := range cms {
		if cm.Delta != nil {
			withVals = append(withVals, cm)
		}
		if cm.Test != nil {
			testable = append(testable, cm)
		}
	}
	set := cms
	switch {
	case len(testable) > 0:
		set = testable
	case len(withVals) > 0:
		set = withVals
	}
	bs, hs := make([]*Sample, 0, len(set)), make([]*Sample, 0, len(set))
	for _, cm := range set {
		bs, hs = append(bs, cm.Base), append(hs, cm.Head)
	}
	mr.Base, mr.Head = poolSamples(bs), poolSamples(hs)
	overflow := setDelta(mr)
	tested := false
	if overflow == "" && !same && len(testable) > 0 {
		strata := make([]stratum, len(testable))
		for i, cm := range testable {
			strata[i] = stratum{b: cm.Base.moments(), h: cm.Head.moments()}
			mr.res = math.Max(mr.res, cm.res)
		}
		w, err := stratifiedWelch(strata, x.alpha)
		if err != nil {
			overflow = "cannot compare: " + err.Error()
		} else {
			mr.w, mr.Test, tested = w, testModel(w, len(testable)), true
			divergenceTest(mr.Test, mr.Base, mr.Head, m.Goal)
		}
	}
	x.classify(mr, m, "", "", same, tested, overflow)
	if tested && len(testable) < len(withVals) {
		mr.notes = append(mr.notes, fmt.Sprintf("tested over %d of %d configs; the others have fewer than two values on a side", len(testable), len(withVals)))
	}
	return mr
}

// poolSamples is the sample of a pooled headline: all values, the mean of
// the configs' means and the root of their mean variance.
func poolSamples(ss []*Sample) *Sample {
	out := &Sample{Values: []float64{}}
	if len(ss) > 1 {
		out.Configs = len(ss)
	}
	var means, sds []float64
	for _, s := range ss {
		if s == nil {
			continue
		}
		out.Values = append(out.Values, s.Values...)
		out.Diverged = append(out.Diverged, s.Diverged...)
		out.main = append(out.main, s.main...)
		out.NonFinite += s.NonFinite
		out.Absent += s.Absent
		if s.MainN() > 0 {
			means, sds = append(means, s.Mean), append(sds, s.SD)
		}
	}
	out.N = len(out.Values)
	if out.N > 0 {
		out.Min, out.Max = slices.Min(out.Values), slices.Max(out.Values)
	}
	if len(means) > 0 {
		out.Mean, _ = meanSD(means)
		out.SD = rms(sds)
	}
	return out
}

// rms is the root mean square of vals, scaled so it cannot overflow.
func rms(vals []float64) float64 {
	scale := 0.0
	for _, v := range vals {
		scale = math.Max(scale, math.Abs(v))
	}
	if scale == 0 {
		return 0
	}
	var ss float64
	for _, v := range vals {
		ss += (v / scale) * (v / scale)
	}
	out := math.Sqrt(ss/float64(len(vals))) * scale
	if math.IsInf(out, 0) {
		return math.MaxFloat64
	}
	return out
}

// stateHeadline is the headline of a sweep whose every paired config
// failed or misses results: nothing to test, the worst state says why.
func (x *experimentCtx) stateHeadline(e *Experiment, pairs []pair, paired []int) *Row {
	r := &Row{Pairing: PairPooled, Metrics: []*Metric{}}
	if len(paired) == 1 {
		r.Pairing = e.Configs[paired[0]].Pairing
	}
	var states []Verdict
	for _, i := range paired {
		cr := e.Configs[i]
		states = append(states, cr.state)
		r.Pairs = append(r.Pairs, ConfigPair{Base: cr.Base.Label, Head: cr.Head.Label})
	}
	r.state = worst(states...)
	rep := paired[0]
	r.Base, r.Head = e.Configs[rep].Base, e.Configs[rep].Head
	x.hlBase, x.hlHead = pairs[rep].base, pairs[rep].head
	for j, m := range x.metrics {
		mr := &Metric{Name: m.Name, Goal: m.Goal, Tolerance: m.Tolerance, Verdict: r.state}
		var bs, hs []*Sample
		for _, i := range paired {
			bs, hs = append(bs, e.Configs[i].Metrics[j].Base), append(hs, e.Configs[i].Metrics[j].Head)
		}
		mr.Base, mr.Head = poolSamples(bs), poolSamples(hs)
		setDelta(mr)
		mr.notes = append(mr.notes, fmt.Sprintf("every paired config is %s", r.state))
		r.Metrics = append(r.Metrics, mr)
	}
	return r
}

// loneHeadline is the headline of a sweep with nothing to pair, because
// one side has no configs: the best config of the side there is, by the
// primary metric.
func (x *experimentCtx) loneHeadline(e *Experiment) *Row {
	p := x.primary()
	if p == nil || p.Goal == "" {
		e.Notes = append(e.Notes, "no metric has a goal, so the sweep's configs are not ranked")
		return nil
	}
	if !x.hasHead {
		best := bestConfig(x.baseCfgs, p)
		if best == nil {
			return nil
		}
		x.hlBase = best
		e.Notes = append(e.Notes, fmt.Sprintf("headline: the best of %d base configs by %s (%s)", len(x.baseCfgs), p.Name, p.Goal))
		return x.row(best, nil, PairRemoved)
	}
	best := bestConfig(x.headCfgs, p)
	x.hlHead = best
	r := x.row(nil, best, PairNew)
	if best == nil {
		// A side that exists but has no config with a value of the
		// primary metric is not "new": its results are missing or failed.
		v, note := Missing, fmt.Sprintf("no head config reported %s", p.Name)
		if n := countAll(x.headCfgs, trialFailed); n > 0 {
			v, note = Failed, fmt.Sprintf("no head config reported %s; %d head trials failed", p.Name, n)
		}
		r.state = v
		for _, m := range r.Metrics {
			m.Verdict, m.notes = v, []string{note}
		}
		return r
	}
	e.Notes = append(e.Notes, fmt.Sprintf("headline: the best of %d head configs by %s (%s)", len(x.headCfgs), p.Name, p.Goal))
	return r
}
