package compare

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/assaylab/assay/spec"
)

// Compare builds the comparison of base against head. It fails only when
// the input cannot describe a comparison; every problem with the trials
// themselves (missing or failed results, NaN values) is part of the
// result.
func Compare(in Input) (*Comparison, error) {
	alpha := in.Alpha
	if alpha == 0 {
		alpha = DefaultAlpha
	}
	if !(alpha > 0 && alpha < 1) {
		return nil, fmt.Errorf("significance level %g is outside (0, 1)", alpha)
	}
	if in.Lookup == nil {
		return nil, errors.New("compare: no way to look up recorded runs")
	}
	c := &Comparison{
		Schema: Schema, Base: in.Base, Head: in.Head, PR: in.PR, Alpha: alpha,
		Counts:      Counts{Verdicts: map[Verdict]int{}},
		Experiments: []*Experiment{},
	}
	seen := map[string]bool{}
	for _, ei := range in.Experiments {
		if ei.Base == nil && ei.Head == nil {
			return nil, fmt.Errorf("experiment %q has neither a base nor a head side", ei.Name)
		}
		if seen[ei.Name] {
			return nil, fmt.Errorf("experiment %q is listed twice", ei.Name)
		}
		seen[ei.Name] = true
		c.Experiments = append(c.Experiments, compareExperiment(&in, ei, alpha))
	}
	c.decide()
	sort.SliceStable(c.Experiments, func(i, j int) bool {
		a, b := c.Experiments[i], c.Experiments[j]
		if sa, sb := a.Verdict.Severity(), b.Verdict.Severity(); sa != sb {
			return sa > sb
		}
		return a.Name < b.Name
	})
	c.tally()
	return c, nil
}

// experimentCtx holds what comparing one experiment needs.
type experimentCtx struct {
	in                 *Input
	alpha              float64
	baseSpec, headSpec *spec.Experiment
	// metrics are the head spec's metrics, then those only base declares.
	metrics            []*spec.Metric
	headDeclares       map[string]bool
	baseCfgs, headCfgs []*sideConfig
	hasBase, hasHead   bool
	// hlBase and hlHead are the headline's configs.
	hlBase, hlHead *sideConfig
}

func compareExperiment(in *Input, ei ExperimentInput, alpha float64) *Experiment {
	x := &experimentCtx{in: in, alpha: alpha, headDeclares: map[string]bool{}}
	e := &Experiment{
		Name: ei.Name, Status: ei.Status, Changes: ei.Changes,
		Configs: []*Row{}, Missing: []MissingTrial{}, Failures: []FailedTrial{}, Reused: []Reuse{},
		History: []History{}, Notes: []string{}, Metrics: []MetricSpec{},
	}
	if ei.Base != nil {
		x.hasBase, x.baseSpec = true, ei.Base.Spec
		x.baseCfgs = groupConfigs(ei.Base.Trials, in.Lookup)
		e.File = specFile(ei.Base.Spec)
	}
	if ei.Head != nil {
		x.hasHead, x.headSpec = true, ei.Head.Spec
		x.headCfgs = groupConfigs(ei.Head.Trials, in.Lookup)
		e.File = specFile(ei.Head.Spec)
	}
	if e.Status == "" {
		e.Status = deriveStatus(ei)
	}
	if e.Changes == nil {
		e.Changes = DiffSpecs(ei.Base, ei.Head)
	}
	var stoppedBase, stoppedHead int
	x.baseCfgs, stoppedBase = dropStopped(x.baseCfgs)
	x.headCfgs, stoppedHead = dropStopped(x.headCfgs)
	if stoppedBase+stoppedHead > 0 {
		e.Notes = append(e.Notes, fmt.Sprintf("%d base and %d head configs of the search were stopped early and are not compared", stoppedBase, stoppedHead))
	}
	x.collectMetrics(e)
	e.Sweep = len(x.baseCfgs) > 1 || len(x.headCfgs) > 1

	pairs := pairConfigs(x.baseCfgs, x.headCfgs)
	for _, p := range pairs {
		e.Configs = append(e.Configs, x.row(p.base, p.head, p.how))
	}
	if x.search() {
		e.Headline = x.searchHeadline(e, pairs)
	} else {
		e.Headline = x.headline(e, pairs)
	}
	x.context(e)
	return e
}

