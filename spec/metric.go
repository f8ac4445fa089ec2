package spec

import (
	"fmt"
	"regexp"

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
