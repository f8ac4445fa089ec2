package runner

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/hashicorp/hcl/v2"

	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/spec"
)

// PlanOptions say what to compare and what to select. The zero value
// plans the working tree against the merge-base of HEAD with the default
// branch, selecting the experiments that changed.
type PlanOptions struct {
	// ProjectDir is the absolute path of the project (the directory of
	// assay.hcl). It may be a sub-directory of the repository.
	ProjectDir string
	// Base and Head are revisions as git rev-parse takes them. Head ""
	// is the working tree, uncommitted edits included; Base "" is the
	// merge-base of the head with the default branch. Inside a GitHub
	// Actions pull_request run, both default to the pull request's.
	Base, Head string
	// Getenv reads GITHUB_EVENT_NAME and GITHUB_EVENT_PATH; nil ignores
	// the environment.
	Getenv func(string) string
	// All selects every experiment at head, changed or not. The base is
	// then read only when it can be found, to show what changed.
	All bool
	// Scheduled selects the experiments that carry a schedule and reruns
	// them whatever is recorded (the nightly run).
	Scheduled bool
	// Rerun runs selected trials even when a run of their key is recorded.
	Rerun bool
	// WithBaseline also selects the base side: the base commit's trials
	// of modified and removed experiments (with All, of every experiment
	// at the base) that the head does not select too. Those without a
	// succeeded run are to run beside the head's, from the base commit's
	// files, so a comparison has both sides (baseline.go). It needs a base
	// commit whose specs load; --scheduled plans have no base side.
	WithBaseline bool
	// Experiments narrows the plan to experiments whose names match one of
	// these globs (path.Match syntax, plus **). Empty means all.
	Experiments []string
	// Vars are the spec variables, applied to both sides.
	Vars spec.VarValues
	// Recorded says which trial keys already have a succeeded run; nil
	// knows of none.
	Recorded Recorded
	// History replays searches (plan_rounds.go); nil knows of no results,
	// so a search plans its first round.
	History History
	// Artifacts resolves artifact() inputs (lineage.go); nil resolves
	// none, so such inputs count as unresolved.
	Artifacts ArtifactSource
	// Estimate guesses how long a trial takes, for balancing shards; 0
	// means unknown. nil knows nothing, and every trial weighs the same.
	// Plan and run must use the same estimates for a shard to mean the
	// same trials, so derive them from history older than the plan.
	Estimate func(*spec.Trial) time.Duration
}

// Plan is what a change touches: for every experiment at either side,
// whether and how it changed, and the trials to run.
type Plan struct {
	Base, Head Side
	// BaseProject is nil when the plan has no base (SideNone) or the
	// base's specs could not be read. HeadProject is always set.
	BaseProject, HeadProject *spec.Project
	// Experiments are sorted by name: every experiment at base or head
	// that the --experiment globs let through.
	Experiments []*ExperimentPlan
	// Warnings are problems that did not stop the plan: a base that could
	// not be read, inputs that match nothing.
	Warnings hcl.Diagnostics
	// Options are the options the plan was built with.
	Options PlanOptions
	// OnlyShard is "i/n" once KeepShard narrowed the plan to one shard,
	// else "".
	OnlyShard string

	estimates map[*spec.Trial]time.Duration
}

// ExperimentStatus says how an experiment differs between base and head.
type ExperimentStatus string

// The statuses. An experiment changed iff its set of trial keys differs
// between base and head; a renamed experiment is one removed and one added.
const (
	ExperimentAdded     ExperimentStatus = "added"
	ExperimentModified  ExperimentStatus = "modified"
	ExperimentRemoved   ExperimentStatus = "removed"
	ExperimentUnchanged ExperimentStatus = "unchanged"
)

// ExperimentPlan is one experiment's part of a plan.
type ExperimentPlan struct {
	Name   string
	Status ExperimentStatus
	// Base and Head are the experiment at each side; nil where absent.
	Base, Head *spec.Experiment
	// BaseTrials and HeadTrials are every trial at each side, keys
	// computed with that side's inputs fingerprint.
	BaseTrials, HeadTrials []*spec.Trial
	// BaseInputs and HeadInputs are what each side's trials read, by
	// fingerprint (one per distinct workdir).
	BaseInputs, HeadInputs map[string]*Inputs
	// Changes is the semantic diff of a modified experiment: what in the
	// spec or its inputs changed. Empty for other statuses.
	Changes []Change
	// Selected: the experiment's head trials are candidates to run
	// (it was added or modified, or --all, or --scheduled with a schedule).
	Selected bool
	// ToRun are the selected head trials to run; Reused those whose key
	// already has a succeeded run. Both keep trial order.
	ToRun, Reused []*spec.Trial
	// BaseSelected are the base side's candidates (PlanOptions.WithBaseline),
	// BaseToRun those to run and BaseReused those with a succeeded run; all
	// keep trial order, and none shares a key with the selected head trials.
	BaseSelected, BaseToRun, BaseReused []*spec.Trial
	// Search and BaseSearch are the searches replayed at each side, nil
	// for an experiment that is no search. A search's trials are those of
	// its rounds so far; ToRun is what its next round still has to run,
	// Reused what has settled.
	Search, BaseSearch *Search
}

