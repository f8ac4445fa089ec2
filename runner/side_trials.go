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

// loadSpecs loads the specs of one side. cache shares parsed files and
// decoded experiments with the other side's load.
func loadSpecs(snap gitrepo.Snapshot, vars spec.VarValues, cache *spec.ParseCache) *loadedSide {
	project, diags := spec.Load(gitrepo.FS(snap), spec.LoadOptions{Vars: vars, Cache: cache})
	return &loadedSide{project: project, diags: diags}
}

// failed reports whether the side cannot be planned.
func (s *loadedSide) failed() bool { return s.err != nil || s.diags.HasErrors() }

// expand expands the side's experiments into trials. peer is the other
// side, already expanded, or nil: an experiment that decoded to the very
// same Experiment there, with the same inputs, has the same trials.
func (s *loadedSide) expand(ctx context.Context, snap gitrepo.Snapshot, arts ArtifactSource, peer *sideTrials) {
	if s.failed() {
		return
	}
	trials, d, err := readSide(ctx, snap, s.project, arts, peer)
	s.trials, s.diags, s.err = trials, append(s.diags, d...), err
}

// sideTrials is one side's experiments with their trials and inputs.
type sideTrials struct {
	exps   map[string]*spec.Experiment
	trials map[string][]*spec.Trial
	inputs map[string]map[string]*Inputs
}

// readSide expands every experiment of p into trials and fills their
// inputs fingerprints and keys.
func readSide(ctx context.Context, snap gitrepo.Snapshot, p *spec.Project, arts ArtifactSource, peer *sideTrials) (*sideTrials, hcl.Diagnostics, error) {
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
		if ts := peer.sameTrials(e, fp); ts != nil {
			s.exps[e.Name], s.trials[e.Name], s.inputs[e.Name] = e, ts, map[string]*Inputs{fp: byWorkdir[known]}
			r.lin.noteTrials(e.Name, ts)
			continue
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

// sameTrials returns the trials s expanded for e when they are e's trials
// with inputs fingerprint fp too, else nil: s holds the very same
// Experiment (decoded once for both sides), and its trials all read
// inputs fp. Trials are only read once expanded, so sides may share them.
func (s *sideTrials) sameTrials(e *spec.Experiment, fp string) []*spec.Trial {
	if s == nil || fp == "" || s.exps[e.Name] != e {
		return nil
	}
	ins := s.inputs[e.Name]
	if len(ins) != 1 || ins[fp] == nil {
		return nil
	}
	return s.trials[e.Name]
}
