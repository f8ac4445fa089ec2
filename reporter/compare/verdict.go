package compare

import "math"

// Verdict is the judgement of one metric, one config or one experiment.
type Verdict string

// Verdicts. improved, regressed, unchanged and inconclusive come from the
// statistics; the others from which trials exist and how they ended.
const (
	// Improved: a significant change in the direction of the goal.
	Improved Verdict = "improved"
	// Regressed: a significant change against the goal, larger than the
	// metric's tolerance. This is what fails the check.
	Regressed Verdict = "regressed"
	// Unchanged: no significant change, or a significant one against the
	// goal but within tolerance.
	Unchanged Verdict = "unchanged"
	// Inconclusive: a side has fewer than two values, so no test is
	// possible; the delta is shown but proves nothing.
	Inconclusive Verdict = "inconclusive"
	// New: nothing to compare against at base.
	New Verdict = "new"
	// Removed: nothing at head.
	Removed Verdict = "removed"
	// Failed: a head trial of the config failed, timed out or was
	// cancelled.
	Failed Verdict = "failed"
	// Missing: a trial the comparison needs has no recorded result yet.
	Missing Verdict = "missing"
	// Reported: the metric has no goal; it is shown, never judged.
	Reported Verdict = "reported"
)

// severity orders verdicts from most to least in need of attention; the
// verdict of a group is its most severe member's.
var severity = map[Verdict]int{
	Failed: 8, Missing: 7, Regressed: 6, Improved: 5, New: 4, Removed: 3, Inconclusive: 2, Unchanged: 1, Reported: 0,
}

// Severity ranks v: higher needs more attention.
func (v Verdict) Severity() int { return severity[v] }

// worst returns the most severe of vs, or Unchanged when there are none.
func worst(vs ...Verdict) Verdict {
	out, best := Unchanged, -1
	for _, v := range vs {
		if s := severity[v]; s > best {
			out, best = v, s
		}
	}
	if out == Reported {
		return Unchanged
	}
	return out
}

// Result is the comparison's overall outcome, the state of the `assay`
// commit status.
type Result string

// Results.
const (
	// ResultSuccess: no significant regression beyond tolerance, and
	// every result needed was recorded and succeeded.
	ResultSuccess Result = "success"
	// ResultFailure: at least one headline metric regressed
	// significantly and beyond its tolerance.
	ResultFailure Result = "failure"
	// ResultError: no regression, but head trials failed or results are
	// missing, so the comparison is incomplete.
	ResultError Result = "error"
)

// judge turns a tested difference into a verdict: significant after the
// family's adjustment, in the direction the goal wants, improves; the other
// way it regresses only beyond tolerance. The delta is compared as the
// reports show it, to DeltaDigits significant digits.
func judge(goal string, tolerance float64, delta *float64, significant bool) (Verdict, string) {
	if goal == "" {
		return Reported, ""
	}
	if !significant || delta == nil {
		return Unchanged, ""
	}
	d := RoundSig(*delta, DeltaDigits)
	if d == 0 {
		return Unchanged, ""
	}
	better := (goal == "maximize" && d > 0) || (goal == "minimize" && d < 0)
	if better {
		return Improved, ""
	}
	if math.Abs(d) > tolerance {
		return Regressed, ""
	}
	return Unchanged, "significant, but within tolerance " + formatFloat(tolerance)
}
