package runner

import (
	"encoding/json"

	"github.com/hashicorp/hcl/v2"

	"github.com/assaylab/assay/spec"
)

// PlanSchema tags the JSON of assay plan --format json. Fields are only
// ever added under this tag; a change that removes or reinterprets one
// gets a new tag.
const PlanSchema = "assay.plan/v1"

// PlanDocument is the stable JSON form of a plan (docs/plan.md).
type PlanDocument struct {
	Schema string `json:"schema"`
	Base   Side   `json:"base"`
	Head   Side   `json:"head"`
	// Selection echoes what was asked for.
	Selection   SelectionDocument    `json:"selection"`
	Summary     Summary              `json:"summary"`
	Experiments []ExperimentDocument `json:"experiments"`
	// Trials are the selected head trials in plan order: those to run and
	// those reused.
	Trials []TrialDocument `json:"trials"`
	// BaseTrials are the base side's (--with-baseline): the base commit's
	// trials a comparison needs, to run from the base commit's files or
	// reused, in plan order.
	BaseTrials []TrialDocument      `json:"base_trials"`
	Warnings   []DiagnosticDocument `json:"warnings"`
}

// SelectionDocument is the selection a plan was built with.
type SelectionDocument struct {
	All       bool `json:"all"`
	Scheduled bool `json:"scheduled"`
	Rerun     bool `json:"rerun"`
	// WithBaseline: the plan has a base side (--with-baseline).
	WithBaseline bool     `json:"with_baseline"`
	Experiments  []string `json:"experiments"`
	// Shard is "i/n" when the plan was narrowed to one shard, else "".
	Shard string `json:"shard,omitempty"`
}

// ExperimentDocument is one experiment of the plan.
type ExperimentDocument struct {
	Name   string           `json:"name"`
	Status ExperimentStatus `json:"status"`
	File   string           `json:"file"`
	// Selected: the head's trials are to run or reused.
	Selected bool `json:"selected"`
	// Trials counts trials at each side, and of the selected, those to
	// run and reused.
	Trials TrialCounts `json:"trials"`
	// Inputs are the head's inputs fingerprints, one per workdir.
	Inputs []InputsDocument `json:"inputs"`
	// Changes is the semantic diff of a modified experiment, else empty.
	Changes []Change `json:"changes"`
	// Search is where the head's search stands; absent for an
	// experiment that is no search.
	Search *SearchDocument `json:"search,omitempty"`
}

// TrialCounts counts an experiment's trials.
type TrialCounts struct {
	Base   int `json:"base"`
	Head   int `json:"head"`
	ToRun  int `json:"to_run"`
	Reused int `json:"reused"`
	// BaseToRun and BaseReused count the base side's trials.
	BaseToRun  int `json:"base_to_run"`
	BaseReused int `json:"base_reused"`
}

// InputsDocument is one inputs fingerprint and the paths it covers.
type InputsDocument struct {
	Fingerprint string   `json:"fingerprint"`
	Paths       []string `json:"paths"`
	// Artifacts are what the experiment's artifact() inputs resolved to
	// (the upstream run, trial key and file hash), in inputs order; absent
	// for an experiment without such inputs. An unresolved one has no
	// sha256.
	Artifacts []ArtifactOrigin `json:"artifacts,omitempty"`
}

// TrialDocument is one selected trial.
type TrialDocument struct {
	Experiment string            `json:"experiment"`
	Index      int               `json:"index"`
	Key        string            `json:"key"`
	Config     int               `json:"config"`
	Params     json.RawMessage   `json:"params"`
	Seed       int64             `json:"seed"`
	Command    []string          `json:"command"`
	Env        map[string]string `json:"env"`
	Workdir    string            `json:"workdir"`
	Labels     []string          `json:"labels"`
	GPUs       int               `json:"gpus"`
	Timeout    string            `json:"timeout,omitempty"`
	Retries    int               `json:"retries"`
	Inputs     string            `json:"inputs"`
	// Action is "run" or "reuse" (a succeeded run of the key is recorded).
	Action string `json:"action"`
	// Side is "head", or "base" for a base-side trial: one of the base
	// commit's, run from its files and recorded with it as source commit.
	Side string `json:"side,omitempty"`
	// Search is the round and proposal of a search's trial.
	Search *SearchOrigin `json:"search,omitempty"`
}

// DiagnosticDocument is a warning, with its place in a spec file when it
// has one.
type DiagnosticDocument struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
}

