package compare

import (
	"fmt"
	"strconv"

	"github.com/assaylab/assay/spec"
)

// search reports whether the experiment is a search at either side: a
// TPE sweep, or a sweep run in rounds with early stopping.
func (x *experimentCtx) search() bool {
	return (x.headSpec != nil && x.headSpec.Search()) || (x.baseSpec != nil && x.baseSpec.Search())
}

// objective is the metric a search ranks its points by: head's, or
// base's for a search head removed.
func (x *experimentCtx) objective() *spec.Metric {
	if x.headSpec != nil {
		return x.headSpec.Objective()
	}
	if x.baseSpec != nil {
		return x.baseSpec.Objective()
	}
	return nil
}

// searchHeadline is the headline of a search. What a search produces is
// its best point, so the headline is the head's best config by the
// objective, compared like with like where it can be: against the same
// params at base when base ran them, else against base's best (a search
// whose space, budget or trainer changed proposes other points, and its
// best is what the change is about). Selecting on both sides by the
// results is the point of a search; with one spec and one history both
// sides propose the same points, so an unchanged search is the same
// trials, never tested. Without a best at each side it is any sweep's
// headline.
func (x *experimentCtx) searchHeadline(e *Experiment, pairs []pair) *Row {
	obj := x.objective()
	if obj == nil || obj.Goal == "" {
		return x.headline(e, pairs)
	}
	hb, bb := bestConfig(x.headCfgs, obj), bestConfig(x.baseCfgs, obj)
	if hb == nil || bb == nil {
		return x.headline(e, pairs)
	}
	val := func(c *sideConfig) string { return strconv.FormatFloat(c.sample(obj.Name).Mean, 'g', 4, 64) }
	for i, p := range pairs {
		if p.head == hb && p.how == PairParams && p.base.sample(obj.Name).N > 0 {
			x.hlBase, x.hlHead = p.base, p.head
			e.Notes = append(e.Notes, fmt.Sprintf("headline: the search's best at head by %s (%s), against the same params at base", obj.Name, val(hb)))
			return e.Configs[i]
		}
	}
	x.hlBase, x.hlHead = bb, hb
	e.Notes = append(e.Notes, fmt.Sprintf("headline: the search's best at each side by %s: %s at base (%s), %s at head (%s)",
		obj.Name, orDefaults(bb.label), val(bb), orDefaults(hb.label), val(hb)))
	return x.row(bb, hb, PairBest)
}