func specFile(e *spec.Experiment) string {
	if e == nil {
		return ""
	}
	return e.File
}

func deriveStatus(ei ExperimentInput) string {
	switch {
	case ei.Base == nil:
		return StatusAdded
	case ei.Head == nil:
		return StatusRemoved
	}
	keys := map[string]bool{}
	for _, t := range ei.Base.Trials {
		keys[t.Key] = true
	}
	if len(ei.Base.Trials) != len(ei.Head.Trials) {
		return StatusModified
	}
	for _, t := range ei.Head.Trials {
		if !keys[t.Key] {
			return StatusModified
		}
	}
	return StatusUnchanged
}

func (x *experimentCtx) collectMetrics(e *Experiment) {
	seen := map[string]bool{}
	add := func(s *spec.Experiment, head bool) {
		if s == nil {
			return
		}
		primary := s.PrimaryMetric()
		for _, m := range s.Metrics {
			if head {
				x.headDeclares[m.Name] = true
			}
			if seen[m.Name] {
				continue
			}
			seen[m.Name] = true
			x.metrics = append(x.metrics, m)
			e.Metrics = append(e.Metrics, MetricSpec{
				Name: m.Name, Goal: m.Goal, Summary: m.Summary, Tolerance: m.Tolerance, Primary: m == primary,
			})
		}
	}
	add(x.headSpec, true)
	add(x.baseSpec, false)
}

// primary is the metric that ranks a sweep: head's, or base's for an
// experiment head removed.
func (x *experimentCtx) primary() *spec.Metric {
	if x.headSpec != nil {
		return x.headSpec.PrimaryMetric()
	}
	if x.baseSpec != nil {
		return x.baseSpec.PrimaryMetric()
	}
	return nil
}

// rowState is what the trials of a row say before any statistics: a head
// failure, a result still missing, or a config on one side only. "" means
// the statistics decide.
func (x *experimentCtx) rowState(b, h *sideConfig) (Verdict, string) {
	if h != nil {
		if n := h.count(trialFailed); n > 0 {
			return Failed, fmt.Sprintf("%d of %d head trials failed", n, len(h.trials))
		}
		if n := h.count(trialMissing); n > 0 {
			return Missing, fmt.Sprintf("%d of %d head results missing", n, len(h.trials))
		}
	}
	if b != nil && h != nil {
		if n := b.count(trialMissing); n > 0 {
			return Missing, fmt.Sprintf("%d of %d base results missing", n, len(b.trials))
		}
	}
	switch {
	case b == nil:
		return New, ""
	case h == nil:
		return Removed, ""
	}
	return "", ""
}

func (x *experimentCtx) row(b, h *sideConfig, how string) *Row {
	r := &Row{Base: b.model(), Head: h.model(), Pairing: how, Metrics: []*Metric{}}
	state, note := x.rowState(b, h)
	r.state = state
	r.Same = b != nil && h != nil && sameTrials(b, h)
	for _, m := range x.metrics {
		r.Metrics = append(r.Metrics, x.metric(m, b, h, state, note, r.Same))
	}
	return r
}

// sameTrials reports whether two configs are the very same trials: then
// both sides read the same records and there is nothing to test.
func sameTrials(b, h *sideConfig) bool {
	if len(b.trials) != len(h.trials) {
		return false
	}
	keys := make(map[string]bool, len(b.trials))
	for _, o := range b.trials {
		keys[o.trial.Key] = true
	}
	for _, o := range h.trials {
		if !keys[o.trial.Key] {
			return false
		}
	}
	return true
}

