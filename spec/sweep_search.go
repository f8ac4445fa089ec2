package spec

import (
	"bytes"
	"fmt"
	"math"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// A search is a sweep whose points are not all known from the spec:
// method = "tpe" proposes them in rounds from the results of earlier
// rounds (the runner's search package). A grid or random sweep with an
// early_stop block runs in rounds too, so that each round's trials can be
// judged against the trials of the rounds before it. The spec says what
// may be tried; which points were tried is history.

// Defaults of a search.
const (
	// DefaultBatch is how many points a round proposes when the sweep
	// does not say: enough to keep a few GPUs busy, few enough that the
	// sampler learns from most of the budget.
	DefaultBatch = 4
	// DefaultStartup is how many points a TPE search draws at random
	// before it models anything. Optuna draws 10, hyperopt 20; with the
	// budgets of tens of trials that training runs allow, 5 found better
	// points at 20 and 40 trials on Branin and Hartmann-6 (bench/search.sh).
	DefaultStartup = 5
)

// decodeSearchAttrs reads budget, batch, startup and objective, which
// belong to a search.
func (s *Sweep) decodeSearchAttrs(block *hcl.Block, attrs hcl.Attributes, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range []string{"budget", "startup", "objective"} {
		if a := attrs[name]; a != nil && s.Method != "tpe" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("%s outside a search", title(name)),
				Detail:   fmt.Sprintf("%s applies to method = \"tpe\"; a %s sweep runs the points it lists.", name, s.Method),
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
	if a := attrs["budget"]; a != nil {
		n, ok, d := evalInt(a, ctx, 1, math.MaxInt32)
		diags = append(diags, d...)
		if ok {
			s.Budget = int(n)
		}
		s.attrRanges["budget"] = a.Expr.Range()
	}
	if a := attrs["batch"]; a != nil {
		n, ok, d := evalInt(a, ctx, 1, 10000)
		diags = append(diags, d...)
		if ok {
			s.Batch = int(n)
		}
		s.attrRanges["batch"] = a.NameRange
	}
	if a := attrs["startup"]; a != nil {
		n, ok, d := evalInt(a, ctx, 0, math.MaxInt32)
		diags = append(diags, d...)
		if ok {
			s.Startup = int(n)
		}
		s.attrRanges["startup"] = a.Expr.Range()
	}
	if a := attrs["objective"]; a != nil {
		v, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if ok {
			s.Objective = v
		}
		s.attrRanges["objective"] = a.Expr.Range()
	}
	if s.Method != "tpe" {
		return diags
	}
	if attrs["budget"] == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing budget",
			Detail:   "A tpe sweep needs budget = N, the most trials (points × seeds) the search may run.",
			Subject:  block.DefRange.Ptr(),
		})
	}
	if s.Batch == 0 && attrs["batch"] == nil {
		s.Batch = DefaultBatch
	}
	if attrs["startup"] == nil {
		s.Startup = DefaultStartup
	}
	return diags
}

// ValueJSON is the canonical JSON of a param value, as trial params are
// written: two values are the same param value iff their texts are equal.
func ValueJSON(v cty.Value) string {
	var buf bytes.Buffer
	canonicalJSON(&buf, normalizeNumbers(v))
	return buf.String()
}

// Adaptive reports whether the sweep proposes its points from results
// (method = "tpe").
func (s *Sweep) Adaptive() bool { return s != nil && s.Method == "tpe" }

// Search reports whether the experiment runs in rounds: an adaptive
// sweep, or any sweep with an early_stop block.
func (e *Experiment) Search() bool {
	return e.Sweep.Adaptive() || (e.EarlyStop != nil && e.Sweep != nil)
}

// SearchPoints is the most param points the experiment's search may
// try: the budget's worth for tpe, every point of a grid or random sweep.
func (e *Experiment) SearchPoints() int {
	if e.Sweep == nil {
		return 1
	}
	if e.Sweep.Adaptive() {
		return e.Sweep.Budget / len(e.Seeds)
	}
	return e.Sweep.count()
}

// SearchBatch is how many points each round of the search holds.
func (e *Experiment) SearchBatch() int {
	if e.Sweep == nil || e.Sweep.Batch <= 0 {
		return DefaultBatch
	}
	return e.Sweep.Batch
}

// Objective is the metric a search optimizes: the sweep's objective, else
// the primary metric. nil when there is none (only for specs with errors).
func (e *Experiment) Objective() *Metric {
	if e.Sweep != nil && e.Sweep.Objective != "" {
		return e.Metric(e.Sweep.Objective)
	}
	return e.PrimaryMetric()
}

// roundPoints keeps the real params of a search's points to 6
// significant digits, as its proposals are kept.
func roundPoints(points []cty.Value, s *Sweep) []cty.Value {
	for i, pt := range points {
		m := pt.AsValueMap()
		for _, p := range s.Params {
			if p.Distribution != "uniform" && p.Distribution != "log_uniform" {
				continue
			}
			f, _ := m[p.Name].AsBigFloat().Float64()
			r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 6, 64), 64)
			m[p.Name] = cty.NumberFloatVal(math.Min(math.Max(r, p.Min), p.Max))
		}
		points[i] = cty.ObjectVal(m)
	}
	return points
}

