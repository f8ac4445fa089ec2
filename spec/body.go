package spec

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// experimentBodySchema is shared by template and experiment blocks: a
// template is an experiment with every attribute optional.
var experimentBodySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "extends"}, {Name: "description"}, {Name: "tags"}, {Name: "command"},
		{Name: "workdir"}, {Name: "env"}, {Name: "secret_env"}, {Name: "pass_env"},
		{Name: "inputs"},
		{Name: "params"}, {Name: "seeds"}, {Name: "artifacts"}, {Name: "schedule"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "runner"},
		{Type: "metric", LabelNames: []string{"name"}},
		{Type: "sweep"},
		{Type: "early_stop"},
		{Type: "metrics_from"},
	},
}

// body is what one template or experiment block says before extends is
// resolved. Attributes stay unevaluated so that merging is a matter of
// which expression wins, and diagnostics keep pointing at the file a value
// came from.
type body struct {
	kind       string // "template" or "experiment"
	name       string
	file       string
	declRange  hcl.Range
	labelRange hcl.Range

	extends      *extendsRef
	attrs        hcl.Attributes
	runner       hcl.Attributes // nil when there is no runner block
	runnerRange  hcl.Range
	metrics      []*metricBody
	sweep        *hcl.Block
	earlyStop    *hcl.Block
	decodeFailed bool
	// base is the merged body this one was laid over (nil when it extends
	// nothing): with file, the chain of files whose blocks were merged
	// into it, kept as a link so that a deep chain costs one pointer a
	// level rather than a copy of every file above it.
	base *body
	// readsFiles: an expression in the body calls file() or fileset(),
	// whose results depend on the commit being read.
	readsFiles bool

	// metricsFrom is nil when there is no metrics_from block.
	metricsFrom      hcl.Attributes
	metricsFromRange hcl.Range
}

type metricBody struct {
	name      string
	attrs     hcl.Attributes
	declRange hcl.Range
}

// extendsRef is the parsed value of extends = template.NAME.
type extendsRef struct {
	kind, name string
	rng        hcl.Range
}

func (r *extendsRef) String() string { return r.kind + "." + r.name }

// decodeBody decodes a template or experiment block. mayReadFiles is
// false when its file's text cannot hold a call of file() or fileset(),
// which spares walking the block to look for one.
func decodeBody(kind string, block *hcl.Block, mayReadFiles bool) (*body, hcl.Diagnostics) {
	b := &body{
		kind: kind, name: block.Labels[0], file: block.DefRange.Filename,
		declRange: block.DefRange, labelRange: block.LabelRanges[0],
	}
	b.readsFiles = mayReadFiles && callsFileFunctions(block.Body)
	diags := checkName(b.name, kind, b.labelRange)
	content, d := block.Body.Content(experimentBodySchema)
	diags = append(diags, d...)
	b.attrs = content.Attributes
	if a := b.attrs["extends"]; a != nil {
		ref, d := decodeExtends(a)
		diags = append(diags, d...)
		b.extends = ref
		delete(b.attrs, "extends")
	}
	seenMetric := map[string]hcl.Range{}
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "runner":
			if b.runner != nil {
				diags = append(diags, duplicateBlock("runner", b.runnerRange, blk.DefRange))
				continue
			}
			c, d := blk.Body.Content(runnerBlockSchema)
			diags = append(diags, d...)
			b.runner, b.runnerRange = c.Attributes, blk.DefRange
		case "sweep":
			if b.sweep != nil {
				diags = append(diags, duplicateBlock("sweep", b.sweep.DefRange, blk.DefRange))
				continue
			}
			b.sweep = blk
		case "early_stop":
			if b.earlyStop != nil {
				diags = append(diags, duplicateBlock("early_stop", b.earlyStop.DefRange, blk.DefRange))
				continue
			}
			b.earlyStop = blk
		case "metrics_from":
			diags = append(diags, b.addMetricsFrom(blk)...)
		case "metric":
			name := blk.Labels[0]
			if first, dup := seenMetric[name]; dup {
				diags = append(diags, duplicateDiag("metric", name, first, blk.LabelRanges[0]))
				continue
			}
			seenMetric[name] = blk.LabelRanges[0]
			diags = append(diags, checkName(name, "metric", blk.LabelRanges[0])...)
			c, d := blk.Body.Content(metricBlockSchema)
			diags = append(diags, d...)
			b.metrics = append(b.metrics, &metricBody{name: name, attrs: c.Attributes, declRange: blk.DefRange})
		}
	}
	if len(b.metrics) > MaxMetrics {
		diags = append(diags, tooManyMetrics(b, len(b.metrics)))
		b.metrics = b.metrics[:MaxMetrics]
	}
	b.decodeFailed = diags.HasErrors()
	return b, diags
}

func duplicateBlock(kind string, first, second hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Duplicate %s block", kind),
		Detail:   fmt.Sprintf("An experiment has at most one %s block; the first is at %s:%d.", kind, first.Filename, first.Start.Line),
		Subject:  second.Ptr(),
	}
}

func decodeExtends(a *hcl.Attribute) (*extendsRef, hcl.Diagnostics) {
	bad := hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid extends",
		Detail:   "extends names what to inherit from, as template.NAME or experiment.NAME, without quotes.",
		Subject:  a.Expr.Range().Ptr(),
	}}
	tr, diags := hcl.AbsTraversalForExpr(a.Expr)
	if diags.HasErrors() || len(tr) != 2 {
		return nil, bad
	}
	step, ok := tr[1].(hcl.TraverseAttr)
	if !ok {
		return nil, bad
	}
	kind := tr.RootName()
	if kind != "template" && kind != "experiment" {
		return nil, bad
	}
	return &extendsRef{kind: kind, name: step.Name, rng: a.Expr.Range()}, nil
}

