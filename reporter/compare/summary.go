package compare

import (
	"fmt"
	"strings"
)

// maxDescription is GitHub's limit on a commit status description.
const maxDescription = 140

// tally counts verdicts, sums costs and decides the overall result.
func (c *Comparison) tally() {
	c.Counts.Experiments = len(c.Experiments)
	var regressions, failedIn, missingIn, unreportedIn []string
	for _, e := range c.Experiments {
		c.Counts.Verdicts[e.Verdict]++
		c.Counts.MissingTrials += len(e.Missing)
		c.Counts.ReusedTrials += len(e.Reused)
		c.Cost.Base.add(e.Cost.Base)
		c.Cost.Head.add(e.Cost.Head)
		c.Cost.HeadNew.add(e.Cost.HeadNew)
		failed := 0
		for _, f := range e.Failures {
			if f.Side == SideHead {
				failed++
			}
		}
		c.Counts.FailedTrials += failed
		if failed > 0 {
			failedIn = append(failedIn, e.Name)
		}
		if len(e.Missing) > 0 {
			missingIn = append(missingIn, e.Name)
		}
		if e.Headline != nil {
			for _, m := range e.Headline.Metrics {
				if m.Verdict == Regressed {
					c.Counts.Regressions++
					regressions = append(regressions, fmt.Sprintf("%s %s %s", e.Name, m.Name, shortDelta(m)))
				}
			}
		}
		if e.Verdict == Missing && len(e.Missing) == 0 {
			unreportedIn = append(unreportedIn, e.Name)
		}
	}
	var problems []string
	if n := c.Counts.FailedTrials; n > 0 {
		problems = append(problems, fmt.Sprintf("%d trial%s failed (%s)", n, pluralS(n), strings.Join(failedIn, ", ")))
	}
	if n := c.Counts.MissingTrials; n > 0 {
		problems = append(problems, fmt.Sprintf("%d result%s missing (%s)", n, pluralS(n), strings.Join(missingIn, ", ")))
	}
	if len(unreportedIn) > 0 {
		problems = append(problems, fmt.Sprintf("metrics not reported (%s)", strings.Join(unreportedIn, ", ")))
	}
	errored := c.Counts.Verdicts[Failed] > 0 || c.Counts.Verdicts[Missing] > 0
	switch {
	case c.Counts.Regressions > 0:
		c.Result = ResultFailure
		c.Description = fmt.Sprintf("%d regression%s: %s", len(regressions), pluralS(len(regressions)), strings.Join(regressions, ", "))
		if len(problems) > 0 {
			c.Description += "; " + strings.Join(problems, "; ")
		}
	case errored:
		c.Result = ResultError
		c.Description = strings.Join(problems, "; ")
	default:
		c.Result = ResultSuccess
		c.Description = c.verdictLine()
	}
	c.Description = truncate(c.Description, maxDescription)
}

// verdictLine is "3 experiments: 1 improved, 2 unchanged".
func (c *Comparison) verdictLine() string {
	if len(c.Experiments) == 0 {
		return "no experiment changed"
	}
	var parts []string
	for _, v := range []Verdict{Failed, Missing, Regressed, Improved, New, Removed, Inconclusive, Unchanged} {
		if n := c.Counts.Verdicts[v]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	n := len(c.Experiments)
	return fmt.Sprintf("%d experiment%s: %s", n, pluralS(n), strings.Join(parts, ", "))
}

// shortDelta is "-1.3%", or the absolute delta when base is 0.
func shortDelta(m *Metric) string {
	switch {
	case m.DeltaPct != nil:
		return fmt.Sprintf("%+.1f%%", *m.DeltaPct)
	case m.Delta != nil:
		return fmt.Sprintf("%+.3g", *m.Delta)
	}
	return ""
}

// truncate cuts s to at most n runes, ending in "…" when cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
