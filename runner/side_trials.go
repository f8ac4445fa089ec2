package runner

import (
	"context"

	"github.com/hashicorp/hcl/v2"

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
//
// Expansion is most of the work, and experiments are independent unless
// one reads another's artifact: the others are fingerprinted in turn
// (the reader caches trees), expanded on all cores, then finished in
// turn. Those that read artifacts follow one at a time, upstream first,
// since their upstream's keys decide what artifact() reads.
func readSide(ctx context.Context, snap gitrepo.Snapshot, p *spec.Project, arts ArtifactSource, peer *sideTrials) (*sideTrials, hcl.Diagnostics, error) {
	r := newInputsReader(snap, p)
	r.lin = newLineage(arts)
	s := &sideTrials{exps: map[string]*spec.Experiment{}, trials: map[string][]*spec.Trial{}, inputs: map[string]map[string]*Inputs{}}
	ordered, diags := orderByLineage(p.Experiments)
	var plain, downstream []*expansion
	for _, e := range ordered {
		x := &expansion{e: e, byWorkdir: map[string]*Inputs{}}
		if ins, _ := artifactInputs(e); len(ins) > 0 {
			downstream = append(downstream, x)
		} else {
			plain = append(plain, x)
		}
	}
	// record adds an expanded experiment to the side.
	record := func(x *expansion) error {
		diags = append(diags, x.diags...)
		if x.diags.HasErrors() {
			return nil
		}
		if err := x.finish(r); err != nil {
			return err
		}
		s.exps[x.e.Name], s.trials[x.e.Name], s.inputs[x.e.Name] = x.e, x.trials, x.inputs
		r.lin.noteTrials(x.e.Name, x.trials)
		return nil
	}

	var todo []*expansion
	for _, x := range plain {
		if err := ctx.Err(); err != nil {
			return nil, diags, err
		}
		if err := x.fingerprint(r, peer); err != nil {
			return nil, diags, err
		}
		if !x.reused {
			todo = append(todo, x)
		}
	}
	exps := make([]*spec.Experiment, len(todo))
	fps := make(map[*spec.Experiment]string, len(todo))
	for i, x := range todo {
		exps[i], fps[x.e] = x.e, x.fp
	}
	trials, tdiags := spec.ExpandEach(exps, func(e *spec.Experiment) string { return fps[e] })
	for i, x := range todo {
		x.trials, x.diags = trials[i], tdiags[i]
	}
	for _, x := range plain {
		if err := record(x); err != nil {
			return nil, diags, err
		}
	}

	for _, x := range downstream {
		if err := ctx.Err(); err != nil {
			return nil, diags, err
		}
		if err := x.fingerprint(r, peer); err != nil {
			return nil, diags, err
		}
		if !x.reused {
			x.trials, x.diags = x.e.Trials(x.fp)
		}
		if err := record(x); err != nil {
			return nil, diags, err
		}
	}
	return s, diags, nil
}

// expansion is one experiment on its way to keyed trials.
type expansion struct {
	e *spec.Experiment
	// known is the workdir of every trial, when static says it is known
	// before expanding; fp is then its inputs fingerprint.
	known     string
	static    bool
	fp        string
	byWorkdir map[string]*Inputs
	trials    []*spec.Trial
	diags     hcl.Diagnostics
	inputs    map[string]*Inputs
	// reused: the trials are the other side's (sideTrials.sameTrials).
	reused bool
}

// fingerprint reads the inputs before expanding where the workdir is
// known without evaluating (explicit inputs do not depend on it; a
// literal workdir is the same for every trial), so keys are computed
// once; and takes the other side's trials when they are the same.
func (x *expansion) fingerprint(r *inputsReader, peer *sideTrials) error {
	x.known, x.static = staticWorkdir(x.e)
	if !x.static {
		return nil
	}
	in, err := r.read(x.e, x.known)
	if err != nil {
		return err
	}
	x.byWorkdir[x.known], x.fp = in, in.Fingerprint
	if ts := peer.sameTrials(x.e, x.fp); ts != nil {
		x.trials, x.reused = ts, true
	}
	return nil
}

// finish fills each trial's inputs fingerprint (reading the inputs of
// each workdir once) and recomputes the keys that change.
func (x *expansion) finish(r *inputsReader) error {
	if x.reused {
		x.inputs = map[string]*Inputs{x.fp: x.byWorkdir[x.known]}
		return nil
	}
	x.inputs = map[string]*Inputs{}
	for _, t := range x.trials {
		wd := t.Workdir
		if x.e.Inputs != nil && x.static {
			wd = x.known
		}
		in := x.byWorkdir[wd]
		if in == nil {
			var err error
			if in, err = r.read(x.e, wd); err != nil {
				return err
			}
			x.byWorkdir[wd] = in
		}
		x.inputs[in.Fingerprint] = in
		if t.Inputs != in.Fingerprint {
			t.Inputs = in.Fingerprint
			t.ComputeKey()
		}
	}
	return nil
}

// staticWorkdir is the workdir every trial of e has, when that is known
// without expanding: any workdir for explicit inputs (they ignore it),
// else what the spec says (Experiment.StaticWorkdir).
func staticWorkdir(e *spec.Experiment) (string, bool) {
	if e.Inputs != nil {
		return ".", true
	}
	return e.StaticWorkdir()
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
