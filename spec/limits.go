package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Limits on what a spec may ask for. `assay plan` reads the specs of a
// pull request before anyone has reviewed them, a fork's included, so
// the work of loading and expanding a spec must stay in proportion to its
// size. Chains of extends and of locals cost time linear in their length
// (see merge and evalLocals); what a few bytes can multiply (trials over
// experiments, metrics inherited by many experiments) is capped here, and
// each cap's error names the limit and what to do.

// MaxMetrics is the most metric blocks one experiment may have, those it
// inherits included. Every experiment that extends a template carries its
// metrics, so without a cap a template of many metrics extended by many
// experiments costs their product. A trial may still report metrics it
// does not declare: the collector keeps a bounded number of those.
const MaxMetrics = 1000

// tooManyMetrics is the error for a body whose metric blocks, with those
// it inherits, exceed MaxMetrics.
func tooManyMetrics(b *body, n int) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Too many metrics",
		Detail: fmt.Sprintf("%s %q has %d metric blocks with those it extends, more than the limit of %d. "+
			"Declare the metrics the comparison judges; a trial may report others without a metric block.",
			title(b.kind), b.name, n, MaxMetrics),
		Subject: b.labelRange.Ptr(),
	}
}

func title(kind string) string {
	if kind == "" {
		return ""
	}
	return strings.ToUpper(kind[:1]) + kind[1:]
}

// checkTotalTrials refuses experiments that together expand to more
// trials than the project allows. Each experiment's count is known
// without expanding it, so the check costs nothing when it fails.
func (p *Project) checkTotalTrials() hcl.Diagnostics {
	limit := p.Settings.MaxTrials
	if limit <= 0 {
		limit = DefaultMaxTotalTrials
	}
	total := 0
	var over *Experiment
	for _, e := range p.Experiments {
		total += e.trialCount
		if total > limit && over == nil {
			over = e
		}
	}
	if over == nil {
		return nil
	}
	largest := byTrialCount(p.Experiments)
	var names []string
	for _, e := range largest[:min(3, len(largest))] {
		names = append(names, fmt.Sprintf("%s %d", e.Name, e.trialCount))
	}
	how := fmt.Sprintf("If you mean it, raise the limit in %s: project { max_trials = %d }.", ProjectFile, total)
	subject := over.DeclRange.Ptr()
	if p.Settings.maxTrialsRange != nil {
		how = fmt.Sprintf("If you mean it, raise max_trials to %d.", total)
		subject = p.Settings.maxTrialsRange
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Too many trials in all",
		Detail: fmt.Sprintf("The experiments expand to %d trials together, more than the project's limit of %d (the largest: %s). %s",
			total, limit, strings.Join(names, ", "), how),
		Subject: subject,
	}}
}

// byTrialCount returns the experiments with the most trials first.
func byTrialCount(exps []*Experiment) []*Experiment {
	out := append([]*Experiment(nil), exps...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].trialCount > out[j].trialCount })
	return out
}

// MaxValueSize is the most bytes one local's value may take (strings by
// their bytes, every number, bool and element as 16). A local holds
// settings, not data; without a cap, thirty locals that each double the
// one before make gigabytes out of a few lines.
const MaxValueSize = 4 << 20

// valueSize measures v up to limit: it stops counting, and reports over,
// as soon as the size passes limit, so measuring costs no more than the
// limit. Unknown and null values count as one element.
func valueSize(v cty.Value, limit int) (n int, over bool) {
	var walk func(v cty.Value) bool
	walk = func(v cty.Value) bool {
		v, _ = v.Unmark()
		n += 16
		if n > limit {
			return false
		}
		if !v.IsKnown() || v.IsNull() {
			return true
		}
		ty := v.Type()
		switch {
		case ty == cty.String:
			n += len(v.AsString())
		case ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType() || ty.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				k, e := it.Element()
				if ty.IsMapType() || ty.IsObjectType() {
					n += len(k.AsString())
				}
				if !walk(e) {
					return false
				}
			}
		}
		return n <= limit
	}
	ok := walk(v)
	return n, !ok
}

// valueTooLarge is the error for a local over MaxValueSize: inputs is
// what its references add up to when that alone is over, else 0 (the
// value itself was measured).
func valueTooLarge(def *localDef, inputs int) *hcl.Diagnostic {
	what := fmt.Sprintf("local.%s is larger than %d bytes, the limit for one value.", def.name, MaxValueSize)
	if inputs > 0 {
		what = fmt.Sprintf("local.%s refers to %d bytes of other locals, more than %d, the limit for one value.", def.name, inputs, MaxValueSize)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Local value too large",
		Detail:   what + " Locals hold settings; keep data in files the trials read.",
		Subject:  def.attr.Expr.Range().Ptr(),
	}
}
