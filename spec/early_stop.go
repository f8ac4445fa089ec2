package spec

import (
	"fmt"
	"math"

	"github.com/hashicorp/hcl/v2"
)

// EarlyStop is an early_stop block: a rule that stops a running trial of
// a search whose step series of one metric is unpromising next to the
// trials of earlier rounds. The runner's search package holds the rules.
type EarlyStop struct {
	// Rule is "asha" (asynchronous successive halving, Li et al. 2018) or
	// "median" (the median stopping rule, Golovin et al. 2017).
	Rule string
	// Metric names the metric judged: the block's metric, else the
	// search's objective (Experiment.EarlyStopMetric resolves it).
	Metric string
	// MinSteps is the first step at which a trial may be stopped: ASHA's
	// first rung, the median rule's warm-up.
	MinSteps int64
	// ReductionFactor is ASHA's η: of the trials that reach a rung, about
	// one in η goes on to the next, which is η times as many steps away.
	ReductionFactor int
	// GracePeriod is how many trials of earlier rounds must have reported
	// a step before any trial is stopped at it.
	GracePeriod int
	DeclRange   hcl.Range

	metricRange *hcl.Range
}

// Early-stopping rules.
var EarlyStopRules = []string{"asha", "median"}

// Defaults of an early_stop block.
const (
	DefaultReductionFactor = 3
	// DefaultMedianGrace is the median rule's grace period; ASHA's is its
	// reduction factor, the fewest values of which a top 1/η means anything.
	DefaultMedianGrace = 5
)

var earlyStopSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "rule", Required: true}, {Name: "metric"}, {Name: "min_steps"},
		{Name: "reduction_factor"}, {Name: "grace_period"},
	},
}

func decodeEarlyStopBlock(block *hcl.Block, ctx *hcl.EvalContext) (*EarlyStop, hcl.Diagnostics) {
	es := &EarlyStop{Rule: "asha", MinSteps: 1, DeclRange: block.DefRange}
	content, diags := block.Body.Content(earlyStopSchema)
	attrs := content.Attributes
	if a := attrs["rule"]; a != nil {
		s, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if ok {
			if d := oneOf(a, s, EarlyStopRules...); d != nil {
				diags = append(diags, d...)
			} else {
				es.Rule = s
			}
		}
	}
	if a := attrs["metric"]; a != nil {
		s, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if ok {
			es.Metric = s
			es.metricRange = a.Expr.Range().Ptr()
		}
	}
	if a := attrs["min_steps"]; a != nil {
		n, ok, d := evalInt(a, ctx, 1, math.MaxInt64/4)
		diags = append(diags, d...)
		if ok {
			es.MinSteps = n
		}
	}
	if a := attrs["reduction_factor"]; a != nil {
		n, ok, d := evalInt(a, ctx, 2, 100)
		diags = append(diags, d...)
		if ok {
			es.ReductionFactor = int(n)
		}
		if es.Rule != "asha" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Reduction factor outside ASHA",
				Detail:   fmt.Sprintf("reduction_factor sets how many trials of a rung successive halving keeps; the %s rule has none.", es.Rule),
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
	if es.Rule == "asha" && es.ReductionFactor == 0 {
		es.ReductionFactor = DefaultReductionFactor
	}
	if a := attrs["grace_period"]; a != nil {
		n, ok, d := evalInt(a, ctx, 1, math.MaxInt32)
		diags = append(diags, d...)
		if ok {
			es.GracePeriod = int(n)
		}
	}
	if es.GracePeriod == 0 {
		es.GracePeriod = DefaultMedianGrace
		if es.Rule == "asha" {
			es.GracePeriod = es.ReductionFactor
		}
	}
	return es, diags
}

// EarlyStopMetric is the metric the early_stop block judges, or nil.
func (e *Experiment) EarlyStopMetric() *Metric {
	if e.EarlyStop == nil {
		return nil
	}
	if e.EarlyStop.Metric != "" {
		return e.Metric(e.EarlyStop.Metric)
	}
	return e.Objective()
}

// checkEarlyStop checks that early stopping has rounds to compare and a
// metric with a goal to judge.
func (e *Experiment) checkEarlyStop() hcl.Diagnostics {
	es := e.EarlyStop
	switch {
	case e.Sweep == nil:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Early stopping without a sweep",
			Detail:   "early_stop judges each trial of a search against the trials before it; this experiment has one param point. Add a sweep block, or drop early_stop.",
			Subject:  es.DeclRange.Ptr(),
		}}
	case !e.Sweep.Adaptive() && e.Sweep.Batch == 0:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Early stopping needs rounds",
			Detail: fmt.Sprintf("early_stop judges a trial against the trials of earlier rounds, and without batch a %s sweep is one round, so nothing would ever stop. Add batch = N to the sweep: its points then run N at a time.",
				e.Sweep.Method),
			Subject: es.DeclRange.Ptr(),
		}}
	}
	rng := es.DeclRange.Ptr()
	if es.metricRange != nil {
		rng = es.metricRange
	}
	m := e.EarlyStopMetric()
	switch {
	case m == nil && es.Metric != "":
		names := make([]string, len(e.Metrics))
		for i, m := range e.Metrics {
			names[i] = m.Name
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unknown early-stopping metric",
			Detail:   fmt.Sprintf("%q is not a declared metric%s; early_stop judges the step series of a metric the experiment declares.", es.Metric, didYouMean(es.Metric, names)),
			Subject:  rng,
		}}
	case m == nil:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No early-stopping metric",
			Detail:   "early_stop needs a metric to judge: set metric = \"<name>\" in the block, or give a metric block a goal.",
			Subject:  rng,
		}}
	case m.Goal == "":
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Early-stopping metric without a goal",
			Detail:   fmt.Sprintf("early_stop cannot tell a promising trial from a poor one: give metric %q goal = \"maximize\" or \"minimize\".", m.Name),
			Subject:  rng,
		}}
	}
	return nil
}