// rowVerdict is the row's state, else its metrics' worst verdict. A metric
// only one side has (new or removed) decides the row only when no metric
// was compared: a metric added to an experiment does not make it new.
func rowVerdict(state Verdict, metrics []*Metric) Verdict {
	if state != "" {
		return state
	}
	var compared, oneSided []Verdict
	for _, m := range metrics {
		switch m.Verdict {
		case New, Removed:
			oneSided = append(oneSided, m.Verdict)
		case Reported:
		default:
			compared = append(compared, m.Verdict)
		}
	}
	if len(compared) == 0 && len(oneSided) > 0 {
		return worst(oneSided...)
	}
	return worst(compared...)
}

// metric compares one metric of one row: the samples, diverged seeds set
// aside, the delta, and the test. A verdict that depends on the test waits
// for the comparison's adjustment (see decide).
func (x *experimentCtx) metric(m *spec.Metric, b, h *sideConfig, state Verdict, stateNote string, same bool) *Metric {
	mr := &Metric{Name: m.Name, Goal: m.Goal, Tolerance: m.Tolerance}
	if b != nil {
		mr.Base = b.sample(m.Name)
	}
	if h != nil {
		mr.Head = h.sample(m.Name)
	}
	if mr.Base != nil && mr.Head != nil {
		mr.res = Resolution(mr.Base.Values, mr.Head.Values)
		mr.Base.floor, mr.Head.floor = sideFloor(mr.res, mr.Base.Values), sideFloor(mr.res, mr.Head.Values)
		markDiverged(mr.Base, mr.Head, math.Max(mr.Base.floor, mr.Head.floor), m.Goal)
	}
	overflow := setDelta(mr)
	tested := false
	if overflow == "" && !same && mr.Base.MainN() >= 2 && mr.Head.MainN() >= 2 {
		w, err := stratifiedWelch([]stratum{{b: mr.Base.moments(), h: mr.Head.moments()}}, x.alpha)
		if err != nil {
			overflow = "cannot compare: " + err.Error()
		} else {
			mr.w, mr.Test, tested = w, testModel(w, 1), true
			divergenceTest(mr.Test, mr.Base, mr.Head, m.Goal)
		}
	}
	x.classify(mr, m, state, stateNote, same, tested, overflow)
	return mr
}

// classify gives a metric the verdict its state allows, or marks it judged:
// tested, with a goal, its verdict decided once the p-values are adjusted.
func (x *experimentCtx) classify(mr *Metric, m *spec.Metric, state Verdict, stateNote string, same, tested bool, overflow string) {
	switch {
	case state != "":
		mr.Verdict = state
		mr.notes = append(mr.notes, stateNote)
	case m.Goal == "":
		mr.Verdict = Reported
		if same {
			mr.notes = append(mr.notes, sameNote)
		}
	case mr.Head.N == 0 && x.headDeclares[m.Name]:
		// The head runs succeeded but never reported a metric the spec
		// judges: the check cannot pass it unseen.
		mr.Verdict = Missing
		mr.notes = append(mr.notes, "no head run reported it")
	case mr.Head.N == 0:
		mr.Verdict = Removed
		mr.notes = append(mr.notes, "head no longer declares it")
	case mr.Base.N == 0:
		mr.Verdict = New
		mr.notes = append(mr.notes, "no base values")
	case same:
		mr.Verdict = Unchanged
		mr.notes = append(mr.notes, sameNote)
	case overflow != "":
		mr.Verdict = Inconclusive
		mr.notes = append(mr.notes, overflow)
	case !tested:
		mr.Verdict = Inconclusive
		mr.notes = append(mr.notes, untestedNote(mr.Base, mr.Head))
	default:
		mr.judged = true
	}
	mr.notes = append(mr.notes, sampleNotes(SideBase, mr.Base)...)
	mr.notes = append(mr.notes, sampleNotes(SideHead, mr.Head)...)
}

// sameNote explains a row both sides share.
const sameNote = "the same trials on both sides: nothing to test"

