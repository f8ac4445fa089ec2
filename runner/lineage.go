package runner

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/assaylab/assay/spec"
)

// Lineage: an experiment may read another experiment's artifact, with
// inputs = [artifact("pretrain", "out/model.pt")]. At plan time the entry
// resolves, on each side separately, to the file that the newest
// succeeded run of pretrain *whose trial key is one of pretrain's keys at
// that side* kept at that path; the file's SHA-256 enters the inputs
// fingerprint and so the trial key. Retraining pretrain (a new key, then
// a recorded run) therefore changes the downstream keys, and an unchanged
// commit resolves the same way every time. Runs of older keys never
// count: they are what a different pretrain computed.
//
// An upstream with several trials (seeds, a sweep) resolves to the newest
// succeeded run among all of them. An upstream that has no such run yet
// leaves the entry unresolved: the fingerprint says "unresolved", the plan
// warns, and the downstream trials run with that key; once the upstream's
// run is recorded the key changes and they run again with the real file.
// Upstream experiments are read before the experiments that consume them;
// a cycle, an unknown experiment or a malformed entry is an error.

// unresolvedArtifact stands in the fingerprint for an input that named no
// recorded file.
const unresolvedArtifact = "unresolved"

// lineage resolves the artifact() inputs of one side.
type lineage struct {
	source ArtifactSource
	// keys are each experiment's trial keys at this side, as read.
	keys map[string][]string
	// cache holds each entry's resolution.
	cache map[string]ArtifactOrigin
}

func newLineage(source ArtifactSource) *lineage {
	return &lineage{source: source, keys: map[string][]string{}, cache: map[string]ArtifactOrigin{}}
}

// resolve returns what entry a names at this side.
func (l *lineage) resolve(a spec.ArtifactInput) (ArtifactOrigin, error) {
	k := a.String()
	if o, ok := l.cache[k]; ok {
		return o, nil
	}
	o := ArtifactOrigin{Experiment: a.Experiment, Path: a.Path}
	if l.source != nil && len(l.keys[a.Experiment]) > 0 {
		got, ok, err := l.source.LatestArtifact(a.Experiment, l.keys[a.Experiment], a.Path)
		if err != nil {
			return o, fmt.Errorf("resolving %s: %w", k, err)
		}
		if ok {
			o = got
		}
	}
	l.cache[k] = o
	return o, nil
}

// noteTrials records an experiment's keys once its trials are read.
func (l *lineage) noteTrials(name string, ts []*spec.Trial) {
	keys := make([]string, 0, len(ts))
	for _, t := range ts {
		keys = append(keys, t.Key)
	}
	l.keys[name] = keys
}

// artifactInputs returns e's artifact() inputs, and a diagnostic for each
// malformed one.
func artifactInputs(e *spec.Experiment) ([]spec.ArtifactInput, hcl.Diagnostics) {
	var out []spec.ArtifactInput
	var diags hcl.Diagnostics
	for _, g := range e.Inputs {
		a, ok, err := spec.ParseArtifactInput(g)
		if !ok {
			continue
		}
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Invalid artifact input",
				Detail:  fmt.Sprintf("In experiment %q, inputs entry %s", e.Name, err),
				Subject: e.DeclRange.Ptr(),
			})
			continue
		}
		out = append(out, a)
	}
	return out, diags
}