// resolver merges bodies along their extends chains, once each.
type resolver struct {
	templates   map[string]*body
	experiments map[string]*body
	done        map[*body]*body
	visiting    map[*body]bool
	diags       hcl.Diagnostics
}

func newResolver(templates, experiments map[string]*body) *resolver {
	return &resolver{templates: templates, experiments: experiments, done: map[*body]*body{}, visiting: map[*body]bool{}}
}

// resolve returns b with everything it extends merged in, or nil when its
// chain is broken (the reason is in r.diags, reported once).
func (r *resolver) resolve(b *body) *body {
	if m, ok := r.done[b]; ok {
		return m
	}
	if b.extends == nil {
		r.done[b] = b
		return b
	}
	if r.visiting[b] {
		r.diags = append(r.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cycle in extends",
			Detail:   fmt.Sprintf("%s.%s extends %s, which leads back to %s.%s.", b.kind, b.name, b.extends, b.kind, b.name),
			Subject:  b.extends.rng.Ptr(),
		})
		r.done[b] = nil
		return nil
	}
	pool := r.templates
	if b.extends.kind == "experiment" {
		pool = r.experiments
	}
	parent := pool[b.extends.name]
	if parent == nil {
		r.diags = append(r.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Unknown %s", b.extends.kind),
			Detail: fmt.Sprintf("%s extends %s, which is not declared%s.",
				b.name, b.extends, didYouMean(b.extends.name, keysOf(pool))),
			Subject: b.extends.rng.Ptr(),
		})
		r.done[b] = nil
		return nil
	}
	r.visiting[b] = true
	base := r.resolve(parent)
	delete(r.visiting, b)
	if m, ok := r.done[b]; ok { // settled while reporting a cycle through b
		return m
	}
	if base == nil {
		r.done[b] = nil
		return nil
	}
	m := merge(base, b)
	if len(m.metrics) > MaxMetrics {
		r.diags = append(r.diags, tooManyMetrics(b, len(m.metrics)))
		r.done[b] = nil
		return nil
	}
	r.done[b] = m
	return m
}

// merge lays child over base: the child's attributes win, runner
// attributes merge one by one, metric blocks merge by name (attribute by
// attribute), and a child's sweep or early_stop replaces the base's whole.
//
// Its cost is bounded by the number of attribute names and metrics, not
// by the depth of the chain above base: a child without metric blocks
// shares the base's list, so a chain of thousands of templates stays
// linear in time and memory.
func merge(base, child *body) *body {
	m := *child
	m.extends = nil
	m.base = base
	m.attrs = make(hcl.Attributes, len(base.attrs)+len(child.attrs))
	for k, v := range base.attrs {
		m.attrs[k] = v
	}
	for k, v := range child.attrs {
		m.attrs[k] = v
	}
	if base.runner != nil || child.runner != nil {
		m.runner = hcl.Attributes{}
		for k, v := range base.runner {
			m.runner[k] = v
		}
		for k, v := range child.runner {
			m.runner[k] = v
		}
		if child.runner == nil {
			m.runnerRange = base.runnerRange
		}
	}
	m.metrics = mergeMetrics(base.metrics, child.metrics)
	if m.sweep == nil {
		m.sweep = base.sweep
	}
	if m.earlyStop == nil {
		m.earlyStop = base.earlyStop
	}
	mergeMetricsFrom(&m, base, child)
	m.decodeFailed = base.decodeFailed || child.decodeFailed
	m.readsFiles = base.readsFiles || child.readsFiles
	return &m
}

// mergeMetrics lays the child's metric blocks over the base's. The base's
// list is returned as it is when the child adds nothing; lists are never
// changed once built, so sharing them is safe.
func mergeMetrics(base, child []*metricBody) []*metricBody {
	if len(child) == 0 {
		return base
	}
	if len(base) == 0 {
		return child
	}
	out := make([]*metricBody, 0, len(base)+len(child))
	out = append(out, base...)
	index := make(map[string]int, len(base))
	for i, mb := range base {
		index[mb.name] = i
	}
	for _, mb := range child {
		i, ok := index[mb.name]
		if !ok {
			index[mb.name] = len(out)
			out = append(out, mb)
			continue
		}
		merged := &metricBody{name: mb.name, attrs: hcl.Attributes{}, declRange: mb.declRange}
		for k, v := range out[i].attrs {
			merged.attrs[k] = v
		}
		for k, v := range mb.attrs {
			merged.attrs[k] = v
		}
		out[i] = merged
	}
	return out
}

// callsFileFunctions reports whether an expression in b calls file() or
// fileset(), or a function it cannot tell apart from them. A body that is
// not native syntax counts as calling them.
func callsFileFunctions(b hcl.Body) bool {
	sb, ok := b.(*hclsyntax.Body)
	if !ok {
		return true
	}
	found := false
	hclsyntax.VisitAll(sb, func(n hclsyntax.Node) hcl.Diagnostics {
		if call, ok := n.(*hclsyntax.FunctionCallExpr); ok {
			if call.Name == "file" || call.Name == "fileset" || strings.Contains(call.Name, "::") {
				found = true
			}
		}
		return nil
	})
	return found
}
