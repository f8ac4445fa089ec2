package spec

import (
	"fmt"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// MetricsFrom is the metrics_from block: files that training libraries
// already write, read as the trial's metrics beside the metrics file and
// stdout patterns (runner/metrics reads them; docs/metrics.md has the
// formats and how their names map to metric names).
//
//	metrics_from {
//	  tensorboard   = "lightning_logs"        # TensorBoard event files
//	  csv           = "lightning_logs/*/metrics.csv"
//	  trainer_state = "out/**/trainer_state.json"
//	  mlflow        = "mlruns"                # MLflow's local file store
//	}
//
// Each attribute is a glob, or a list of globs, relative to the trial's
// workdir. Like command, they may refer to param.* and seed, so trials
// that run side by side can each read their own directory. They are not
// part of the trial key: where a result is read from does not change it.
type MetricsFrom struct {
	attrs     hcl.Attributes
	ctx       *hcl.EvalContext
	DeclRange hcl.Range
}

// MetricSource is one format of a metrics_from block and the globs that
// find its files.
type MetricSource struct {
	// Format is one of MetricSourceFormats.
	Format string
	Globs  []string
}

// MetricSourceFormats are the attributes of a metrics_from block, in the
// order sources are read.
var MetricSourceFormats = []string{"tensorboard", "csv", "trainer_state", "mlflow"}

var metricsFromSchema = func() *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, f := range MetricSourceFormats {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: f})
	}
	return s
}()

// addMetricsFrom takes a metrics_from block into b.
func (b *body) addMetricsFrom(blk *hcl.Block) hcl.Diagnostics {
	if b.metricsFrom != nil {
		return hcl.Diagnostics{duplicateBlock("metrics_from", b.metricsFromRange, blk.DefRange)}
	}
	c, diags := blk.Body.Content(metricsFromSchema)
	b.metricsFrom, b.metricsFromRange = c.Attributes, blk.DefRange
	return diags
}

// mergeMetricsFrom lays child's metrics_from over base's, attribute by
// attribute, as runner blocks merge.
func mergeMetricsFrom(m, base, child *body) {
	if base.metricsFrom == nil {
		return
	}
	m.metricsFrom = hcl.Attributes{}
	for k, v := range base.metricsFrom {
		m.metricsFrom[k] = v
	}
	for k, v := range child.metricsFrom {
		m.metricsFrom[k] = v
	}
	if child.metricsFrom == nil {
		m.metricsFromRange = base.metricsFromRange
	}
}

// decodeMetricsFrom checks the metrics_from block and the metrics' tags:
// globs that evaluate (with the param defaults and the first seed) to
// valid globs inside the workdir, and tags that name one metric each.
func (e *Experiment) decodeMetricsFrom(b *body, ctx *hcl.EvalContext, params map[string]cty.Value) hcl.Diagnostics {
	var diags hcl.Diagnostics
	tags := map[string]string{}
	// Metrics by name, made once: an experiment may have hundreds.
	var byName map[string]*Metric
	for _, mb := range b.metrics {
		a := mb.attrs["tag"]
		if a == nil {
			continue
		}
		if byName == nil {
			byName = make(map[string]*Metric, len(e.Metrics))
			for _, m := range e.Metrics {
				if byName[m.Name] == nil {
					byName[m.Name] = m
				}
			}
		}
		m := byName[mb.name]
		if m == nil || m.Tag == "" {
			continue
		}
		if other, dup := tags[m.Tag]; dup {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Duplicate metric tag",
				Detail:  fmt.Sprintf("Metrics %q and %q both read tag %q; a tag's points go to one metric.", other, m.Name, m.Tag),
				Subject: a.Expr.Range().Ptr(),
			})
		}
		tags[m.Tag] = m.Name
		if b.metricsFrom == nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning, Summary: "Metric tag without metrics_from",
				Detail:  fmt.Sprintf("Metric %q reads tag %q, but the experiment has no metrics_from block naming the files to read it from, so the tag has no effect.", m.Name, m.Tag),
				Subject: a.NameRange.Ptr(),
			})
		}
	}
	if b.metricsFrom == nil {
		return diags
	}
	if len(b.metricsFrom) == 0 {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError, Summary: "Empty metrics_from",
			Detail:  fmt.Sprintf("metrics_from names no files; set one of %s, such as tensorboard = \"lightning_logs\".", strings.Join(MetricSourceFormats, ", ")),
			Subject: b.metricsFromRange.Ptr(),
		})
	}
	e.MetricsFrom = &MetricsFrom{attrs: b.metricsFrom, ctx: ctx, DeclRange: b.metricsFromRange}
	for _, f := range MetricSourceFormats {
		if a := b.metricsFrom[f]; a != nil {
			diags = append(diags, checkTrialRefs(a, params)...)
		}
	}
	if diags.HasErrors() {
		return diags
	}
	c := e.trialContext(cty.ObjectVal(params), e.Seeds[0])
	if len(params) == 0 {
		c.Variables["param"] = cty.EmptyObjectVal
	}
	_, d := e.MetricsFrom.sources(c)
	return append(diags, d...)
}

