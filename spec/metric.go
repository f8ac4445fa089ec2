package spec

import (
	"fmt"
	"regexp"
	"sync"

	"github.com/hashicorp/hcl/v2"
)

// Metric is a metric block: a number a trial reports and how to read it.
type Metric struct {
	Name string
	// Goal is "maximize", "minimize", or "" for a metric that is only
	// reported and never judged.
	Goal string
	// Summary reduces the metric's series to one number per trial:
	// "last" (default), "min", "max" or "mean".
	Summary string
	// Tolerance is the absolute change, in the metric's units, that a
	// significant regression must exceed before it fails the check.
	Tolerance float64
	// Pattern, when set, scrapes the metric from stdout: the first capture
	// group of each matching line is one point of the series.
	Pattern *regexp.Regexp
	// Tag, when set, names what the files of metrics_from call this
	// metric (a TensorBoard tag, a CSV column, a log_history key, an MLflow
	// key), when that is not its name.
	Tag string
	// Primary marks the metric that ranks the configs of a sweep.
	Primary   bool
	DeclRange hcl.Range
}

// Metric goals and summaries.
var (
	MetricGoals     = []string{"maximize", "minimize"}
	MetricSummaries = []string{"last", "min", "max", "mean"}
)

var metricBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "goal"}, {Name: "summary"}, {Name: "tolerance"}, {Name: "pattern"}, {Name: "primary"}, {Name: "tag"}},
}

// partial is set for templates, where the goal may come from the
// experiment that extends them.
func decodeMetricAttrs(name string, attrs hcl.Attributes, declRange hcl.Range, ctx *hcl.EvalContext, partial bool) (*Metric, hcl.Diagnostics) {
	m := &Metric{Name: name, Summary: "last", DeclRange: declRange}
	var diags hcl.Diagnostics
	if a := attrs["goal"]; a != nil {
		s, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if ok {
			if d := oneOf(a, s, MetricGoals...); d != nil {
				diags = append(diags, d...)
			} else {
				m.Goal = s
			}
		}
	}
	if a := attrs["summary"]; a != nil {
		s, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if ok {
			if d := oneOf(a, s, MetricSummaries...); d != nil {
				diags = append(diags, d...)
			} else {
				m.Summary = s
			}
		}
	}
	if a := attrs["tolerance"]; a != nil {
		f, ok, d := evalNumber(a, ctx)
		diags = append(diags, d...)
		if ok {
			if f < 0 {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Value out of range",
					Detail:   fmt.Sprintf("tolerance is an absolute amount in the metric's units and may not be negative, got %g.", f),
					Subject:  a.Expr.Range().Ptr(),
				})
			} else {
				m.Tolerance = f
			}
		}
		if m.Goal == "" && attrs["goal"] == nil && !partial {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Tolerance without a goal",
				Detail:   fmt.Sprintf("Metric %q has a tolerance but no goal, so no change could ever exceed it. Add goal = \"maximize\" or \"minimize\".", name),
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
	if a := attrs["pattern"]; a != nil {
		s, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if ok {
			re, err := regexp.Compile(s)
			switch {
			case err != nil:
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid metric pattern",
					Detail:   fmt.Sprintf("%q is not a regular expression: %s.", s, err),
					Subject:  a.Expr.Range().Ptr(),
				})
			case re.NumSubexp() < 1:
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid metric pattern",
					Detail:   fmt.Sprintf("%q has no capture group; put the number in parentheses, as in \"loss=([0-9.eE+-]+)\".", s),
					Subject:  a.Expr.Range().Ptr(),
				})
			default:
				m.Pattern = re
			}
		}
	}
	if a := attrs["tag"]; a != nil {
		diags = append(diags, m.decodeTag(a, attrs["pattern"], ctx)...)
	}
	if a := attrs["primary"]; a != nil {
		b, ok, d := evalBool(a, ctx)
		diags = append(diags, d...)
		if ok {
			m.Primary = b
		}
	}
	return m, diags
}

// metricMemo decodes each list of metric blocks, and each block, once per
// load. Every experiment that extends a template without adding metrics
// has the very list of the template, and a template that adds one metric
// to its base's shares the rest of its blocks, so a template extended by
// thousands of experiments, or a chain of thousands of templates, costs
// each block one decoding. A nil memo decodes every time.
type metricMemo struct {
	mu     sync.Mutex
	lists  map[metricListKey]*decodedMetrics
	blocks map[metricKey]decodedMetric
}

// metricListKey names a list by where it starts in memory and its length:
// lists are never changed once built, so the same start and length mean
// the same list. (Two lists that merely begin with the same block, such
// as two children that each add their own metric to one template's, live
// in different arrays.)
type metricListKey struct {
	start   **metricBody
	n       int
	partial bool
}

type metricKey struct {
	mb      *metricBody
	partial bool
}

type decodedMetrics struct {
	once    sync.Once
	metrics []*Metric
	diags   hcl.Diagnostics
}

type decodedMetric struct {
	m     *Metric
	diags hcl.Diagnostics
}

func (c *metricMemo) decode(list []*metricBody, ctx *hcl.EvalContext, partial bool) ([]*Metric, hcl.Diagnostics) {
	if len(list) == 0 {
		return nil, nil
	}
	if c == nil {
		return decodeMetrics(list, func(mb *metricBody) (*Metric, hcl.Diagnostics) {
			return decodeMetricAttrs(mb.name, mb.attrs, mb.declRange, ctx, partial)
		})
	}
	key := metricListKey{start: &list[0], n: len(list), partial: partial}
	c.mu.Lock()
	if c.lists == nil {
		c.lists, c.blocks = map[metricListKey]*decodedMetrics{}, map[metricKey]decodedMetric{}
	}
	d := c.lists[key]
	if d == nil {
		d = &decodedMetrics{}
		c.lists[key] = d
	}
	c.mu.Unlock()
	d.once.Do(func() {
		d.metrics, d.diags = decodeMetrics(list, func(mb *metricBody) (*Metric, hcl.Diagnostics) {
			k := metricKey{mb, partial}
			c.mu.Lock()
			got, ok := c.blocks[k]
			c.mu.Unlock()
			if !ok {
				got.m, got.diags = decodeMetricAttrs(mb.name, mb.attrs, mb.declRange, ctx, partial)
				c.mu.Lock()
				c.blocks[k] = got
				c.mu.Unlock()
			}
			return got.m, got.diags
		})
	})
	return d.metrics, d.diags
}

// decodeMetrics decodes a body's metric blocks with one; at most one may
// be primary.
func decodeMetrics(list []*metricBody, one func(*metricBody) (*Metric, hcl.Diagnostics)) ([]*Metric, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var primary *Metric
	out := make([]*Metric, 0, len(list))
	for _, mb := range list {
		m, d := one(mb)
		diags = append(diags, d...)
		if m.Primary {
			if primary != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Two primary metrics",
					Detail:   fmt.Sprintf("Metrics %q and %q are both primary; a sweep is ranked by one.", primary.Name, m.Name),
					Subject:  mb.attrs["primary"].Expr.Range().Ptr(),
				})
			}
			primary = m
		}
		out = append(out, m)
	}
	return out, diags
}