// Document returns the plan's JSON form.
func (p *Plan) Document() *PlanDocument {
	d := &PlanDocument{
		Schema: PlanSchema, Base: p.Base, Head: p.Head,
		Selection: SelectionDocument{
			All: p.Options.All, Scheduled: p.Options.Scheduled, Rerun: p.Options.Rerun,
			WithBaseline: p.Options.WithBaseline,
			Experiments:  append([]string{}, p.Options.Experiments...),
			Shard:        p.OnlyShard,
		},
		Summary:     p.Summary(),
		Experiments: []ExperimentDocument{},
		Trials:      []TrialDocument{},
		BaseTrials:  []TrialDocument{},
		Warnings:    []DiagnosticDocument{},
	}
	for _, e := range p.Experiments {
		ed := ExperimentDocument{
			Name: e.Name, Status: e.Status, File: e.File(), Selected: e.Selected,
			Trials: TrialCounts{Base: len(e.BaseTrials), Head: len(e.HeadTrials), ToRun: len(e.ToRun), Reused: len(e.Reused),
				BaseToRun: len(e.BaseToRun), BaseReused: len(e.BaseReused)},
			Inputs:  []InputsDocument{},
			Changes: append([]Change{}, e.Changes...),
			Search:  e.Search.Document(),
		}
		for _, fp := range sortedKeys(e.HeadInputs) {
			in := InputsDocument{Fingerprint: fp, Paths: []string{}, Artifacts: e.HeadInputs[fp].Artifacts}
			for _, en := range e.HeadInputs[fp].Entries {
				p := en.Path
				if en.IsDir() {
					p += "/"
				}
				in.Paths = append(in.Paths, p)
			}
			ed.Inputs = append(ed.Inputs, in)
		}
		d.Experiments = append(d.Experiments, ed)
		d.BaseTrials = appendTrialDocuments(d.BaseTrials, "base", e.BaseSelected, e.BaseToRun, e.BaseReused)
		if e.Selected {
			n := len(d.Trials)
			d.Trials = appendTrialDocuments(d.Trials, "head", e.HeadTrials, e.ToRun, e.Reused)
			if e.Search != nil {
				for i := n; i < len(d.Trials); i++ {
					d.Trials[i].Search = e.Search.Origin(d.Trials[i].Key)
				}
			}
		}
	}
	for _, w := range p.Warnings {
		d.Warnings = append(d.Warnings, DiagnosticDocumentOf(w))
	}
	return d
}

// appendTrialDocuments appends the trials of all (in its order) that are
// to run or reused; the others are in another shard.
func appendTrialDocuments(out []TrialDocument, side string, all, run, reused []*spec.Trial) []TrialDocument {
	action := map[*spec.Trial]string{}
	for _, t := range run {
		action[t] = "run"
	}
	for _, t := range reused {
		action[t] = "reuse"
	}
	for _, t := range all {
		if action[t] == "" {
			continue
		}
		td := TrialDocumentOf(t)
		td.Action, td.Side = action[t], side
		out = append(out, td)
	}
	return out
}

// TrialDocumentOf is a trial's JSON form, without an action or side.
func TrialDocumentOf(t *spec.Trial) TrialDocument {
	td := TrialDocument{
		Experiment: t.Experiment, Index: t.Index, Key: t.Key, Config: t.Config,
		Params: json.RawMessage(t.ParamsJSON), Seed: t.Seed, Command: t.Command, Env: t.Env,
		Workdir: t.Workdir, Labels: t.Runner.Labels, GPUs: t.Runner.GPUs, Retries: t.Runner.Retries,
		Inputs: t.Inputs,
	}
	if td.Env == nil {
		td.Env = map[string]string{}
	}
	if td.Command == nil {
		td.Command = []string{}
	}
	if td.Labels == nil {
		td.Labels = []string{}
	}
	if len(td.Params) == 0 {
		td.Params = json.RawMessage("{}")
	}
	if t.Runner.Timeout > 0 {
		td.Timeout = t.Runner.Timeout.String()
	}
	return td
}

// DiagnosticDocumentOf is a diagnostic's JSON form.
func DiagnosticDocumentOf(d *hcl.Diagnostic) DiagnosticDocument {
	out := DiagnosticDocument{Severity: "error", Summary: d.Summary, Detail: d.Detail}
	if d.Severity == hcl.DiagWarning {
		out.Severity = "warning"
	}
	if d.Subject != nil {
		out.File, out.Line, out.Column = d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column
	}
	return out
}