// setDelta sets the delta the tables show and the verdict uses: mean(head)
// − mean(base), with rounding in the means read as no difference. It
// returns why the sides cannot be compared, or "".
func setDelta(mr *Metric) string {
	if mr.Base.MainN() == 0 || mr.Head.MainN() == 0 {
		return ""
	}
	d := mr.Head.Mean - mr.Base.Mean
	if math.IsInf(d, 0) || math.IsNaN(d) {
		return "cannot compare: " + errOverflow.Error()
	}
	if math.Abs(d) <= 1e-12*math.Max(math.Abs(mr.Base.Mean), math.Abs(mr.Head.Mean)) {
		// Rounding in the means, not a difference: 0.79, 0.81, 0.80
		// average to 0.8000000000000002.
		d = 0
	}
	mr.Delta = ptr(d)
	if pct := 100 * d / math.Abs(mr.Base.Mean); mr.Base.Mean != 0 && !math.IsInf(pct, 0) && !math.IsNaN(pct) {
		mr.DeltaPct = ptr(pct)
	}
	return ""
}

func untestedNote(b, h *Sample) string {
	nb, nh := b.MainN(), h.MainN()
	switch {
	case nb < 2 && nh < 2:
		return fmt.Sprintf("n=%d at base and n=%d at head: no p-value; add seeds to test", nb, nh)
	case nb < 2:
		return fmt.Sprintf("n=%d at base: no p-value; add seeds to test", nb)
	default:
		return fmt.Sprintf("n=%d at head: no p-value; add seeds to test", nh)
	}
}

func sampleNotes(side string, s *Sample) []string {
	if s == nil {
		return nil
	}
	var out []string
	if n := len(s.Diverged); n > 0 {
		vals := make([]string, 0, min(n, 3))
		for i, v := range s.Diverged {
			if i == 3 {
				vals = append(vals, "…")
				break
			}
			vals = append(vals, formatFloat(v))
		}
		out = append(out, fmt.Sprintf("%d of %d %s seeds diverged (%s), set aside", n, s.N, side, strings.Join(vals, ", ")))
	}
	if s.NonFinite > 0 {
		out = append(out, fmt.Sprintf("%d non-finite %s value%s dropped", s.NonFinite, side, pluralS(s.NonFinite)))
	}
	if s.Absent > 0 {
		out = append(out, fmt.Sprintf("%d %s run%s did not report it", s.Absent, side, pluralS(s.Absent)))
	}
	return out
}

func joinNotes(notes []string) string {
	var kept []string
	seen := map[string]bool{}
	for _, n := range notes {
		if n != "" && !seen[n] {
			seen[n] = true
			kept = append(kept, n)
		}
	}
	return strings.Join(kept, "; ")
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// testModel is w as JSON carries it; configs > 1 marks a stratified test.
func testModel(w Welch, configs int) *Test {
	t := &Test{Method: "welch", P: w.P, CI: [2]float64{w.CILow, w.CIHigh}, Exact: w.Exact}
	if configs > 1 {
		t.Method, t.Configs = "stratified-welch", configs
	}
	if w.Floored {
		t.SDFloor = w.Floor
	}
	if !w.Exact {
		t.T, t.DF = ptr(w.T), ptr(w.DF)
	}
	return t
}

func countAll(cfgs []*sideConfig, s trialState) int {
	n := 0
	for _, c := range cfgs {
		n += c.count(s)
	}
	return n
}

// experimentVerdict rolls the experiment up: the headline decides
// improvement and regression (one test per metric, not one per config),
// while a failure or a missing result anywhere counts.
func experimentVerdict(e *Experiment) Verdict {
	var vs []Verdict
	if e.Headline != nil {
		vs = append(vs, e.Headline.Verdict)
	}
	for _, r := range e.Configs {
		if r.Verdict == Failed || r.Verdict == Missing {
			vs = append(vs, r.Verdict)
		}
	}
	if len(e.Missing) > 0 {
		vs = append(vs, Missing)
	}
	for _, f := range e.Failures {
		if f.Side == SideHead {
			vs = append(vs, Failed)
		}
	}
	switch e.Status {
	case StatusAdded:
		vs = append(vs, New)
	case StatusRemoved:
		return Removed
	}
	return worst(vs...)
}
