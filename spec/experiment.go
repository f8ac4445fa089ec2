package spec

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Experiment is an experiment block with everything it extends merged in.
type Experiment struct {
	Name string
	// File is the spec file that declares the experiment, relative to the
	// repository root.
	File string
	// Extends is "template.NAME" or "experiment.NAME", or "".
	Extends     string
	Description string
	Tags        []string
	// SecretEnv names environment variables passed through to the trial
	// from assay's own environment. Their values never enter a key, a
	// record or any output.
	SecretEnv []string
	// PassEnv names variables of assay's environment that look like
	// credentials but are not (a false positive of the runner's filter),
	// so the trial inherits them like any other variable.
	PassEnv []string
	// Inputs are globs of what the trials read; nil means the default (the
	// spec file and workdir/**), which the runner resolves at a commit.
	Inputs []string
	// Params is an object of the experiment's param defaults.
	Params cty.Value
	// Sweep is nil for a single config.
	Sweep *Sweep
	// EarlyStop is nil unless the experiment stops unpromising trials of
	// its search early.
	EarlyStop *EarlyStop
	// Seeds are run for every param point.
	Seeds   []int64
	Runner  Runner
	Metrics []*Metric
	// MetricsFrom is nil when the experiment has no metrics_from block.
	MetricsFrom *MetricsFrom
	// Artifacts are globs, relative to the workdir, of files worth keeping.
	Artifacts []string
	// Schedule is a normalised cron expression, or "" when the experiment
	// is not rerun on a schedule.
	Schedule  string
	DeclRange hcl.Range

	// command, env and workdir may refer to param.* and seed, so they are
	// evaluated per trial.
	command, env, workdir *hcl.Attribute
	ctx                   *hcl.EvalContext
	// trialCount is how many trials the experiment expands to, known
	// without expanding it; 0 when it did not decode cleanly.
	trialCount int
	fastOnce   sync.Once
	fast       *fastCommand
}

// DefaultSeeds are run when an experiment lists no seeds.
var DefaultSeeds = []int64{0}

// reservedEnv are variables assay sets for the run contract; a spec that
// sets them would silently lose its value.
var reservedEnv = regexp.MustCompile(`^(ASSAY_.*|CUDA_VISIBLE_DEVICES)$`)

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// PrimaryMetric is the metric that ranks a sweep's configs: a search's
// objective, else the one marked primary, else the first with a goal,
// else nil.
func (e *Experiment) PrimaryMetric() *Metric {
	if e.Sweep != nil && e.Sweep.Objective != "" {
		if m := e.Metric(e.Sweep.Objective); m != nil {
			return m
		}
	}
	for _, m := range e.Metrics {
		if m.Primary {
			return m
		}
	}
	for _, m := range e.Metrics {
		if m.Goal != "" {
			return m
		}
	}
	return nil
}

