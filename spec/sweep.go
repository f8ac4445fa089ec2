package spec

import (
	"fmt"
	"math"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// DefaultMaxTrials is the most trials one experiment may expand to unless
// its sweep sets max_trials. A typo in a grid (an extra zero in a range)
// should not queue a month of GPU time.
const DefaultMaxTrials = 10000

// Sweep methods and the distributions (domains) of sweep params. "choice"
// is another name for "values" and "int" for "int_uniform": the names a
// search's domains go by.
var (
	SweepMethods  = []string{"grid", "random", "tpe"}
	Distributions = []string{"values", "uniform", "log_uniform", "int_uniform", "choice", "int"}
)

// distributionAliases maps the domain names of a search to the
// distributions they are.
var distributionAliases = map[string]string{"choice": "values", "int": "int_uniform"}

// Sweep is a sweep block: the param points an experiment is run at.
type Sweep struct {
	// Method is "grid" (every combination), "random" (Samples draws) or
	// "tpe" (a search: Budget trials proposed in rounds, see
	// sweep_search.go).
	Method  string
	Samples int
	// Seed seeds the random sweep's draws and a search's sampler, so the
	// same spec always samples the same points.
	Seed int64
	// Budget, Batch, Startup and Objective describe a search; see
	// sweep_search.go. Batch also splits a grid or random sweep with an
	// early_stop block into rounds.
	Budget    int
	Batch     int
	Startup   int
	Objective string
	// attrRanges locate the search attributes for the checks that need
	// the rest of the experiment (search_check.go).
	attrRanges map[string]hcl.Range
	// MaxTrials, when set, replaces DefaultMaxTrials as the limit.
	MaxTrials int
	Params    []*SweepParam
	DeclRange hcl.Range
}

// SweepParam is one param of a sweep.
type SweepParam struct {
	Name string
	// Distribution is "values" (pick from Values) or, in a random sweep,
	// "uniform", "log_uniform" or "int_uniform" over [Min, Max].
	Distribution string
	Values       []cty.Value
	Min, Max     float64
	DeclRange    hcl.Range
}

var sweepBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "method"}, {Name: "samples"}, {Name: "seed"}, {Name: "max_trials"},
		{Name: "budget"}, {Name: "batch"}, {Name: "startup"}, {Name: "objective"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "param", LabelNames: []string{"name"}}},
}

var sweepParamSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "values"}, {Name: "distribution"}, {Name: "min"}, {Name: "max"}},
}

func decodeSweepBlock(block *hcl.Block, params map[string]cty.Value, ctx *hcl.EvalContext) (*Sweep, hcl.Diagnostics) {
	s := &Sweep{Method: "grid", DeclRange: block.DefRange, attrRanges: map[string]hcl.Range{}}
	content, diags := block.Body.Content(sweepBlockSchema)
	attrs := content.Attributes
	if a := attrs["method"]; a != nil {
		m, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if ok {
			if d := oneOf(a, m, SweepMethods...); d != nil {
				diags = append(diags, d...)
			} else {
				s.Method = m
			}
		}
	}
	if a := attrs["samples"]; a != nil {
		n, ok, d := evalInt(a, ctx, 1, math.MaxInt32)
		diags = append(diags, d...)
		if ok {
			s.Samples = int(n)
		}
		if s.Method != "random" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Samples in a grid sweep",
				Detail:   "A grid sweep runs every combination; samples applies to method = \"random\" only.",
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
	if a := attrs["seed"]; a != nil {
		n, ok, d := evalInt(a, ctx, math.MinInt64, math.MaxInt64)
		diags = append(diags, d...)
		if ok {
			s.Seed = n
		}
	}
	if a := attrs["max_trials"]; a != nil {
		n, ok, d := evalInt(a, ctx, 1, math.MaxInt32)
		diags = append(diags, d...)
		if ok {
			s.MaxTrials = int(n)
		}
	}
	diags = append(diags, s.decodeSearchAttrs(block, attrs, ctx)...)
	if s.Method == "random" && attrs["samples"] == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing samples",
			Detail:   "A random sweep needs samples = N, the number of points to draw.",
			Subject:  block.DefRange.Ptr(),
		})
	}

	seen := map[string]hcl.Range{}
	for _, pb := range content.Blocks {
		name := pb.Labels[0]
		if first, dup := seen[name]; dup {
			diags = append(diags, duplicateDiag("sweep param", name, first, pb.LabelRanges[0]))
			continue
		}
		seen[name] = pb.LabelRanges[0]
		if _, declared := params[name]; !declared && params != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Sweep over an undeclared param",
				Detail: fmt.Sprintf("The sweep varies %q, but params does not declare it%s. Add %s = <default> to the experiment's params.",
					name, didYouMean(name, keysOf(params)), name),
				Subject: pb.LabelRanges[0].Ptr(),
			})
			continue
		}
		p, d := decodeSweepParam(pb, s.Method, ctx)
		diags = append(diags, d...)
		if p != nil {
			s.Params = append(s.Params, p)
		}
	}
	if len(content.Blocks) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Empty sweep",
			Detail:   "A sweep needs at least one param block, such as param \"lr\" { values = [0.1, 0.01] }.",
			Subject:  block.DefRange.Ptr(),
		})
	}
	return s, diags
}

