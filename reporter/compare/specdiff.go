package compare

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/assaylab/assay/spec"
)

// DiffSpecs lists what changed between two sides of an experiment: params,
// sweep, seeds, the resolved command, env and workdir, runner, inputs and
// metric settings. The plan computes its own diff; this one stands in
// when the caller has none. It returns an empty list when either side is
// absent: the status says it all.
func DiffSpecs(base, head *SideInput) []Change {
	out := []Change{}
	if base == nil || head == nil || base.Spec == nil || head.Spec == nil {
		return out
	}
	b, h := base.Spec, head.Spec
	add := func(field, bv, hv string) {
		if bv != hv {
			out = append(out, Change{Field: field, Base: bv, Head: hv})
		}
	}
	bp, hp := objectFields(b.Params), objectFields(h.Params)
	for _, k := range unionKeys(bp, hp) {
		add("params."+k, bp[k], hp[k])
	}
	add("sweep.method", sweepMethod(b.Sweep), sweepMethod(h.Sweep))
	bs, hs := sweepFields(b.Sweep), sweepFields(h.Sweep)
	for _, k := range unionKeys(bs, hs) {
		add("sweep."+k, bs[k], hs[k])
	}
	add("seeds", jsonString(b.Seeds), jsonString(h.Seeds))

	if bt, ht := matchingTrials(base.Trials, head.Trials); bt != nil {
		add("command", strings.Join(bt.Command, " "), strings.Join(ht.Command, " "))
		for _, k := range unionKeys(bt.Env, ht.Env) {
			add("env."+k, bt.Env[k], ht.Env[k])
		}
		add("workdir", bt.Workdir, ht.Workdir)
	}
	add("secret_env", strings.Join(sortedCopy(b.SecretEnv), ","), strings.Join(sortedCopy(h.SecretEnv), ","))
	add("runner.labels", strings.Join(sortedCopy(b.Runner.Labels), ","), strings.Join(sortedCopy(h.Runner.Labels), ","))
	add("runner.gpus", fmt.Sprint(b.Runner.GPUs), fmt.Sprint(h.Runner.GPUs))
	add("runner.timeout", durationString(b.Runner), durationString(h.Runner))
	add("runner.retries", fmt.Sprint(b.Runner.Retries), fmt.Sprint(h.Runner.Retries))
	add("inputs", strings.Join(b.Inputs, ", "), strings.Join(h.Inputs, ", "))
	add("inputs.fingerprint", firstInputs(base.Trials), firstInputs(head.Trials))

	bm, hm := metricFields(b), metricFields(h)
	for _, k := range unionKeys(bm, hm) {
		add("metric."+k, bm[k], hm[k])
	}
	return out
}

// matchingTrials finds a trial at each side with the same params and
// seed, so a difference in their command or env is a change of the spec
// and not of a param the command interpolates.
func matchingTrials(base, head []*spec.Trial) (*spec.Trial, *spec.Trial) {
	type id struct {
		params string
		seed   int64
	}
	byID := map[id]*spec.Trial{}
	for _, t := range base {
		byID[id{t.ParamsJSON, t.Seed}] = t
	}
	for _, t := range head {
		if b := byID[id{t.ParamsJSON, t.Seed}]; b != nil {
			return b, t
		}
	}
	return nil, nil
}

func firstInputs(ts []*spec.Trial) string {
	if len(ts) == 0 {
		return ""
	}
	in := ts[0].Inputs
	if len(in) > 12 {
		in = in[:12]
	}
	return in
}

func objectFields(v cty.Value) map[string]string {
	out := map[string]string{}
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		return out
	}
	for k, ev := range v.AsValueMap() {
		out[k] = ctyString(ev)
	}
	return out
}

func ctyString(v cty.Value) string {
	if v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
		return v.AsString()
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return v.GoString()
	}
	return string(b)
}

func sweepMethod(s *spec.Sweep) string {
	if s == nil {
		return ""
	}
	return s.Method
}

func sweepFields(s *spec.Sweep) map[string]string {
	out := map[string]string{}
	if s == nil {
		return out
	}
	if s.Method == "random" {
		out["samples"] = fmt.Sprint(s.Samples)
		out["seed"] = fmt.Sprint(s.Seed)
	}
	for _, p := range s.Params {
		if p.Distribution == "values" || p.Distribution == "" {
			vals := make([]string, len(p.Values))
			for i, v := range p.Values {
				vals[i] = ctyString(v)
			}
			out["param."+p.Name] = "[" + strings.Join(vals, ", ") + "]"
			continue
		}
		out["param."+p.Name] = fmt.Sprintf("%s(%s, %s)", p.Distribution, formatFloat(p.Min), formatFloat(p.Max))
	}
	return out
}

func metricFields(e *spec.Experiment) map[string]string {
	out := map[string]string{}
	primary := e.PrimaryMetric()
	for _, m := range e.Metrics {
		out[m.Name] = "declared"
		out[m.Name+".goal"] = m.Goal
		out[m.Name+".summary"] = m.Summary
		out[m.Name+".tolerance"] = formatFloat(m.Tolerance)
		if m == primary {
			out[m.Name+".primary"] = "true"
		}
	}
	return out
}

func durationString(r spec.Runner) string {
	if r.Timeout == 0 {
		return ""
	}
	return r.Timeout.String()
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func unionKeys(a, b map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]string{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
