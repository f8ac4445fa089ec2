package spec

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Points returns the experiment's param points in their deterministic
// order: the params object with each sweep point laid over it.
func (e *Experiment) Points() []cty.Value {
	base := e.Params.AsValueMap()
	if base == nil {
		base = map[string]cty.Value{}
	}
	if e.Sweep == nil || len(e.Sweep.Params) == 0 {
		return []cty.Value{objectOrEmpty(base)}
	}
	switch e.Sweep.Method {
	case "random":
		return e.randomPoints(base, e.Sweep.Samples)
	case "tpe":
		// What a search proposes later depends on results; what it starts
		// with does not: its startup points, drawn as a random sweep
		// with the same seed draws them, with real values kept to the 6
		// significant digits of every proposal (runner/search).
		return roundPoints(e.randomPoints(base, e.startupPoints()), e.Sweep)
	}
	return e.gridPoints(base)
}

// SweepPoint is the param point of a search's proposal: the params object
// with values laid over it.
func (e *Experiment) SweepPoint(values map[string]cty.Value) cty.Value {
	m := e.Params.AsValueMap()
	if m == nil {
		m = map[string]cty.Value{}
	}
	for k, v := range values {
		m[k] = normalizeNumbers(v)
	}
	return objectOrEmpty(m)
}

func objectOrEmpty(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

func (e *Experiment) gridPoints(base map[string]cty.Value) []cty.Value {
	ps := e.Sweep.Params
	idx := make([]int, len(ps))
	out := make([]cty.Value, 0, e.Sweep.count())
	for {
		m := make(map[string]cty.Value, len(base))
		for k, v := range base {
			m[k] = v
		}
		for i, p := range ps {
			m[p.Name] = p.Values[idx[i]]
		}
		out = append(out, cty.ObjectVal(m))
		// Odometer: the last sweep param varies fastest.
		i := len(ps) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(ps[i].Values) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return out
		}
	}
}

// randomPoints draws n points from a PCG generator seeded by the sweep's
// seed. Only the generator's raw 64-bit output is used, and the mapping to
// each distribution is written out here, so the points depend on nothing
// that a Go release could change.
func (e *Experiment) randomPoints(base map[string]cty.Value, n int) []cty.Value {
	src := rand.NewPCG(uint64(e.Sweep.Seed), 0x6173736179) // "assay"
	unit := func() float64 { return float64(src.Uint64()>>11) / (1 << 53) }
	out := make([]cty.Value, 0, n)
	for range n {
		m := make(map[string]cty.Value, len(base))
		for k, v := range base {
			m[k] = v
		}
		for _, p := range e.Sweep.Params {
			u := unit()
			switch p.Distribution {
			case "values":
				m[p.Name] = p.Values[min(int(u*float64(len(p.Values))), len(p.Values)-1)]
			case "uniform":
				m[p.Name] = cty.NumberFloatVal(p.Min + u*(p.Max-p.Min))
			case "log_uniform":
				lo, hi := math.Log(p.Min), math.Log(p.Max)
				m[p.Name] = cty.NumberFloatVal(math.Exp(lo + u*(hi-lo)))
			case "int_uniform":
				n := math.Floor(p.Min + u*(p.Max-p.Min+1))
				m[p.Name] = cty.NumberIntVal(int64(min(n, p.Max)))
			}
		}
		out = append(out, cty.ObjectVal(m))
	}
	return out
}

// trialContext is the evaluation context of one trial's command, env and
// workdir: the spec's variables and locals plus param and seed.
func (e *Experiment) trialContext(params cty.Value, seed int64) *hcl.EvalContext {
	ctx := e.ctx.NewChild()
	ctx.Variables = map[string]cty.Value{
		"param": params,
		"seed":  cty.NumberIntVal(seed),
	}
	return ctx
}

// exprScope is how often a trial expression has to be evaluated: an
// expression that mentions neither param nor seed has one value for the
// whole experiment, one that mentions only param has one per config.
// Expanding 100,000 trials spends most of its time in HCL evaluation, so
// evaluating each expression no more often than it can change matters.
type exprScope int

const (
	scopeExperiment exprScope = iota
	scopeConfig
	scopeTrial
)