func decodeSweepParam(block *hcl.Block, method string, ctx *hcl.EvalContext) (*SweepParam, hcl.Diagnostics) {
	p := &SweepParam{Name: block.Labels[0], Distribution: "values", DeclRange: block.DefRange}
	content, diags := block.Body.Content(sweepParamSchema)
	attrs := content.Attributes
	if a := attrs["distribution"]; a != nil {
		s, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if !ok {
			return nil, diags
		}
		if d := oneOf(a, s, Distributions...); d != nil {
			return nil, append(diags, d...)
		}
		if canonical, ok := distributionAliases[s]; ok {
			s = canonical
		}
		if method == "grid" && s != "values" {
			return nil, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Distribution in a grid sweep",
				Detail:   fmt.Sprintf("A grid sweep needs a finite list of values; %q applies to method = \"random\" and \"tpe\".", s),
				Subject:  a.Expr.Range().Ptr(),
			})
		}
		p.Distribution = s
	}
	if p.Distribution == "values" {
		a := attrs["values"]
		if a == nil {
			return nil, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing values",
				Detail:   fmt.Sprintf("Sweep param %q needs values = [...] (or, in a random or tpe sweep, a distribution with min and max).", p.Name),
				Subject:  block.DefRange.Ptr(),
			})
		}
		for _, name := range []string{"min", "max"} {
			if b := attrs[name]; b != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  fmt.Sprintf("Unexpected %s", name),
					Detail:   fmt.Sprintf("%s applies to the uniform, log_uniform and int_uniform distributions, not to a list of values.", name),
					Subject:  b.NameRange.Ptr(),
				})
			}
		}
		vals, d := evalParamValues(a, ctx)
		diags = append(diags, d...)
		if vals == nil {
			return nil, diags
		}
		p.Values = vals
		return p, diags
	}

	if a := attrs["values"]; a != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unexpected values",
			Detail:   fmt.Sprintf("Sweep param %q draws from %s; drop values or drop the distribution.", p.Name, p.Distribution),
			Subject:  a.NameRange.Ptr(),
		})
	}
	ok := true
	for name, dst := range map[string]*float64{"min": &p.Min, "max": &p.Max} {
		a := attrs[name]
		if a == nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Missing %s", name),
				Detail:   fmt.Sprintf("The %s distribution of %q needs min and max.", p.Distribution, p.Name),
				Subject:  block.DefRange.Ptr(),
			})
			ok = false
			continue
		}
		f, good, d := evalNumber(a, ctx)
		diags = append(diags, d...)
		ok = ok && good
		*dst = f
	}
	if !ok {
		return nil, diags
	}
	rng := block.DefRange
	if a := attrs["max"]; a != nil {
		rng = a.Expr.Range()
	}
	switch {
	case p.Min > p.Max:
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Empty range",
			Detail: fmt.Sprintf("min (%g) is greater than max (%g).", p.Min, p.Max), Subject: rng.Ptr()})
		return nil, diags
	case p.Distribution == "log_uniform" && p.Min <= 0:
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value out of range",
			Detail: fmt.Sprintf("log_uniform needs min > 0, got %g.", p.Min), Subject: attrs["min"].Expr.Range().Ptr()})
		return nil, diags
	case p.Distribution == "int_uniform" && (p.Min != math.Trunc(p.Min) || p.Max != math.Trunc(p.Max)):
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value out of range",
			Detail: "int_uniform (int) needs whole-number min and max.", Subject: rng.Ptr()})
		return nil, diags
	case method == "tpe" && p.Min == p.Max:
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Empty range",
			Detail:  fmt.Sprintf("min and max are both %g, so there is nothing to search; drop the sweep param and set %s in params.", p.Min, p.Name),
			Subject: rng.Ptr()})
		return nil, diags
	}
	return p, diags
}

// evalParamValues reads a non-empty list of param values.
func evalParamValues(a *hcl.Attribute, ctx *hcl.EvalContext) ([]cty.Value, hcl.Diagnostics) {
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return nil, diags
	}
	if v.IsNull() || !(v.Type().IsListType() || v.Type().IsTupleType() || v.Type().IsSetType()) {
		return nil, append(diags, typeDiag(a, fmt.Sprintf("%q must be a list of values, such as [0.1, 0.01].", a.Name)))
	}
	if v.LengthInt() == 0 {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Empty values",
			Detail:   "A sweep param needs at least one value.",
			Subject:  a.Expr.Range().Ptr(),
		})
	}
	var out []cty.Value
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if msg := checkParamValue(ev); msg != "" {
			return nil, append(diags, typeDiag(a, fmt.Sprintf("Each value %s.", msg)))
		}
		out = append(out, normalizeNumbers(ev))
	}
	return out, diags
}

// checkParamValue says why v cannot be a param value, or "". Params are
// strings, numbers, bools, or lists and objects of them: the shapes that
// survive a round trip through ASSAY_PARAMS as JSON.
func checkParamValue(v cty.Value) string {
	if v.IsNull() {
		return "may not be null"
	}
	if !v.IsWhollyKnown() {
		return "must be known"
	}
	t := v.Type()
	switch {
	case t.IsPrimitiveType():
		return ""
	case t.IsListType(), t.IsTupleType(), t.IsSetType(), t.IsMapType(), t.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			if msg := checkParamValue(ev); msg != "" {
				return msg
			}
		}
		return ""
	}
	return "must be a string, number, bool, list or object"
}

// count is how many param points the sweep yields; for a search, the
// most it may try (searchPoints).
func (s *Sweep) count() int {
	switch s.Method {
	case "random":
		return s.Samples
	case "tpe":
		return 0 // the budget decides: see Experiment.SearchPoints
	}
	n := 1
	for _, p := range s.Params {
		n *= len(p.Values)
		if n > math.MaxInt32 {
			return math.MaxInt32
		}
	}
	return n
}