// Metric returns the metric named name, or nil.
func (e *Experiment) Metric(name string) *Metric {
	for _, m := range e.Metrics {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// ParamNames are the declared params in sorted order.
func (e *Experiment) ParamNames() []string {
	if e.Params == cty.NilVal || e.Params.IsNull() {
		return nil
	}
	var out []string
	for k := range e.Params.Type().AttributeTypes() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CommandSource is the command as written in the spec, before per-trial
// interpolation; useful for showing what changed.
func (e *Experiment) CommandSource() string { return exprSource(e.command) }

// EnvSource is the env attribute as written, or "".
func (e *Experiment) EnvSource() string { return exprSource(e.env) }

// WorkdirSource is the workdir attribute as written, or "".
func (e *Experiment) WorkdirSource() string { return exprSource(e.workdir) }

// StaticWorkdir is the workdir every trial has, when that is known
// without expanding: "." without a workdir attribute, or the cleaned path
// of a workdir that refers to nothing (no param, seed or variable).
func (e *Experiment) StaticWorkdir() (string, bool) {
	if e.workdir == nil {
		return ".", true
	}
	if len(e.workdir.Expr.Variables()) > 0 {
		return "", false
	}
	v, d := e.workdir.Expr.Value(nil)
	if d.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	w := path.Clean(v.AsString())
	if !fs.ValidPath(w) {
		return "", false
	}
	return w, true
}

func exprSource(a *hcl.Attribute) string {
	if a == nil {
		return ""
	}
	r := a.Expr.Range()
	return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line)
}

// decodeExperiment turns a merged body into an Experiment. partial is set
// for templates, whose required attributes may come from the experiment.
//
// metrics, when set, shares decoded metric lists between the bodies of one
// load that inherit the same list.
func decodeExperiment(b *body, ctx *hcl.EvalContext, partial bool, metrics *metricMemo) (*Experiment, hcl.Diagnostics) {
	e := &Experiment{
		Name: b.name, File: b.file, DeclRange: b.declRange, ctx: ctx,
		Params: cty.EmptyObjectVal, Seeds: DefaultSeeds,
	}
	var diags hcl.Diagnostics
	attrs := b.attrs

	if a := attrs["description"]; a != nil {
		v, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if ok {
			e.Description = v
		}
	}
	if a := attrs["tags"]; a != nil {
		v, ok, d := evalStringList(a, ctx)
		diags = append(diags, d...)
		if ok {
			e.Tags = v
		}
	}
	paramsFailed := false
	if a := attrs["params"]; a != nil {
		v, d := decodeParams(a, ctx)
		diags = append(diags, d...)
		if v != cty.NilVal {
			e.Params = v
		}
		paramsFailed = d.HasErrors()
	}
	paramVals := e.Params.AsValueMap()
	if paramVals == nil {
		paramVals = map[string]cty.Value{}
	}
	if paramsFailed {
		// Which params exist is unknown: say nothing about references to
		// them rather than call each one undeclared.
		paramVals = nil
	}
	if a := attrs["seeds"]; a != nil {
		v, ok, d := evalIntList(a, ctx)
		diags = append(diags, d...)
		if ok {
			diags = append(diags, checkSeeds(a, v)...)
			e.Seeds = v
		}
	}
	// secret_env and pass_env name variables of the runner's environment
	// alike; only what assay does with their values differs.
	for _, env := range []struct {
		attr string
		to   *[]string
	}{{"secret_env", &e.SecretEnv}, {"pass_env", &e.PassEnv}} {
		a := attrs[env.attr]
		if a == nil {
			continue
		}
		v, ok, d := evalStringList(a, ctx)
		diags = append(diags, d...)
		if ok {
			for _, name := range v {
				diags = append(diags, checkEnvName(a, name)...)
				diags = append(diags, checkPassable(a, name)...)
			}
			*env.to = v
		}
	}
	if a := attrs["inputs"]; a != nil {
		v, ok, d := evalStringList(a, ctx)
		diags = append(diags, d...)
		if ok {
			for _, g := range v {
				if msg := checkRepoGlob(g); msg != "" {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError, Summary: "Invalid inputs glob",
						Detail: fmt.Sprintf("%q %s.", g, msg), Subject: a.Expr.Range().Ptr(),
					})
				}
			}
			e.Inputs = v
		}
	}
	if a := attrs["artifacts"]; a != nil {
		v, ok, d := evalStringList(a, ctx)
		diags = append(diags, d...)
		if ok {
			for _, g := range v {
				if msg := checkRepoGlob(g); msg != "" {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError, Summary: "Invalid artifacts glob",
						Detail:  fmt.Sprintf("%q %s; artifacts are relative to the workdir.", g, strings.Replace(msg, "repository root", "workdir", 1)),
						Subject: a.Expr.Range().Ptr(),
					})
				}
			}
			e.Artifacts = v
		}
	}
	if a := attrs["schedule"]; a != nil {
		v, ok, d := evalSchedule(a, ctx)
		diags = append(diags, d...)
		if ok {
			e.Schedule = v
		}
	}
	if b.runner != nil {
		r, d := decodeRunnerAttrs(b.runner, ctx)
		diags = append(diags, d...)
		e.Runner = r
	}
	ms, d := metrics.decode(b.metrics, ctx, partial)
	diags = append(diags, d...)
	e.Metrics = ms
	diags = append(diags, e.decodeMetricsFrom(b, ctx, paramVals)...)
	if b.sweep != nil {
		s, d := decodeSweepBlock(b.sweep, paramVals, ctx)
		diags = append(diags, d...)
		e.Sweep = s
	}
	if b.earlyStop != nil {
		es, d := decodeEarlyStopBlock(b.earlyStop, ctx)
		diags = append(diags, d...)
		e.EarlyStop = es
	}

	e.command, e.env, e.workdir = attrs["command"], attrs["env"], attrs["workdir"]
	if e.command == nil && !partial {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing command",
			Detail:   fmt.Sprintf("Experiment %q has no command. Add command = [\"python\", \"train.py\"], or extend a template that has one.", e.Name),
			Subject:  b.labelRange.Ptr(),
		})
	}
	for _, a := range []*hcl.Attribute{e.command, e.env, e.workdir} {
		if a != nil {
			diags = append(diags, checkTrialRefs(a, paramVals)...)
		}
	}
	if !diags.HasErrors() {
		diags = append(diags, e.checkTrialExprs(paramVals)...)
	}
	if !diags.HasErrors() && !partial && (e.Sweep != nil || e.EarlyStop != nil) {
		diags = append(diags, e.checkSearch()...)
	}
	if !diags.HasErrors() && !partial {
		diags = append(diags, e.checkTrialCount(b)...)
	}
	return e, diags
}