// Experiment is the head's experiment, or the base's when it was removed.
func (e *ExperimentPlan) Experiment() *spec.Experiment {
	if e.Head != nil {
		return e.Head
	}
	return e.Base
}

// File is the spec file that declares the experiment (at head, or at base
// when removed).
func (e *ExperimentPlan) File() string { return e.Experiment().File }

// BuildPlan reads the specs at base and head, fingerprints each
// experiment's inputs, compares trial keys, and selects trials to run.
//
// repo may be nil when ProjectDir is not in a git repository; then only
// the working tree can be read, so only --all and --scheduled plans work.
// Spec problems at head come back as diagnostics (with the Plan, whose
// HeadProject holds the files for printing them); git problems and
// invalid options come back as an error that says what to do.
func BuildPlan(ctx context.Context, repo *gitrepo.Repo, opts PlanOptions) (*Plan, hcl.Diagnostics, error) {
	for _, g := range opts.Experiments {
		if !doublestar.ValidatePattern(g) {
			return nil, nil, fmt.Errorf("--experiment %q is not a valid glob", g)
		}
	}
	baseOptional := opts.All || opts.Scheduled
	p := &Plan{Options: opts}
	var baseSnap, headSnap gitrepo.Snapshot
	if repo == nil {
		if !baseOptional || opts.Base != "" || opts.Head != "" {
			return nil, nil, fmt.Errorf("%s is not inside a git repository, so there are no commits to compare; "+
				"run assay plan in your repository, or plan every experiment of these files with --all: %w", opts.ProjectDir, gitrepo.ErrNotRepository)
		}
		s, err := gitrepo.Worktree(opts.ProjectDir)
		if err != nil {
			return nil, nil, err
		}
		p.Base, p.Head, headSnap = Side{Kind: SideNone, Source: "none"}, Side{Kind: SideWorktree, Source: "working-tree"}, s
	} else {
		prefix, err := projectPrefix(repo, opts.ProjectDir)
		if err != nil {
			return nil, nil, err
		}
		p.Base, p.Head, err = resolveSides(repo, sideRequest{base: opts.Base, head: opts.Head, getenv: opts.Getenv, baseOptional: baseOptional})
		if err != nil {
			return nil, nil, err
		}
		if headSnap, err = openSide(repo, p.Head, prefix); err != nil {
			return nil, nil, err
		}
		if p.Base.Kind != SideNone {
			if baseSnap, err = openSide(repo, p.Base, prefix); err != nil {
				return nil, nil, err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}

	// The head's specs are read first, then the base's beside the head's
	// expansion into trials. The sides share one cache: most spec files
	// are the same on both, so each is parsed once, and an experiment the
	// same on both is decoded and expanded once (the base reuses the
	// head's trials).
	var (
		cache = spec.NewParseCache()
		arts  ArtifactSource
	)
	if opts.Artifacts != nil {
		arts = &lockedSource{src: opts.Artifacts}
	}
	head := loadSpecs(headSnap, opts.Vars, cache)
	var base *loadedSide
	baseLoaded := make(chan struct{})
	readBase := baseSnap != nil && !head.failed()
	go func() {
		defer close(baseLoaded)
		if readBase {
			base = loadSpecs(baseSnap, opts.Vars, cache)
		}
	}()
	head.expand(ctx, headSnap, arts, nil)
	<-baseLoaded
	if base != nil && !head.failed() {
		base.expand(ctx, baseSnap, arts, head.trials)
	}

	p.HeadProject = head.project
	diags := head.diags
	if head.err != nil {
		return nil, diags, head.err
	}
	if diags.HasErrors() {
		return p, diags, nil
	}
	headSide := head.trials
	var baseSide *sideTrials
	if base != nil {
		switch {
		case base.err != nil:
			return nil, diags, base.err
		case base.diags.HasErrors():
			p.Warnings = append(p.Warnings, unreadableBase(p.Base, base.diags))
		default:
			p.BaseProject, baseSide = base.project, base.trials
		}
	}
	if err := p.compare(baseSide, headSide, baseSnap, headSnap); err != nil {
		return nil, diags, err
	}
	for _, e := range p.Experiments {
		if e.Head == nil {
			continue
		}
		for _, fp := range sortedKeys(e.HeadInputs) {
			for _, g := range e.HeadInputs[fp].Unmatched {
				detail := fmt.Sprintf("In experiment %q, inputs %q matches no file at the head (%s), so changes to what the trials read go unnoticed. "+
					"Fix the glob, or remove it.", e.Name, g, p.Head)
				if e.Head.Inputs == nil {
					detail = fmt.Sprintf("Experiment %q has no inputs, so they default to its spec file and its workdir, but %q holds no file at the head (%s): "+
						"edits to the code it runs go unnoticed. Fix workdir, or list inputs.", e.Name, strings.TrimSuffix(g, "/**"), p.Head)
				}
				p.Warnings = append(p.Warnings, &hcl.Diagnostic{
					Severity: hcl.DiagWarning,
					Summary:  "Inputs match nothing",
					Detail:   detail,
					Subject:  e.Head.DeclRange.Ptr(),
				})
			}
		}
	}
	p.Warnings = append(p.Warnings, p.lineageWarnings()...)
	p.estimate()
	return p, diags, nil
}

// projectPrefix is the project's directory relative to the repository root.
func projectPrefix(repo *gitrepo.Repo, dir string) (string, error) {
	if dir == "" || repo.Root() == "" {
		return ".", nil
	}
	root, err := filepath.EvalSymlinks(repo.Root())
	if err != nil {
		return "", err
	}
	abs, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("the project %s is outside the repository at %s", dir, repo.Root())
	}
	return filepath.ToSlash(rel), nil
}

func openSide(repo *gitrepo.Repo, s Side, prefix string) (gitrepo.Snapshot, error) {
	var snap gitrepo.Snapshot
	var err error
	if s.Kind == SideWorktree {
		snap, err = repo.Worktree()
	} else {
		h, rerr := repo.Resolve(s.Commit)
		if rerr != nil {
			return nil, rerr
		}
		snap, err = repo.Commit(h)
	}
	if err != nil {
		return nil, err
	}
	return gitrepo.Sub(snap, prefix)
}

// unreadableBase is the warning for a base whose specs do not load: the
// plan goes on as if the base had no experiments.
func unreadableBase(base Side, diags hcl.Diagnostics) *hcl.Diagnostic {
	var first *hcl.Diagnostic
	n := 0
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			if first == nil {
				first = d
			}
			n++
		}
	}
	where := ""
	if first.Subject != nil {
		where = fmt.Sprintf("%s:%d: ", first.Subject.Filename, first.Subject.Start.Line)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  "Base could not be read",
		Detail: fmt.Sprintf("The specs at the base (%s) have %d error(s), the first %s%s. "+
			"The plan treats the base as empty, so every experiment at the head counts as added.", base, n, where, first.Summary),
	}
}

