package html

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/assaylab/assay/reporter/compare"
)

// num formats a value for a table: four significant digits, as the
// markdown report shows them.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// sortKey is a value as the script sorts it: full precision, "" for none.
func sortKey(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// sampleText reads "0.812 ± 0.004 (n=3)", or "—" without values.
func sampleText(s *compare.Sample) string {
	if s == nil || s.N == 0 {
		return "—"
	}
	n := fmt.Sprintf("n=%d", s.N)
	if s.Configs > 1 {
		n = fmt.Sprintf("%d configs, %s", s.Configs, n)
	}
	if d := len(s.Diverged); d > 0 {
		n += fmt.Sprintf(", %d diverged", d)
	}
	if s.MainN() == 1 {
		return num(s.Mean) + " (" + n + ")"
	}
	return fmt.Sprintf("%s ± %s (%s)", num(s.Mean), num(s.SD), n)
}

func sampleSort(s *compare.Sample) string {
	if s == nil || s.N == 0 {
		return ""
	}
	return sortKey(s.Mean)
}

// deltaText reads "+0.013 (+1.6%)": the delta to the digits the verdict
// compared with the tolerance.
func deltaText(m *compare.Metric) string {
	if m.Delta == nil {
		return "—"
	}
	out := signed(compare.RoundSig(*m.Delta, compare.DeltaDigits))
	if m.DeltaPct != nil {
		out += " (" + signed(*m.DeltaPct) + "%)"
	}
	return out
}

func signed(v float64) string {
	s := num(v)
	if v > 0 {
		return "+" + s
	}
	return s
}

// pText reads "0.021", "<0.001", or with "~" when the change is not
// significant, as benchstat marks it: the p-value adjusted for the
// comparison's other tests where the metric is judged.
func pText(m *compare.Metric) string {
	if m.Test == nil {
		return "—"
	}
	p := m.Test.P
	if m.PAdjusted != nil {
		p = *m.PAdjusted
	}
	var s string
	switch {
	case p < 0.001:
		s = "<0.001"
	default:
		s = strconv.FormatFloat(p, 'g', 2, 64)
	}
	if !m.Significant {
		s += " ~"
	}
	return s
}

func cellOf(m *compare.Metric) Cell {
	c := Cell{
		Metric: m.Name, Base: sampleText(m.Base), Head: sampleText(m.Head),
		Delta: deltaText(m), P: pText(m), Verdict: string(m.Verdict), Significant: m.Significant, Note: m.Note,
		SortBase: sampleSort(m.Base), SortHead: sampleSort(m.Head),
	}
	if m.DeltaPct != nil {
		c.SortDelta = sortKey(*m.DeltaPct)
	} else if m.Delta != nil {
		c.SortDelta = sortKey(*m.Delta)
	}
	if m.PAdjusted != nil {
		c.SortP = sortKey(*m.PAdjusted)
	} else if m.Test != nil {
		c.SortP = sortKey(m.Test.P)
	}
	return c
}

// spentText is an experiment's cost line: what this change ran (its runs,
// GPU-hours and compute time), the trials it reused, the results missing.
// Each part is left out when it is zero, so a change that ran nothing
// does not read as one that ran something for free.
func spentText(ce *compare.Experiment) string {
	var parts []string
	if c := ce.Cost.HeadNew; c.Runs > 0 {
		parts = append(parts, fmt.Sprintf("this change ran %s (%s GPU-hours, %s)", count(c.Runs, "run"), gpuHours(c.GPUHours),
			(time.Duration(c.WallSeconds)*time.Second).Round(time.Second)))
	}
	if n := len(ce.Reused); n > 0 {
		parts = append(parts, count(n, "trial")+" reused from history")
	}
	if n := len(ce.Missing); n > 0 {
		parts = append(parts, count(n, "result")+" missing")
	}
	return strings.Join(parts, " · ")
}

// count is "1 run", "2 runs".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// gpuHours shows small amounts with two decimals, as the text report does.
func gpuHours(h float64) string {
	switch {
	case h == 0:
		return "0"
	case h < 0.1:
		return strconv.FormatFloat(h, 'f', 2, 64)
	}
	return strconv.FormatFloat(h, 'f', 1, 64)
}
