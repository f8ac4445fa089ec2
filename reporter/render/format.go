package render

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/assaylab/assay/reporter/compare"
)

// num formats a metric value with four significant digits, without an
// exponent for the magnitudes metrics usually have.
func num(x float64) string { return sig(x, 4) }

func sig(x float64, digits int) string {
	a := math.Abs(x)
	switch {
	case x == 0:
		return "0"
	case a >= 1e6 || a < 1e-4:
		return strconv.FormatFloat(x, 'e', digits-2, 64)
	case a >= math.Pow(10, float64(digits)):
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'g', digits, 64)
}

// signed is sig with a leading + or − sign.
func signed(x float64, digits int) string {
	s := sig(x, digits)
	if x > 0 {
		return "+" + s
	}
	if x < 0 {
		return "−" + strings.TrimPrefix(s, "-")
	}
	return s
}

// sampleCell is "0.9123 ± 0.0021 (n=3)", "0.91 (n=1)", "0.8 ± 0.0082
// (n=5, 1 diverged)", "0.9153 ± 0.0015 (4 configs, n=12)" or "—".
func sampleCell(s *compare.Sample) string {
	if s == nil || s.N == 0 {
		return "—"
	}
	var n []string
	if s.Configs > 1 {
		n = append(n, fmt.Sprintf("%d configs", s.Configs))
	}
	n = append(n, fmt.Sprintf("n=%d", s.N))
	if d := len(s.Diverged); d > 0 {
		n = append(n, fmt.Sprintf("%d diverged", d))
	}
	if s.MainN() == 1 {
		return num(s.Mean) + " (" + strings.Join(n, ", ") + ")"
	}
	return fmt.Sprintf("%s ± %s (%s)", num(s.Mean), sig(s.SD, 2), strings.Join(n, ", "))
}

// deltaCell is "+1.02% (+0.00933)", or "~" when the test found no
// significant change, as benchstat prints it.
func deltaCell(m *compare.Metric) string {
	switch {
	case m.Delta == nil:
		return "—"
	case m.Test != nil && !m.Significant:
		return "~"
	case m.DeltaPct != nil:
		return fmt.Sprintf("%s%% (%s)", signedPct(*m.DeltaPct), signed(*m.Delta, 3))
	}
	return signed(*m.Delta, 3)
}

func signedPct(p float64) string {
	s := strconv.FormatFloat(math.Abs(p), 'f', 2, 64)
	switch {
	case s == "0.00":
		return "0.00"
	case p < 0:
		return "−" + s
	}
	return "+" + s
}