func scopeOf(a *hcl.Attribute) exprScope {
	if a == nil {
		return scopeExperiment
	}
	s := scopeExperiment
	for _, tr := range a.Expr.Variables() {
		switch tr.RootName() {
		case "seed":
			return scopeTrial
		case "param":
			s = scopeConfig
		}
	}
	return s
}

type trialExprs struct {
	command []string
	env     map[string]string
	workdir string
}

func (e *Experiment) evalTrialExprs(ctx *hcl.EvalContext) (trialExprs, hcl.Diagnostics) {
	var out trialExprs
	var diags hcl.Diagnostics
	out.command, diags = e.evalCommandAttr(ctx)
	env, d := e.evalEnvAttr(ctx)
	diags = append(diags, d...)
	out.env = env
	w, d := e.evalWorkdirAttr(ctx)
	diags = append(diags, d...)
	out.workdir = w
	return out, diags
}

func (e *Experiment) evalCommandAttr(ctx *hcl.EvalContext) ([]string, hcl.Diagnostics) {
	if e.command == nil {
		return nil, nil
	}
	e.fastOnce.Do(func() { e.fast = compileFastCommand(e.command) })
	if e.fast != nil {
		if cmd, ok := e.fast.eval(ctx); ok {
			return cmd, nil
		}
	}
	return evalCommand(e.command, ctx)
}

func (e *Experiment) evalEnvAttr(ctx *hcl.EvalContext) (map[string]string, hcl.Diagnostics) {
	a := e.env
	if a == nil {
		return nil, nil
	}
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return nil, diags
	}
	t := v.Type()
	if v.IsNull() || !(t.IsObjectType() || t.IsMapType()) {
		return nil, append(diags, typeDiag(a, "env is a map of strings, such as { DATASET = \"cifar10\" }."))
	}
	env := make(map[string]string, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		s, ok := primitiveString(ev)
		if !ok {
			return nil, append(diags, typeDiag(a, fmt.Sprintf("env value %s must be a string, number or bool.", k.AsString())))
		}
		name := k.AsString()
		diags = append(diags, checkEnvName(a, name)...)
		for _, sec := range e.SecretEnv {
			if sec == name {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError, Summary: "Secret set in env",
					Detail:  fmt.Sprintf("%s is listed in secret_env, so its value comes from the environment; it may not also be set in env.", name),
					Subject: a.Expr.Range().Ptr(),
				})
			}
		}
		env[name] = s
	}
	return env, diags
}

func (e *Experiment) evalWorkdirAttr(ctx *hcl.EvalContext) (string, hcl.Diagnostics) {
	a := e.workdir
	if a == nil {
		return ".", nil
	}
	w, ok, diags := evalString(a, ctx)
	if !ok {
		return ".", diags
	}
	clean, err := repoPath(w)
	if err != nil {
		return ".", append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError, Summary: "Invalid workdir",
			Detail: err.Error() + ".", Subject: a.Expr.Range().Ptr(),
		})
	}
	return clean, diags
}

// primitiveString renders a string, number or bool as HCL interpolation
// would.
func primitiveString(v cty.Value) (string, bool) {
	if v.IsNull() || !v.IsKnown() {
		return "", false
	}
	switch v.Type() {
	case cty.String:
		return v.AsString(), true
	case cty.Number:
		return numberText(v.AsBigFloat()), true
	case cty.Bool:
		return strconv.FormatBool(v.True()), true
	}
	return "", false
}

// evalCommand accepts a list of arguments, run as is, or one string, run
// by sh -c for users who want pipes and redirections.
func evalCommand(a *hcl.Attribute, ctx *hcl.EvalContext) ([]string, hcl.Diagnostics) {
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return nil, diags
	}
	bad := func() hcl.Diagnostics {
		return append(diags, typeDiag(a, "command is a list of arguments, such as [\"python\", \"train.py\"], or a shell command string."))
	}
	if v.IsNull() {
		return nil, bad()
	}
	t := v.Type()
	if t == cty.String {
		if v.AsString() == "" {
			return nil, append(diags, emptyCommand(a))
		}
		return []string{"sh", "-c", v.AsString()}, diags
	}
	if !(t.IsListType() || t.IsTupleType()) {
		return nil, bad()
	}
	if v.LengthInt() == 0 {
		return nil, append(diags, emptyCommand(a))
	}
	out := make([]string, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		s, ok := primitiveString(ev)
		if !ok {
			return nil, append(diags, typeDiag(a, "command arguments must be strings, numbers or bools, and not null."))
		}
		out = append(out, s)
	}
	if out[0] == "" {
		return nil, append(diags, emptyCommand(a))
	}
	return out, diags
}