// startupPoints is how many of a TPE search's points are drawn at random:
// at least the first, which no model could propose.
func (e *Experiment) startupPoints() int {
	return max(1, min(e.Sweep.Startup, e.SearchPoints()))
}

// checkSearch checks what a search needs of the rest of the experiment:
// an objective with a goal, a budget the seeds divide and the domain can
// hold, rounds for early stopping to compare, and one workdir.
func (e *Experiment) checkSearch() hcl.Diagnostics {
	var diags hcl.Diagnostics
	s := e.Sweep
	if s != nil && s.Adaptive() {
		diags = append(diags, e.checkObjective()...)
		diags = append(diags, e.checkBudget()...)
	}
	if s != nil && !s.Adaptive() && s.Batch > 0 && e.EarlyStop == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Batch without early_stop",
			Detail:   fmt.Sprintf("A %s sweep runs all its points at once; batch splits it into rounds only so that an early_stop block can judge each round against the ones before. Add an early_stop block, or drop batch.", s.Method),
			Subject:  s.attrRanges["batch"].Ptr(),
		})
	}
	if e.EarlyStop != nil {
		diags = append(diags, e.checkEarlyStop()...)
	}
	if e.Search() && scopeOf(e.workdir) != scopeExperiment {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Workdir varies in a search",
			Detail:   "A search proposes points as it goes, and each is keyed with the inputs of one workdir; a workdir that depends on param or seed would need inputs read for every new point. Use one workdir, and pass the param to the command instead.",
			Subject:  e.workdir.Expr.Range().Ptr(),
		})
	}
	return diags
}

// checkObjective resolves the metric a tpe sweep optimizes.
func (e *Experiment) checkObjective() hcl.Diagnostics {
	s := e.Sweep
	if s.Objective == "" {
		if p := e.PrimaryMetric(); p != nil {
			return nil
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No objective",
			Detail:   "A tpe sweep optimizes one metric: set objective = \"<metric>\" in the sweep, or give a metric block a goal.",
			Subject:  s.DeclRange.Ptr(),
		}}
	}
	rng := s.attrRanges["objective"]
	m := e.Metric(s.Objective)
	if m == nil {
		names := make([]string, len(e.Metrics))
		for i, m := range e.Metrics {
			names[i] = m.Name
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unknown objective",
			Detail:   fmt.Sprintf("The objective %q is not a declared metric%s. Declare it with a metric block and a goal.", s.Objective, didYouMean(s.Objective, names)),
			Subject:  rng.Ptr(),
		}}
	}
	if m.Goal == "" {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Objective without a goal",
			Detail:   fmt.Sprintf("The search cannot tell better from worse: give metric %q goal = \"maximize\" or \"minimize\".", m.Name),
			Subject:  rng.Ptr(),
		}}
	}
	for _, o := range e.Metrics {
		if o.Primary && o != m {
			return hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Objective and primary metric differ",
				Detail:   fmt.Sprintf("The search optimizes %q while metric %q is marked primary, so the comparison would rank the search by another metric than the one it optimized. Drop one of the two.", m.Name, o.Name),
				Subject:  rng.Ptr(),
			}}
		}
	}
	return nil
}

// checkBudget says why a budget cannot be spent as written.
func (e *Experiment) checkBudget() hcl.Diagnostics {
	s := e.Sweep
	rng := s.attrRanges["budget"]
	if s.Budget == 0 {
		return nil // missing: reported already
	}
	seeds := len(e.Seeds)
	if s.Budget%seeds != 0 {
		lo, hi := s.Budget/seeds*seeds, (s.Budget/seeds+1)*seeds
		hint := fmt.Sprintf("%d or %d", lo, hi)
		if lo == 0 {
			hint = fmt.Sprint(hi)
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Impossible budget",
			Detail:   fmt.Sprintf("Every point runs all %d seeds, so a budget of %d trials is not a whole number of points; use %s.", seeds, s.Budget, hint),
			Subject:  rng.Ptr(),
		}}
	}
	points := s.Budget / seeds
	if size, finite := s.domainSize(); finite && points > size {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Impossible budget",
			Detail: fmt.Sprintf("The domain holds %d distinct points, fewer than the budget's %d (%d trials / %d seeds), so the search would repeat itself; lower budget to %d or less, or use method = \"grid\".",
				size, points, s.Budget, seeds, size*seeds),
			Subject: rng.Ptr(),
		}}
	}
	if s.Startup >= points && s.Startup > 0 {
		r, ok := s.attrRanges["startup"]
		if !ok {
			r = rng
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "Search is random",
			Detail: fmt.Sprintf("startup is %d and the budget holds %d points, so every point is drawn at random and TPE never proposes one. Raise budget above %d trials, or lower startup.",
				s.Startup, points, s.Startup*seeds),
			Subject: r.Ptr(),
		}}
	}
	return nil
}

// domainSize is how many distinct points the sweep's params can take,
// when every one of them is discrete.
func (s *Sweep) domainSize() (int, bool) {
	n := 1
	for _, p := range s.Params {
		switch p.Distribution {
		case "values":
			n *= len(p.Values)
		case "int_uniform":
			if p.Max-p.Min >= math.MaxInt32 {
				return math.MaxInt32, true
			}
			n *= int(p.Max-p.Min) + 1
		default:
			return 0, false
		}
		if n > math.MaxInt32 {
			return math.MaxInt32, true
		}
	}
	return n, true
}