// pCell is the p-value the verdict used — adjusted for the comparison's
// other tests where the metric is judged — or why there is none.
func pCell(m *compare.Metric) string {
	t := m.Test
	switch {
	case t == nil && m.Base != nil && m.Head != nil && m.Base.MainN() > 0 && m.Head.MainN() > 0 && (m.Base.MainN() < 2 || m.Head.MainN() < 2):
		return fmt.Sprintf("n/a (n=%d+%d)", m.Base.MainN(), m.Head.MainN())
	case t == nil:
		return ""
	case t.Exact:
		return fmt.Sprintf("%g (exact)", t.P)
	}
	p := t.P
	if m.PAdjusted != nil {
		p = *m.PAdjusted
	}
	if p < 0.001 {
		return "<0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}

// ciCell is the 95% (1 − alpha) confidence interval of the delta, or ""
// when there is no test.
func ciCell(m *compare.Metric) string {
	if m.Test == nil {
		return ""
	}
	return "[" + signed(m.Test.CI[0], 3) + ", " + signed(m.Test.CI[1], 3) + "]"
}

// metricName marks the goal: ↑ maximize, ↓ minimize.
func metricName(name, goal string) string {
	switch goal {
	case "maximize":
		return name + " ↑"
	case "minimize":
		return name + " ↓"
	}
	return name
}

// configLabel names a row's configs: one label when they agree, "a → b"
// when they differ.
func configLabel(r *compare.Row) string {
	b, h := "", ""
	if r.Base != nil {
		b = orDefaults(r.Base.Label)
	}
	if r.Head != nil {
		h = orDefaults(r.Head.Label)
	}
	switch {
	case r.Base == nil:
		return h
	case r.Head == nil:
		return b
	case b == h:
		return b
	}
	return b + " → " + h
}

// rowMark is what a config row adds to its label: "(new)", "(removed)",
// "(replaced)" or "(same trials)".
func rowMark(r *compare.Row) string {
	switch {
	case r.Pairing == compare.PairNew || r.Pairing == compare.PairRemoved || r.Pairing == compare.PairReplaced:
		return " (" + r.Pairing + ")"
	case r.Same:
		return " (same trials)"
	}
	return ""
}

// legend explains the p-values and "~" of a report.
func legend(c *compare.Comparison) string {
	var adj []string
	if n := c.Correction.Headline.Tests; n > 0 {
		adj = append(adj, fmt.Sprintf("for the %s of this comparison (Holm; significant below %g)", plural(n, "headline test"), c.Alpha))
	}
	if n := c.Correction.Configs.Tests; n > 0 {
		adj = append(adj, fmt.Sprintf("in config tables for its %s (Benjamini–Hochberg; significant below %g)", plural(n, "config test"), c.Alpha/2))
	}
	if len(adj) == 0 {
		return fmt.Sprintf("~: no significant change (p ≥ %g)", c.Alpha)
	}
	return "p: adjusted " + strings.Join(adj, ", and ") + "; ~: no significant change"
}

// bestAtHead is the head's best config by the primary metric, or "".
func bestAtHead(e *compare.Experiment) string {
	var primary *compare.MetricSpec
	for i := range e.Metrics {
		if e.Metrics[i].Primary {
			primary = &e.Metrics[i]
		}
	}
	if primary == nil || primary.Goal == "" {
		return ""
	}
	best, bestMean := "", 0.0
	for _, r := range e.Configs {
		if r.Head == nil {
			continue
		}
		for _, m := range r.Metrics {
			if m.Name != primary.Name || m.Head == nil || m.Head.MainN() == 0 {
				continue
			}
			if best == "" || (primary.Goal == "maximize" && m.Head.Mean > bestMean) || (primary.Goal == "minimize" && m.Head.Mean < bestMean) {
				best, bestMean = orDefaults(r.Head.Label), m.Head.Mean
			}
		}
	}
	return best
}

func orDefaults(label string) string {
	if label == "" {
		return "(no params)"
	}
	return label
}

// headlineMetrics are the metrics a summary shows: those with a goal, or
// all of them when none has one.
func headlineMetrics(r *compare.Row) []*compare.Metric {
	var out []*compare.Metric
	for _, m := range r.Metrics {
		if m.Goal != "" {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return r.Metrics
	}
	return out
}

// reuseGroup is reused trials that first ran at the same place.
type reuseGroup struct {
	Count   int
	Commit  string
	PR      int
	Trigger string
	Date    string
}

func (g reuseGroup) String() string {
	s := fmt.Sprintf("%d trial%s first ran", g.Count, pluralS(g.Count))
	if g.Commit != "" {
		s += " at " + shortCommit(g.Commit)
	}
	if g.PR != 0 {
		s += fmt.Sprintf(" in #%d", g.PR)
	}
	if g.Trigger != "" {
		s += " (" + g.Trigger + ")"
	}
	if g.Date != "" {
		s += " on " + g.Date
	}
	return s
}

func reuseGroups(rs []compare.Reuse) []reuseGroup {
	idx := map[reuseGroup]int{}
	var out []reuseGroup
	for _, r := range rs {
		k := reuseGroup{Commit: r.Commit, PR: r.PR, Trigger: r.Trigger}
		if !r.At.IsZero() {
			k.Date = r.At.UTC().Format("2006-01-02")
		}
		if i, ok := idx[k]; ok {
			out[i].Count++
			continue
		}
		idx[k] = len(out)
		k.Count = 1
		out = append(out, k)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

func shortCommit(c string) string {
	if len(c) > 7 {
		return c[:7]
	}
	return c
}

func shortKey(k string) string {
	if len(k) > 12 {
		return k[:12]
	}
	return k
}

// costLine is "10.0 GPU-h, 12 runs, 10h0m0s".
func costLine(c compare.SideCost) string {
	if c.Runs == 0 {
		return "no runs"
	}
	return fmt.Sprintf("%s GPU-h, %d run%s, %s", gpuHours(c.GPUHours), c.Runs, pluralS(c.Runs), wall(c.WallSeconds))
}

// costSummary is the cost of both sides and what this change ran: "base
// 10.0 GPU-h, 12 runs, 10h0m0s; head 10.0 GPU-h, 12 runs, 10h0m0s, of
// which this change ran 6 (5.0 GPU-h, 5h0m0s) and reused 6".
func costSummary(c compare.Cost) string {
	reused := c.Head.Runs - c.HeadNew.Runs
	s := fmt.Sprintf("base %s; head %s", costLine(c.Base), costLine(c.Head))
	if c.Head.Runs == 0 {
		return s
	}
	switch {
	case c.HeadNew.Runs == 0:
		return s + ", all reused from history"
	case reused == 0:
		return s + ", all run for this change"
	}
	return s + fmt.Sprintf(", of which this change ran %d (%s GPU-h, %s) and reused %d",
		c.HeadNew.Runs, gpuHours(c.HeadNew.GPUHours), wall(c.HeadNew.WallSeconds), reused)
}

func gpuHours(h float64) string {
	if h == 0 {
		return "0"
	}
	if h < 0.1 {
		return strconv.FormatFloat(h, 'f', 2, 64)
	}
	return strconv.FormatFloat(h, 'f', 1, 64)
}

func wall(s float64) string {
	return (time.Duration(s) * time.Second).Round(time.Second).String()
}

// historyLine is "val_acc █▇▆▄▃▂▁ 0.918 → 0.912 (7 days)".
func historyLine(h compare.History) string {
	if len(h.Points) == 0 {
		return ""
	}
	first, last := h.Points[0], h.Points[len(h.Points)-1]
	return fmt.Sprintf("%s %s %s → %s (%d days, %s to %s)", h.Metric, h.Spark, num(first.Value), num(last.Value), len(h.Points), first.Date, last.Date)
}

// failureTitle is "head · lr=0.1 · seed 2: failed (exit 1), run run-00005".
func failureTitle(f compare.FailedTrial) string {
	parts := []string{f.Side}
	if f.Config != "" {
		parts = append(parts, f.Config)
	}
	parts = append(parts, fmt.Sprintf("seed %d", f.Seed))
	status := strings.ReplaceAll(f.Status, "_", " ")
	return fmt.Sprintf("%s: %s (exit %d), run %s", strings.Join(parts, " · "), status, f.ExitCode, f.RunID)
}

// missingTitle is "base · lr=0.1 · seed 1 (key 1dd83d691efe)".
func missingTitle(m compare.MissingTrial) string {
	parts := []string{m.Side}
	if m.Config != "" {
		parts = append(parts, m.Config)
	}
	parts = append(parts, fmt.Sprintf("seed %d", m.Seed))
	return fmt.Sprintf("%s (key %s)", strings.Join(parts, " · "), shortKey(m.Key))
}

// sideCommand is a command that fills the gaps of one side.
type sideCommand struct{ Side, Command string }

// missingCommands lists each distinct command that fills a gap, with the
// side it fills, in the order the gaps are listed.
func missingCommands(ms []compare.MissingTrial) []sideCommand {
	seen := map[sideCommand]bool{}
	var out []sideCommand
	for _, m := range ms {
		c := sideCommand{Side: m.Side, Command: m.Command}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// logLines is the last n lines of a log tail, with terminal escapes and
// other control characters removed and very long lines shortened.
func logLines(tail string, n int) []string {
	tail = strings.TrimRight(stripControl(tail), "\n")
	if tail == "" {
		return nil
	}
	lines := strings.Split(tail, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		if r := []rune(l); len(r) > maxLogLine {
			lines[i] = string(r[:maxLogLine-1]) + "…"
		}
	}
	return lines
}

const maxLogLine = 240

// stripControl removes ANSI escape sequences and control characters other
// than newline and tab.
func stripControl(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0x1b {
			// Skip ESC [ ... final byte, or ESC and one more byte.
			j := i + 1
			if j < len(s) && s[j] == '[' {
				j++
				for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
					j++
				}
			}
			i = j
			continue
		}
		if c == '\r' {
			continue
		}
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func plural(n int, noun string) string { return fmt.Sprintf("%d %s%s", n, noun, pluralS(n)) }