func emptyCommand(a *hcl.Attribute) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Empty command",
		Detail:   "command must name a program to run, such as [\"python\", \"train.py\"].",
		Subject:  a.Expr.Range().Ptr(),
	}
}

// Trials expands the experiment into its trials, with inputs as their
// inputs fingerprint, and computes their keys. A search expands to the
// trials its spec alone decides (Points); the runner adds those it
// proposes from results with TrialsAt.
func (e *Experiment) Trials(inputs string) ([]*Trial, hcl.Diagnostics) {
	return e.TrialsAt(e.Points(), inputs)
}

// TrialsAt expands the given param points (as Points or SweepPoint make
// them), each with every seed, into keyed trials numbered from 0.
func (e *Experiment) TrialsAt(points []cty.Value, inputs string) ([]*Trial, hcl.Diagnostics) {
	out := make([]*Trial, 0, len(points)*len(e.Seeds))
	labels := sortedUnique(e.Runner.Labels)
	secret := sortedUnique(e.SecretEnv)
	pass := sortedUnique(e.PassEnv)
	runner := e.Runner
	runner.Labels = labels
	cmdScope, envScope, wdScope := scopeOf(e.command), scopeOf(e.env), scopeOf(e.workdir)
	// A seed that is only interpolated is filled in by string replacement
	// after a once-per-config evaluation (see seed_sentinel.go).
	cmdSentinel := cmdScope == scopeTrial && seedOnlyInterpolated(e.command)
	envSentinel := envScope == scopeTrial && seedOnlyInterpolated(e.env)
	if cmdSentinel {
		cmdScope = scopeConfig
	}
	if envSentinel {
		envScope = scopeConfig
	}
	sentinelCtx := cmdSentinel || envSentinel

	var (
		command []string
		env     map[string]string
		workdir = "."
		diags   hcl.Diagnostics
		buf     bytes.Buffer
	)
	// eval evaluates the expressions whose scope is within [lo, hi].
	eval := func(ctx *hcl.EvalContext, lo, hi exprScope) bool {
		var d hcl.Diagnostics
		if cmdScope >= lo && cmdScope <= hi {
			command, d = e.evalCommandAttr(ctx)
			diags = append(diags, d...)
		}
		if envScope >= lo && envScope <= hi {
			env, d = e.evalEnvAttr(ctx)
			diags = append(diags, d...)
		}
		if wdScope >= lo && wdScope <= hi {
			workdir, d = e.evalWorkdirAttr(ctx)
			diags = append(diags, d...)
		}
		return !diags.HasErrors()
	}
	perTrial := cmdScope == scopeTrial || envScope == scopeTrial || wdScope == scopeTrial
	for ci, point := range points {
		buf.Reset()
		canonicalJSON(&buf, point)
		pj := buf.String()
		params, _ := goValue(point).(map[string]any)
		lo := scopeConfig
		if ci == 0 {
			lo = scopeExperiment
		}
		ctx := e.trialContext(point, e.Seeds[0])
		if sentinelCtx {
			ctx.Variables["seed"] = seedSentinelVal
		}
		if !eval(ctx, lo, scopeConfig) {
			return nil, diags
		}
		for _, seed := range e.Seeds {
			if perTrial && !eval(e.trialContext(point, seed), scopeTrial, scopeTrial) {
				return nil, diags
			}
			cmd, ev := command, env
			if cmdSentinel || envSentinel {
				st := seedText(seed)
				if cmdSentinel {
					cmd = withSeed(command, st)
				}
				if envSentinel {
					ev = envWithSeed(env, st)
				}
			}
			t := &Trial{
				Experiment: e.Name,
				Index:      len(out),
				Config:     ci,
				Params:     params,
				ParamsJSON: pj,
				Seed:       seed,
				Command:    cmd,
				Env:        ev,
				SecretEnv:  secret,
				PassEnv:    pass,
				Workdir:    workdir,
				Runner:     runner,
				Inputs:     inputs,
			}
			t.ComputeKey()
			out = append(out, t)
		}
	}
	return out, nil
}
