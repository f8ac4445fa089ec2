package compare

import (
	"fmt"
	"math"
	"strconv"
)

// DeltaDigits is how many significant digits the reports show a delta
// with; the verdict compares the delta rounded the same way, so what the
// table shows is what was judged (−0.010000000000000009 is −0.01, within a
// tolerance of 0.01).
const DeltaDigits = 3

// RoundSig rounds x to digits significant digits, as the reports print it.
func RoundSig(x float64, digits int) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', digits, 64), 64)
	if err != nil {
		return x
	}
	return r
}

// decide adjusts the p-values of each family of tests, judges every
// tested metric with a goal, and rolls the verdicts up to rows and
// experiments.
func (c *Comparison) decide() {
	var headline, configs []*Metric
	for _, e := range c.Experiments {
		if e.Headline != nil {
			headline = append(headline, judgedOf(e.Headline)...)
		}
		for _, r := range e.Configs {
			if r != e.Headline {
				configs = append(configs, judgedOf(r)...)
			}
		}
	}
	adjustFamily(headline, Holm, c.Alpha)
	adjustFamily(configs, BH, c.Alpha/2)
	c.Correction = Correction{
		Headline: Family{Method: MethodHolm, Tests: len(headline)},
		Configs:  Family{Method: MethodBH, Tests: len(configs)},
	}
	for _, m := range headline {
		// What "no change" vouches for: the effect the first Holm step
		// would find with 80% power.
		if d := detectable(m.w.SE, m.w.DF, c.Alpha/float64(len(headline))); !math.IsNaN(d) && !math.IsInf(d, 0) && d > 0 {
			m.Detectable = ptr(d)
		}
	}
	for _, e := range c.Experiments {
		rows := e.Configs
		if e.Headline != nil && (len(rows) == 0 || rows[0] != e.Headline) {
			rows = append([]*Row{e.Headline}, rows...)
		}
		for _, r := range rows {
			for _, m := range r.Metrics {
				c.judge(m)
			}
			r.Verdict = rowVerdict(r.state, r.Metrics)
		}
		e.Verdict = experimentVerdict(e)
	}
}

func judgedOf(r *Row) []*Metric {
	var out []*Metric
	for _, m := range r.Metrics {
		if m.judged {
			out = append(out, m)
		}
	}
	return out
}

// adjustFamily sets each metric's adjusted p-value and the level it is
// judged at.
func adjustFamily(ms []*Metric, adjust func([]float64) []float64, level float64) {
	ps := make([]float64, len(ms))
	for i, m := range ms {
		ps[i] = m.Test.P
	}
	for i, p := range adjust(ps) {
		ms[i].PAdjusted, ms[i].level = ptr(p), level
	}
}

// judge gives a metric its verdict and its note, once its family is
// adjusted.
func (c *Comparison) judge(m *Metric) {
	switch {
	case m.judged:
		m.Significant = *m.PAdjusted < m.level
		v, note := judge(m.Goal, m.Tolerance, m.Delta, m.Significant)
		if d := m.Test.Diverged; d != nil && d.Decides {
			// How often seeds diverge changed: that is the verdict,
			// whatever the main modes did.
			v, note = Unchanged, ""
			switch {
			case m.Significant && d.Worse:
				v = Regressed
			case m.Significant:
				v = Improved
			}
			m.notes = append(m.notes, fmt.Sprintf("seeds diverged %d of %d at base, %d of %d at head (Fisher's exact p = %s)",
				d.Base, d.BaseN, d.Head, d.HeadN, formatFloat(RoundSig(d.P, 2))))
		}
		m.Verdict = v
		m.notes = append([]string{note}, m.notes...)
		if !m.Significant && m.Detectable != nil {
			m.notes = append(m.notes, fmt.Sprintf("no significant change; a change of ±%s or more would have been found 80%% of the time",
				formatFloat(RoundSig(*m.Detectable, 2))))
		}
	case m.Test != nil:
		// A metric without a goal is shown, never judged: its p-value is
		// the test's own.
		m.Significant = m.Test.P < c.Alpha
	}
	if m.judged && m.Test.SDFloor > 0 && m.Delta != nil && *m.Delta != 0 {
		// The floor matters only where the sides differ.
		why := "what float arithmetic can tell apart"
		if m.res > 0 && m.Test.SDFloor <= gridFloor*m.res*(1+1e-12) {
			why = "the rounding error of values written to " + formatFloat(m.res)
		}
		m.notes = append(m.notes, fmt.Sprintf("a side barely varies: its sd was raised to %s, %s", formatFloat(RoundSig(m.Test.SDFloor, 2)), why))
	}
	m.Note = joinNotes(m.notes)
}
