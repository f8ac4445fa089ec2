package runner

import (
	"context"
	"io/fs"
	"path"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/spec"
)

// loadedSide is one side read: its project and trials, or why not.
type loadedSide struct {
	project *spec.Project
	trials  *sideTrials
	diags   hcl.Diagnostics
	err     error
}

// loadSide loads the specs of one side and expands them into trials.
// cache shares parsed files with the other side's load.
func loadSide(ctx context.Context, snap gitrepo.Snapshot, vars spec.VarValues, cache *spec.ParseCache, arts ArtifactSource) loadedSide {
	project, diags := spec.Load(gitrepo.FS(snap), spec.LoadOptions{Vars: vars, Cache: cache})
	out := loadedSide{project: project, diags: diags}
	if diags.HasErrors() {
		return out
	}
	trials, d, err := readSide(ctx, snap, project, arts)
	out.trials, out.diags, out.err = trials, append(out.diags, d...), err
	return out
}

// sideTrials is one side's experiments with their trials and inputs.
type sideTrials struct {
	exps   map[string]*spec.Experiment
	trials map[string][]*spec.Trial
	inputs map[string]map[string]*Inputs
}

// readSide expands every experiment of p into trials and fills their
// inputs fingerprints and keys.
func readSide(ctx context.Context, snap gitrepo.Snapshot, p *spec.Project, arts ArtifactSource) (*sideTrials, hcl.Diagnostics, error) {
	r := newInputsReader(snap, p)
	r.lin = newLineage(arts)
	s := &sideTrials{exps: map[string]*spec.Experiment{}, trials: map[string][]*spec.Trial{}, inputs: map[string]map[string]*Inputs{}}
	// Upstream experiments first: their keys decide what artifact() reads.
	exps, diags := orderByLineage(p.Experiments)
	for _, e := range exps {
		if err := ctx.Err(); err != nil {
			return nil, diags, err
		}
		// Fingerprint before expanding where the workdir is known without
		// evaluating (explicit inputs do not depend on it; a literal
		// workdir is the same for every trial), so keys are computed once.
		byWorkdir := map[string]*Inputs{}
		known, ok := staticWorkdir(p, e)
		fp := ""
		if ok {
			in, err := r.read(e, known)
			if err != nil {
				return nil, diags, err
			}
			byWorkdir[known], fp = in, in.Fingerprint
		}
		ts, d := e.Trials(fp)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		ins := map[string]*Inputs{}
		for _, t := range ts {
			wd := t.Workdir
			if e.Inputs != nil && ok {
				wd = known
			}
			in := byWorkdir[wd]
			if in == nil {
				var err error
				if in, err = r.read(e, wd); err != nil {
					return nil, diags, err
				}
				byWorkdir[wd] = in
			}
			ins[in.Fingerprint] = in
			if t.Inputs != in.Fingerprint {
				t.Inputs = in.Fingerprint
				t.ComputeKey()
			}
		}
		s.exps[e.Name], s.trials[e.Name], s.inputs[e.Name] = e, ts, ins
		r.lin.noteTrials(e.Name, ts)
	}
	return s, diags, nil
}

// staticWorkdir is the workdir every trial of e has, when that is known
// without expanding: any workdir for explicit inputs (they ignore it), "."
// without a workdir attribute, or a workdir written as a plain string.
func staticWorkdir(p *spec.Project, e *spec.Experiment) (string, bool) {
	if e.Inputs != nil {
		return ".", true
	}
	loc := e.WorkdirSource()
	if loc == "" {
		return ".", true
	}
	a := attributeAt(p, loc, "workdir")
	if a == nil || len(a.Expr.Variables()) > 0 {
		return "", false
	}
	v, d := a.Expr.Value(nil)
	if d.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	w := path.Clean(v.AsString())
	if !fs.ValidPath(w) {
		return "", false
	}
	return w, true
}
