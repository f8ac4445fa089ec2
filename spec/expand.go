package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"
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
	if e.Sweep.Method == "random" {
		return e.randomPoints(base)
	}
	return e.gridPoints(base)
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

// randomPoints draws Samples points from a PCG generator seeded by the
// sweep's seed. Only the generator's raw 64-bit output is used, and the
// mapping to each distribution is written out here, so the points depend on
// nothing that a Go release could change.
func (e *Experiment) randomPoints(base map[string]cty.Value) []cty.Value {
	src := rand.NewPCG(uint64(e.Sweep.Seed), 0x6173736179) // "assay"
	unit := func() float64 { return float64(src.Uint64()>>11) / (1 << 53) }
	out := make([]cty.Value, 0, e.Sweep.Samples)
	for range e.Sweep.Samples {
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

type trialExprs struct {
	command []string
	env     map[string]string
	workdir string
}

func (e *Experiment) evalTrialExprs(ctx *hcl.EvalContext) (trialExprs, hcl.Diagnostics) {
	out := trialExprs{workdir: "."}
	var diags hcl.Diagnostics
	if a := e.command; a != nil {
		cmd, d := evalCommand(a, ctx)
		diags = append(diags, d...)
		out.command = cmd
	}
	if a := e.env; a != nil {
		env, ok, d := evalStringMap(a, ctx)
		diags = append(diags, d...)
		if ok {
			for _, k := range keysOf(env) {
				diags = append(diags, checkEnvName(a, k)...)
				for _, s := range e.SecretEnv {
					if s == k {
						diags = append(diags, &hcl.Diagnostic{
							Severity: hcl.DiagError, Summary: "Secret set in env",
							Detail:  fmt.Sprintf("%s is listed in secret_env, so its value comes from the environment; it may not also be set in env.", k),
							Subject: a.Expr.Range().Ptr(),
						})
					}
				}
			}
			out.env = env
		}
	}
	if a := e.workdir; a != nil {
		w, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if ok {
			clean, err := repoPath(w)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError, Summary: "Invalid workdir",
					Detail: err.Error() + ".", Subject: a.Expr.Range().Ptr(),
				})
			} else {
				out.workdir = clean
			}
		}
	}
	return out, diags
}

// evalCommand accepts a list of arguments, run as is, or one string, run
// by sh -c for users who want pipes and redirections.
func evalCommand(a *hcl.Attribute, ctx *hcl.EvalContext) ([]string, hcl.Diagnostics) {
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return nil, diags
	}
	if v.IsNull() {
		return nil, append(diags, typeDiag(a, "command is a list of arguments, such as [\"python\", \"train.py\"], or a shell command string."))
	}
	if v.Type() == cty.String {
		if v.AsString() == "" {
			return nil, append(diags, emptyCommand(a))
		}
		return []string{"sh", "-c", v.AsString()}, diags
	}
	lv, err := convert.Convert(v, cty.List(cty.String))
	if err != nil || lv.IsNull() {
		return nil, append(diags, typeDiag(a, "command is a list of arguments, such as [\"python\", \"train.py\"], or a shell command string."))
	}
	if lv.LengthInt() == 0 {
		return nil, append(diags, emptyCommand(a))
	}
	out := make([]string, 0, lv.LengthInt())
	for it := lv.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() {
			return nil, append(diags, typeDiag(a, "command arguments may not be null."))
		}
		out = append(out, ev.AsString())
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
// inputs fingerprint, and computes their keys.
func (e *Experiment) Trials(inputs string) ([]*Trial, hcl.Diagnostics) {
	points := e.Points()
	out := make([]*Trial, 0, len(points)*len(e.Seeds))
	labels := sortedUnique(e.Runner.Labels)
	secret := sortedUnique(e.SecretEnv)
	runner := e.Runner
	runner.Labels = labels
	for ci, point := range points {
		pj, err := ctyjson.Marshal(point, point.Type())
		if err != nil {
			return nil, hcl.Diagnostics{{
				Severity: hcl.DiagError, Summary: "Cannot encode params",
				Detail: err.Error(), Subject: e.DeclRange.Ptr(),
			}}
		}
		var params map[string]any
		if err := json.Unmarshal(pj, &params); err != nil {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot encode params", Detail: err.Error(), Subject: e.DeclRange.Ptr()}}
		}
		for _, seed := range e.Seeds {
			x, diags := e.evalTrialExprs(e.trialContext(point, seed))
			if diags.HasErrors() {
				return nil, diags
			}
			t := &Trial{
				Experiment: e.Name,
				Index:      len(out),
				Config:     ci,
				Params:     params,
				ParamsJSON: string(pj),
				Seed:       seed,
				Command:    x.command,
				Env:        x.env,
				SecretEnv:  secret,
				Workdir:    x.workdir,
				Runner:     runner,
				Inputs:     inputs,
			}
			t.ComputeKey()
			out = append(out, t)
		}
	}
	return out, nil
}