// orderByLineage returns the experiments with every upstream before the
// experiments that read its artifacts, otherwise in their given order.
// Experiments whose artifact inputs are wrong (malformed, unknown
// experiment, a cycle) are left out, with a diagnostic each.
func orderByLineage(exps []*spec.Experiment) ([]*spec.Experiment, hcl.Diagnostics) {
	byName := make(map[string]*spec.Experiment, len(exps))
	deps := map[string][]string{}
	var diags hcl.Diagnostics
	bad := map[string]bool{}
	for _, e := range exps {
		byName[e.Name] = e
	}
	for _, e := range exps {
		ins, d := artifactInputs(e)
		diags = append(diags, d...)
		if d.HasErrors() {
			bad[e.Name] = true
		}
		for _, a := range ins {
			if byName[a.Experiment] == nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError, Summary: "Unknown experiment in artifact input",
					Detail: fmt.Sprintf("Experiment %q reads %s, but there is no experiment %q. Experiments: %s.",
						e.Name, a, a.Experiment, strings.Join(experimentNames(byName), ", ")),
					Subject: e.DeclRange.Ptr(),
				})
				bad[e.Name] = true
				continue
			}
			deps[e.Name] = append(deps[e.Name], a.Experiment)
		}
	}
	if len(deps) == 0 && len(bad) == 0 {
		return exps, diags
	}
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var out []*spec.Experiment
	var visit func(name string, path []string) bool
	visit = func(name string, path []string) bool {
		switch state[name] {
		case done:
			return !bad[name]
		case visiting:
			cycle := append(path[indexOf(path, name):], name)
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Artifact inputs form a cycle",
				Detail:  fmt.Sprintf("Experiments read each other's artifacts in a circle: %s. One of them must not depend on the others.", strings.Join(cycle, " → ")),
				Subject: byName[name].DeclRange.Ptr(),
			})
			bad[name] = true
			return false
		}
		state[name] = visiting
		ok := !bad[name]
		for _, d := range deps[name] {
			if !visit(d, append(path, name)) {
				ok = false
			}
		}
		state[name] = done
		if !ok {
			bad[name] = true
			return false
		}
		out = append(out, byName[name])
		return true
	}
	for _, e := range exps {
		visit(e.Name, nil)
	}
	return out, diags
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return 0
}

func experimentNames(m map[string]*spec.Experiment) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// lockedSource lets both sides of a plan, read at once, share one source.
type lockedSource struct {
	mu  sync.Mutex
	src ArtifactSource
}

func (l *lockedSource) LatestArtifact(experiment string, keys []string, path string) (ArtifactOrigin, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.src.LatestArtifact(experiment, keys, path)
}

// AttachLineage gives each job what its trial's artifact() inputs
// resolved to, so the record says where its inputs came from.
func (p *Plan) AttachLineage(jobs []*Job) {
	for _, j := range jobs {
		e := p.Experiment(j.Trial.Experiment)
		if e == nil {
			continue
		}
		for _, ins := range []map[string]*Inputs{e.HeadInputs, e.BaseInputs} {
			if in := ins[j.Trial.Inputs]; in != nil {
				j.InputArtifacts = in.Artifacts
				break
			}
		}
	}
}

// lineageWarnings are the plan's warnings about artifact inputs that did
// not resolve at the head.
func (p *Plan) lineageWarnings() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, e := range p.Experiments {
		if e.Head == nil {
			continue
		}
		seen := map[string]bool{}
		for _, fp := range sortedKeys(e.HeadInputs) {
			for _, o := range e.HeadInputs[fp].Artifacts {
				k := o.Experiment + "/" + o.Path
				if o.Resolved() || seen[k] {
					continue
				}
				seen[k] = true
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagWarning,
					Summary:  "Artifact input not resolved",
					Detail: fmt.Sprintf("Experiment %q reads %s from experiment %q, but no succeeded run of %q at the head (%s) kept it yet. "+
						"Its trials are keyed with the input unresolved: they run now and run again once %q has a recorded run. "+
						"Run %q first (assay run --experiment %s) to run them once.",
						e.Name, o.Path, o.Experiment, o.Experiment, p.Head, o.Experiment, o.Experiment, o.Experiment),
					Subject: e.Head.DeclRange.Ptr(),
				})
			}
		}
	}
	return diags
}

// diffArtifactInputs lists the artifact() inputs that resolve to another
// file at the head than at the base: Field "inputs.artifact", Path
// "<experiment>/<path>", Base and Head the short SHA-256 or "unresolved".
func diffArtifactInputs(e *ExperimentPlan) []Change {
	side := func(ins map[string]*Inputs) map[string]string {
		m := map[string]string{}
		for _, fp := range sortedKeys(ins) {
			for _, o := range ins[fp].Artifacts {
				v := unresolvedArtifact
				if o.Resolved() {
					v = o.SHA256[:min(12, len(o.SHA256))]
				}
				m[o.Experiment+"/"+o.Path] = v
			}
		}
		return m
	}
	b, h := side(e.BaseInputs), side(e.HeadInputs)
	var out []Change
	for _, k := range unionKeys(b, h) {
		if b[k] != h[k] {
			out = append(out, Change{Field: "inputs.artifact", Path: k, Base: b[k], Head: h[k]})
		}
	}
	return out
}