func decodeParams(a *hcl.Attribute, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, diags
	}
	if v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		return cty.NilVal, append(diags, typeDiag(a, "params must be an object of param defaults, such as { lr = 0.1, batch_size = 128 }."))
	}
	m := v.AsValueMap()
	for _, name := range keysOf(m) {
		if !envName.MatchString(name) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Invalid param name",
				Detail:  fmt.Sprintf("%q is not a valid param name: use letters, digits and underscores, starting with a letter or underscore, so it can be written ${param.%s}.", name, name),
				Subject: a.Expr.Range().Ptr(),
			})
		}
		if msg := checkParamValue(m[name]); msg != "" {
			diags = append(diags, typeDiag(a, fmt.Sprintf("Param %q %s.", name, msg)))
		}
	}
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	if len(m) == 0 {
		return cty.EmptyObjectVal, diags
	}
	return normalizeNumbers(cty.ObjectVal(m)), diags
}

func checkSeeds(a *hcl.Attribute, seeds []int64) hcl.Diagnostics {
	if len(seeds) == 0 {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError, Summary: "No seeds",
			Detail: "seeds must list at least one seed; leave it out to run seed 0 only.", Subject: a.Expr.Range().Ptr(),
		}}
	}
	seen := map[int64]bool{}
	for _, s := range seeds {
		if seen[s] {
			return hcl.Diagnostics{{
				Severity: hcl.DiagError, Summary: "Duplicate seed",
				Detail: fmt.Sprintf("Seed %d is listed twice; each seed is one trial.", s), Subject: a.Expr.Range().Ptr(),
			}}
		}
		seen[s] = true
	}
	return nil
}

func checkEnvName(a *hcl.Attribute, name string) hcl.Diagnostics {
	switch {
	case !envName.MatchString(name):
		return hcl.Diagnostics{{
			Severity: hcl.DiagError, Summary: "Invalid environment variable name",
			Detail: fmt.Sprintf("%q is not a valid environment variable name.", name), Subject: a.Expr.Range().Ptr(),
		}}
	case reservedEnv.MatchString(name):
		return hcl.Diagnostics{{
			Severity: hcl.DiagError, Summary: "Reserved environment variable",
			Detail: fmt.Sprintf("assay sets %s itself for every trial (the run contract); choose another name.", name), Subject: a.Expr.Range().Ptr(),
		}}
	}
	return nil
}

// checkTrialRefs reports references to params the experiment does not
// declare, with a suggestion, before any trial is expanded.
func checkTrialRefs(a *hcl.Attribute, params map[string]cty.Value) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, tr := range a.Expr.Variables() {
		if tr.RootName() != "param" {
			continue
		}
		if len(tr) < 2 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Incomplete param reference",
				Detail: "Refer to one param, as param.lr.", Subject: tr.SourceRange().Ptr(),
			})
			continue
		}
		var name string
		switch step := tr[1].(type) {
		case hcl.TraverseAttr:
			name = step.Name
		case hcl.TraverseIndex:
			if step.Key.Type() != cty.String {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError, Summary: "Invalid param reference",
					Detail:  "Params are named, not numbered: refer to one by its name, as param.lr or param[\"lr\"].",
					Subject: tr.SourceRange().Ptr(),
				})
				continue
			}
			name = step.Key.AsString()
		}
		if _, ok := params[name]; !ok && params != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Reference to undeclared param",
				Detail:  fmt.Sprintf("param.%s is not declared in params%s.", name, didYouMean(name, keysOf(params))),
				Subject: tr.SourceRange().Ptr(),
			})
		}
	}
	return diags
}

// checkTrialExprs evaluates command, env and workdir once with the param
// defaults and the first seed, so type errors surface at validate time and
// once, not once per trial.
func (e *Experiment) checkTrialExprs(params map[string]cty.Value) hcl.Diagnostics {
	ctx := e.trialContext(cty.ObjectVal(params), e.Seeds[0])
	if len(params) == 0 {
		ctx.Variables["param"] = cty.EmptyObjectVal
	}
	_, diags := e.evalTrialExprs(ctx)
	return diags
}

func (e *Experiment) checkTrialCount(b *body) hcl.Diagnostics {
	points, limit, rng := 1, DefaultMaxTrials, b.labelRange
	if e.Sweep != nil {
		points, rng = e.Sweep.count(), e.Sweep.DeclRange
		if e.Sweep.MaxTrials > 0 {
			limit = e.Sweep.MaxTrials
		}
	}
	n := points * len(e.Seeds)
	if e.Sweep.Adaptive() {
		// A search runs at most its budget.
		points, n = e.SearchPoints(), e.Sweep.Budget
	}
	if n <= limit {
		e.trialCount = n
		return nil
	}
	hint := "set max_trials in the sweep block if you mean it"
	if e.Sweep != nil && e.Sweep.MaxTrials > 0 {
		hint = "raise max_trials if you mean it"
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Too many trials",
		Detail: fmt.Sprintf("Experiment %q expands to %d trials (%d param points × %d seeds), more than the limit of %d; %s.",
			e.Name, n, points, len(e.Seeds), limit, hint),
		Subject: rng.Ptr(),
	}}
}