// Sources evaluates the block for one trial: the formats it names, in
// the order of MetricSourceFormats, each with its globs.
func (m *MetricsFrom) Sources(t *Trial) ([]MetricSource, hcl.Diagnostics) {
	params := cty.EmptyObjectVal
	if t.ParamsJSON != "" && t.ParamsJSON != "{}" {
		ty, err := ctyjson.ImpliedType([]byte(t.ParamsJSON))
		if err == nil {
			params, err = ctyjson.Unmarshal([]byte(t.ParamsJSON), ty)
		}
		if err != nil {
			return nil, hcl.Diagnostics{{
				Severity: hcl.DiagError, Summary: "Invalid trial params",
				Detail: fmt.Sprintf("The trial's params %s cannot be read back: %s.", t.ParamsJSON, err), Subject: m.DeclRange.Ptr(),
			}}
		}
	}
	ctx := m.ctx.NewChild()
	ctx.Variables = map[string]cty.Value{"param": params, "seed": cty.NumberIntVal(t.Seed)}
	return m.sources(ctx)
}

func (m *MetricsFrom) sources(ctx *hcl.EvalContext) ([]MetricSource, hcl.Diagnostics) {
	var out []MetricSource
	var diags hcl.Diagnostics
	for _, f := range MetricSourceFormats {
		a := m.attrs[f]
		if a == nil {
			continue
		}
		globs, d := evalGlobs(a, ctx)
		diags = append(diags, d...)
		if len(globs) > 0 {
			out = append(out, MetricSource{Format: f, Globs: globs})
		}
	}
	return out, diags
}

// evalGlobs takes one glob or a list of them, each checked.
func evalGlobs(a *hcl.Attribute, ctx *hcl.EvalContext) ([]string, hcl.Diagnostics) {
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return nil, diags
	}
	var globs []string
	if !v.IsNull() && v.Type() == cty.String {
		globs = []string{v.AsString()}
	} else {
		list, ok, d := evalStringList(a, ctx)
		if !ok {
			return nil, append(diags, typeDiag(a, fmt.Sprintf("%s is a glob or a list of globs, relative to the workdir, such as \"lightning_logs\" or [\"runs/**\"].", a.Name)))
		}
		diags = append(diags, d...)
		globs = list
	}
	for _, g := range globs {
		msg := checkRepoGlob(g)
		if msg == "" && !doublestar.ValidatePattern(g) {
			msg = "is not a valid glob"
		}
		if msg != "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Invalid metrics_from glob",
				Detail:  fmt.Sprintf("%s: %q %s; metrics_from globs are relative to the workdir.", a.Name, g, strings.Replace(msg, "repository root", "workdir", 1)),
				Subject: a.Expr.Range().Ptr(),
			})
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return globs, diags
}

// decodeTag reads a metric's tag attribute.
func (m *Metric) decodeTag(a, pattern *hcl.Attribute, ctx *hcl.EvalContext) hcl.Diagnostics {
	s, ok, diags := evalString(a, ctx)
	switch {
	case !ok:
		return diags
	case s == "":
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError, Summary: "Empty metric tag",
			Detail:  "tag names the metric as metrics_from's files know it, such as \"val/acc\"; leave it out to use the metric's name.",
			Subject: a.Expr.Range().Ptr(),
		})
	case pattern != nil:
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError, Summary: "Metric with both pattern and tag",
			Detail:  fmt.Sprintf("Metric %q is read either from stdout (pattern) or from the files of metrics_from (tag), not both.", m.Name),
			Subject: a.NameRange.Ptr(),
		})
	}
	m.Tag = s
	return diags
}