// compare matches experiments by name across the sides, and selects.
func (p *Plan) compare(base, head *sideTrials, baseSnap, headSnap gitrepo.Snapshot) error {
	if base == nil {
		base = &sideTrials{}
	}
	names := map[string]bool{}
	for n := range head.exps {
		names[n] = true
	}
	for n := range base.exps {
		names[n] = true
	}
	var matchedGlob = make([]bool, len(p.Options.Experiments))
	for _, name := range sortedKeys(names) {
		if !p.wanted(name, matchedGlob) {
			continue
		}
		e := &ExperimentPlan{
			Name: name, Base: base.exps[name], Head: head.exps[name],
			BaseTrials: base.trials[name], HeadTrials: head.trials[name],
			BaseInputs: base.inputs[name], HeadInputs: head.inputs[name],
		}
		p.replay(e)
		switch {
		case e.Base == nil:
			e.Status = ExperimentAdded
		case e.Head == nil:
			e.Status = ExperimentRemoved
		case sameKeys(e.BaseTrials, e.HeadTrials):
			e.Status = ExperimentUnchanged
		default:
			e.Status = ExperimentModified
			changes, err := diffExperiment(e, p.BaseProject, p.HeadProject, baseSnap, headSnap)
			if err != nil {
				return err
			}
			e.Changes = changes
		}
		p.selectTrials(e)
		p.Experiments = append(p.Experiments, e)
	}
	for i, ok := range matchedGlob {
		if !ok {
			return fmt.Errorf("--experiment %q matches no experiment at the base or the head; the experiments are: %s",
				p.Options.Experiments[i], strings.Join(sortedKeys(names), ", "))
		}
	}
	return nil
}

// sameKeys reports whether two trial lists have the same set of keys.
func sameKeys(a, b []*spec.Trial) bool {
	ka, kb := keysOfTrials(a), keysOfTrials(b)
	return slices.Equal(ka, kb)
}

func keysOfTrials(ts []*spec.Trial) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Key
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
