package compare

import (
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// Input is everything a comparison needs, as plain data: the experiments of
// each side with their trials, and a way to look up recorded runs. The
// plan supplies the experiments and the results store the lookup; tests
// construct both.
type Input struct {
	Base, Head Ref
	// PR is the pull request being compared, or 0.
	PR          int
	Experiments []ExperimentInput
	// Lookup returns every recorded run of a trial key, in any order; nil
	// or empty when the key has none.
	Lookup func(key string) []*runner.Result
	// LogTail returns the log tail recorded beside a run, or "". Optional.
	LogTail func(r *runner.Result) string
	// Alpha is the significance level; 0 means DefaultAlpha.
	Alpha float64
	// RunHead and RunBase are the commands a user runs to produce missing
	// results on each side; "" means DefaultRunHead and DefaultRunBase.
	RunHead, RunBase string
}

// The commands that produce missing results, unless Input names others.
const (
	DefaultRunHead = "assay run"
	DefaultRunBase = "assay run --baseline"
)

// Ref names one side of a comparison.
type Ref struct {
	// Name is what the user called it: a branch, a tag, "HEAD", or
	// "working tree".
	Name string `json:"name"`
	// Commit is the full commit id, or "" for the working tree.
	Commit string `json:"commit,omitempty"`
	// Parent is, for the working tree, the commit its edits sit on (what
	// HEAD points at; "" before the first commit). Runs made from the
	// working tree record it as their source commit, which is how the
	// comparison tells this change's own runs from reused ones.
	Parent string `json:"parent,omitempty"`
}

// Short is the ref's name with an abbreviated commit, as reports show it.
func (r Ref) Short() string {
	if r.Commit == "" {
		return r.Name
	}
	c := r.Commit
	if len(c) > 7 {
		c = c[:7]
	}
	if r.Name == "" || r.Name == r.Commit {
		return c
	}
	return r.Name + " (" + c + ")"
}

// ExperimentInput is one experiment of the comparison.
type ExperimentInput struct {
	Name string
	// Status is the plan's word for the change: added, modified, removed
	// or unchanged. "" derives it from which sides are present and
	// whether their trial keys differ.
	Status string
	// Base and Head are nil where the experiment does not exist.
	Base, Head *SideInput
	// Changes is the plan's semantic diff of the spec. nil computes a
	// diff from the two specs (see DiffSpecs).
	Changes []Change
}

// SideInput is an experiment as one side declares it.
type SideInput struct {
	Spec *spec.Experiment
	// Trials are the experiment's trials at that side, with their keys.
	Trials []*spec.Trial
}

// Experiment statuses, as the plan reports them.
const (
	StatusAdded     = "added"
	StatusModified  = "modified"
	StatusRemoved   = "removed"
	StatusUnchanged = "unchanged"
)

// Change is one line of a spec diff: what changed, and its value at each
// side ("" where absent).
type Change struct {
	// Field names what changed: "params.lr", "command", "env.DATASET",
	// "runner.gpus", "inputs", "seeds", "sweep.lr", "metric.val_acc.goal".
	Field string `json:"field"`
	// Path is the file an "inputs.path" change is about; Base and Head
	// then hold its short object ids.
	Path string `json:"path,omitempty"`
	Base string `json:"base"`
	Head string `json:"head"`
}

// Name is the field, with the path for a change to one input file.
func (c Change) Name() string {
	if c.Path == "" {
		return c.Field
	}
	return c.Field + " " + c.Path
}
