package runner

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// A feature branch that edits one experiment's params, another's code,
// deletes a third's spec and adds a fourth: each gets its status, and
// only the changed ones are selected.
func TestPlanStatuses(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Git("checkout", "-q", "-b", "feature")
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.03"))
	r.Write("models/beta/lib/util.py", "X = 2\n")
	r.Remove("experiments/gamma.hcl")
	r.Write("experiments/delta.hcl", experimentHCL("delta", "0.1"))
	r.Write("models/delta/train.py", "print('delta')\n")
	r.Commit("feature work")

	p := buildPlan(t, r.Dir, PlanOptions{Base: "main", Head: "feature"})
	want := map[string]ExperimentStatus{"alpha": ExperimentModified, "beta": ExperimentModified, "gamma": ExperimentRemoved, "delta": ExperimentAdded}
	got := statuses(p)
	for name, st := range want {
		if got[name] != st {
			t.Errorf("%s: %s, want %s", name, got[name], st)
		}
	}
	if p.Base.Commit != r.Git("rev-parse", "main") || p.Head.Commit != r.Git("rev-parse", "feature") {
		t.Errorf("sides %+v %+v", p.Base, p.Head)
	}
	if s, want := p.Summary(), (Summary{Experiments: 4, Added: 1, Modified: 2, Removed: 1, Selected: 3, ToRun: 12}); s != want {
		t.Errorf("summary %+v, want %+v: 12 trials to run in alpha, beta and delta", s, want)
	}
	alpha := p.Experiment("alpha")
	if c := findChange(alpha.Changes, "params.lr", ""); c == nil || c.Base != "0.1" || c.Head != "0.03" {
		t.Errorf("alpha changes %+v: want params.lr 0.1 → 0.03", alpha.Changes)
	}
	beta := p.Experiment("beta")
	c := findChange(beta.Changes, "inputs.path", "models/beta/lib/util.py")
	if c == nil || len(beta.Changes) != 1 {
		t.Fatalf("beta changes %+v: want exactly the edited file", beta.Changes)
	}
	if want := r.Git("rev-parse", "feature:models/beta/lib/util.py")[:12]; c.Head != want {
		t.Errorf("beta's changed file head id %s, git says %s", c.Head, want)
	}
	if g := p.Experiment("gamma"); len(g.ToRun) != 0 || g.Selected || len(g.BaseTrials) != 4 {
		t.Errorf("removed experiment: selected=%v to run %d, base trials %d", g.Selected, len(g.ToRun), len(g.BaseTrials))
	}
}

// The same experiment at the same content has the same keys on every
// side; an unchanged experiment is not selected.
func TestPlanUnchangedKeysAgree(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Write("README.md", "# models, documented\n")
	r.Commit("docs only")
	p := buildPlan(t, r.Dir, PlanOptions{Base: "HEAD~1", Head: "HEAD"})
	for _, e := range p.Experiments {
		if e.Status != ExperimentUnchanged || e.Selected {
			t.Errorf("%s: %s selected=%v; a README edit touches no experiment", e.Name, e.Status, e.Selected)
		}
		for i := range e.HeadTrials {
			if e.HeadTrials[i].Key != e.BaseTrials[i].Key {
				t.Errorf("%s trial %d: key differs across sides", e.Name, i)
			}
			// The same spec with the same inputs is expanded once, for
			// both sides (a plan's cost is mostly expansion).
			if e.HeadTrials[i] != e.BaseTrials[i] {
				t.Errorf("%s trial %d: expanded again for the base", e.Name, i)
			}
		}
	}
	if s, want := p.Summary(), (Summary{Experiments: 3, Unchanged: 3}); s != want {
		t.Errorf("summary %+v, want %+v", s, want)
	}
}

// An experiment whose spec is the same on both sides is decoded once
// for both, but each side keys its trials with its own inputs: with a
// workdir per param, editing the code of one workdir changes the keys of
// that workdir's trials only.
func TestPlanSharedExperimentKeepsEachSidesInputs(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Write("experiments/multi.hcl", `experiment "multi" {
  command = ["python", "train.py", "--seed=${seed}"]
  workdir = "models/${param.model}"
  params  = { model = "alpha" }
  sweep {
    param "model" { values = ["alpha", "beta"] }
  }
  seeds = [1, 2]
}
`)
	r.Commit("one experiment over two models")
	r.Write("models/beta/train.py", "print('beta, faster')\n")
	r.Commit("beta's code")
	p := buildPlan(t, r.Dir, PlanOptions{Base: "HEAD~1", Head: "HEAD"})
	e := p.Experiment("multi")
	if e.Status != ExperimentModified || e.Base != e.Head {
		t.Fatalf("multi: %s, shared decoding %v; want modified, decoded once", e.Status, e.Base == e.Head)
	}
	if len(e.BaseTrials) != 4 || len(e.HeadTrials) != 4 {
		t.Fatalf("trials %d and %d, want 4 a side", len(e.BaseTrials), len(e.HeadTrials))
	}
	for i, ht := range e.HeadTrials {
		bt := e.BaseTrials[i]
		if ht == bt {
			t.Fatalf("trial %d is one object on both sides", i)
		}
		if changed := ht.Key != bt.Key; changed != (ht.Workdir == "models/beta") {
			t.Errorf("trial %d in %s: key changed %v", i, ht.Workdir, changed)
		}
	}
	// The base keys are those of a plan of the base commit alone.
	alone := buildPlan(t, r.Dir, PlanOptions{Head: "HEAD~1", All: true, Base: "HEAD~1"})
	for _, name := range []string{"alpha", "beta", "gamma"} {
		if !slices.Equal(keysOfTrials(p.Experiment(name).BaseTrials), keysOfTrials(alone.Experiment(name).HeadTrials)) {
			t.Errorf("%s: base keys differ from the same commit planned on its own", name)
		}
	}
}

// A renamed experiment is one removed and one added: its keys carry the
// name.
func TestPlanRename(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Git("mv", "experiments/alpha.hcl", "experiments/alpha2.hcl")
	r.Write("experiments/alpha2.hcl", strings.Replace(experimentHCL("alpha", "0.1"), `experiment "alpha"`, `experiment "alpha2"`, 1))
	r.Commit("rename alpha")
	got := statuses(buildPlan(t, r.Dir, PlanOptions{Base: "HEAD~1", Head: "HEAD"}))
	if got["alpha"] != ExperimentRemoved || got["alpha2"] != ExperimentAdded {
		t.Errorf("statuses %v: want alpha removed, alpha2 added", got)
	}
}

// By default the head is the working tree, uncommitted edits included,
// and the base is the merge-base with main: commits made on main after
// the branch forked are not the branch's changes.
func TestPlanDefaultsWorkingTreeAndMergeBase(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	fork := r.Git("rev-parse", "HEAD")
	r.Git("checkout", "-q", "-b", "feature")
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.03"))
	r.Commit("feature: alpha lr")
	r.Git("checkout", "-q", "main")
	r.Write("experiments/beta.hcl", experimentHCL("beta", "0.2"))
	r.Commit("main moves on: beta lr")
	r.Git("checkout", "-q", "feature")
	r.Write("models/gamma/train.py", "print('uncommitted')\n")

	p := buildPlan(t, r.Dir, PlanOptions{})
	if p.Base.Commit != fork || p.Base.Source != "merge-base" || p.Base.Rev != "main" {
		t.Errorf("base %+v: want the fork point %s", p.Base, fork)
	}
	if p.Head.Kind != SideWorktree || p.Head.Commit != r.Git("rev-parse", "HEAD") {
		t.Errorf("head %+v: want the working tree on HEAD", p.Head)
	}
	got := statuses(p)
	if got["alpha"] != ExperimentModified || got["beta"] != ExperimentUnchanged || got["gamma"] != ExperimentModified {
		t.Errorf("statuses %v: want alpha (committed) and gamma (uncommitted) modified, beta (main's change) unchanged", got)
	}

	// Committing the edit changes nothing about the plan's keys.
	before := p.Experiment("gamma").HeadTrials[0].Key
	r.Commit("commit gamma")
	after := buildPlan(t, r.Dir, PlanOptions{}).Experiment("gamma").HeadTrials[0].Key
	if before != after {
		t.Error("a trial's key must be the same in the working tree and once committed")
	}
}

// On the default branch itself, the plan shows the uncommitted edits.
func TestPlanOnMainShowsUncommitted(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Write("experiments/beta.hcl", experimentHCL("beta", "0.9"))
	got := statuses(buildPlan(t, r.Dir, PlanOptions{}))
	if got["beta"] != ExperimentModified || got["alpha"] != ExperimentUnchanged {
		t.Errorf("statuses %v", got)
	}
}

// Merges: after merging main into the branch, main's changes are in the
// merge-base, so they do not count as the branch's.
func TestPlanAfterMergingMain(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Git("checkout", "-q", "-b", "feature")
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.03"))
	r.Commit("feature")
	r.Git("checkout", "-q", "main")
	r.Write("models/beta/train.py", "print('beta v2')\n")
	r.Commit("main: beta code")
	r.Git("checkout", "-q", "feature")
	r.Git("merge", "-q", "--no-edit", "main")
	p := buildPlan(t, r.Dir, PlanOptions{Head: "HEAD"})
	if p.Base.Commit != r.Git("merge-base", "HEAD", "main") {
		t.Errorf("base %s, git merge-base says %s", p.Base.Commit, r.Git("merge-base", "HEAD", "main"))
	}
	if got := statuses(p); got["alpha"] != ExperimentModified || got["beta"] != ExperimentUnchanged {
		t.Errorf("statuses %v", got)
	}
}

// Inside a GitHub Actions pull_request run, both sides come from the
// event: the head commit, and the fork point of the base branch.
func TestPlanGitHubEvent(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	fork := r.Git("rev-parse", "HEAD")
	r.Git("checkout", "-q", "-b", "feature")
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.03"))
	head := r.Commit("pr")
	r.Git("checkout", "-q", "main")
	r.Write("experiments/beta.hcl", experimentHCL("beta", "0.2"))
	baseTip := r.Commit("main moved")
	// The checkout is elsewhere (the merge commit in real runs): the
	// working tree must not be what is planned.
	r.Write("experiments/gamma.hcl", experimentHCL("gamma", "0.7"))

	event := filepath.Join(t.TempDir(), "event.json")
	payload := map[string]any{"pull_request": map[string]any{
		"number": 7,
		"base":   map[string]string{"ref": "main", "sha": baseTip},
		"head":   map[string]string{"ref": "feature", "sha": head},
	}}
	b, _ := json.Marshal(payload)
	if err := os.WriteFile(event, b, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event}
	p := buildPlan(t, r.Dir, PlanOptions{Getenv: func(k string) string { return env[k] }})
	if p.Head.Commit != head || p.Head.Source != "github-event" {
		t.Errorf("head %+v, want %s from the event", p.Head, head)
	}
	if p.Base.Commit != fork {
		t.Errorf("base %+v, want the fork point %s", p.Base, fork)
	}
	if got := statuses(p); got["alpha"] != ExperimentModified || got["beta"] != ExperimentUnchanged || got["gamma"] != ExperimentUnchanged {
		t.Errorf("statuses %v", got)
	}

	// --base and --head still win.
	p = buildPlan(t, r.Dir, PlanOptions{Base: baseTip, Head: baseTip, Getenv: func(k string) string { return env[k] }})
	if p.Summary().ToRun != 0 {
		t.Error("explicit revisions must override the event")
	}

	// A malformed event is an error, not a silent fallback.
	if err := os.WriteFile(event, []byte(`{"pull_request": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := tryPlan(t, r.Dir, PlanOptions{Getenv: func(k string) string { return env[k] }}); err == nil || !strings.Contains(err.Error(), "GitHub event") {
		t.Errorf("malformed event: %v", err)
	}
}

// Specs that do not load at the head are the user's to fix: diagnostics,
// no plan.
func TestPlanInvalidHead(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Write("experiments/alpha.hcl", "experiment \"alpha\" {\n  command = [\n")
	p, diags, err := tryPlan(t, r.Dir, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !diags.HasErrors() || p == nil || p.HeadProject == nil || p.HeadProject.Files["experiments/alpha.hcl"] == nil {
		t.Fatalf("want diagnostics with the head's files for printing: %v", diags)
	}
	if d := diags[0]; d.Subject == nil || d.Subject.Filename != "experiments/alpha.hcl" {
		t.Errorf("diagnostic %v should point into the broken file", d)
	}
}

// Specs that do not load at the base are not the head's problem: the base
// counts as empty, with a warning.
func TestPlanInvalidBase(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Write("experiments/alpha.hcl", "experiment \"alpha\" {\n  command = [\n")
	r.Commit("broken")
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.1"))
	r.Write("models/alpha/train.py", "x\n")
	r.Commit("fixed")
	p := buildPlan(t, r.Dir, PlanOptions{Base: "HEAD~1", Head: "HEAD"})
	if p.BaseProject != nil || statuses(p)["alpha"] != ExperimentAdded {
		t.Errorf("statuses %v, want alpha added against an empty base", statuses(p))
	}
	if len(p.Warnings) != 1 || p.Warnings[0].Summary != "Base could not be read" ||
		!strings.Contains(p.Warnings[0].Detail, "have 1 error(s), the first experiments/alpha.hcl:3: ") {
		t.Errorf("warnings %v", p.Warnings)
	}
}

// Every git problem says what happened and what to do.
func TestPlanGitErrors(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	_, _, err := tryPlan(t, r.Dir, PlanOptions{Base: "no-such-branch"})
	if !errors.Is(err, gitrepo.ErrUnknownRevision) || !strings.Contains(err.Error(), `--base "no-such-branch" names no branch, tag or commit`) {
		t.Errorf("unknown base: %v", err)
	}
	_, _, err = tryPlan(t, r.Dir, PlanOptions{Head: "HEAD~5"})
	if !errors.Is(err, gitrepo.ErrUnknownRevision) || !strings.Contains(err.Error(), "--head") {
		t.Errorf("unknown head: %v", err)
	}

	empty := gittest.New(t)
	empty.Write("experiments/a.hcl", experimentHCL("a", "0.1"))
	_, _, err = tryPlan(t, empty.Dir, PlanOptions{})
	if err == nil || !strings.Contains(err.Error(), "no commits yet") || !strings.Contains(err.Error(), "--all") {
		t.Errorf("no commits: %v", err)
	}
	// --all still plans the files.
	if p := buildPlan(t, empty.Dir, PlanOptions{All: true}); p.Summary().ToRun != 4 || p.Base.Kind != SideNone {
		t.Errorf("--all in an empty repository: %+v", p.Summary())
	}

	noMain := gittest.New(t)
	noMain.Git("checkout", "-q", "-b", "trunk")
	noMain.Write("experiments/a.hcl", experimentHCL("a", "0.1"))
	noMain.Commit("one")
	_, _, err = tryPlan(t, noMain.Dir, PlanOptions{})
	if err == nil || !strings.Contains(err.Error(), "--base") {
		t.Errorf("no default branch: %v", err)
	}

	dir := t.TempDir()
	_, _, err = BuildPlan(t.Context(), nil, PlanOptions{ProjectDir: dir})
	if !errors.Is(err, gitrepo.ErrNotRepository) || !strings.Contains(err.Error(), "--all") {
		t.Errorf("not a repository: %v", err)
	}
}

// A base the clone does not have, because it is shallow, says so and how
// to fix it.
func TestPlanShallowClone(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Git("checkout", "-q", "-b", "feature")
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.03"))
	r.Commit("feature 1")
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.04"))
	r.Commit("feature 2")
	r.Git("checkout", "-q", "main") // the remote's default branch, as on GitHub
	clone := filepath.Join(t.TempDir(), "ci")
	r.Git("clone", "-q", "--depth", "1", "--no-single-branch", "--branch", "feature", "file://"+r.Dir, clone)
	_, _, err := tryPlan(t, clone, PlanOptions{})
	if !errors.Is(err, gitrepo.ErrShallow) || !strings.Contains(err.Error(), "fetch-depth: 0") {
		t.Errorf("default base in a shallow clone: %v", err)
	}
	_, _, err = tryPlan(t, clone, PlanOptions{Base: "HEAD~1"})
	if !errors.Is(err, gitrepo.ErrShallow) || !strings.Contains(err.Error(), "shallow") {
		t.Errorf("HEAD~1 in a shallow clone: %v", err)
	}
}

// An experiment whose inputs match nothing is planned, with a warning.
func TestPlanInputsMatchNothing(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Write("experiments/alpha.hcl", strings.Replace(experimentHCL("alpha", "0.1"), `workdir = "models/alpha"`, `inputs = ["data/*.lock"]`, 1))
	r.Write("experiments/beta.hcl", strings.Replace(experimentHCL("beta", "0.1"), `models/beta`, `models/nowhere`, 1))
	p := buildPlan(t, r.Dir, PlanOptions{})
	var got []string
	for _, w := range p.Warnings {
		if w.Severity != hcl.DiagWarning || w.Summary != "Inputs match nothing" {
			t.Errorf("unexpected warning %v", w)
		}
		got = append(got, w.Detail)
	}
	if len(got) != 2 || !strings.Contains(got[0], `"data/*.lock"`) || !strings.Contains(got[1], `"models/nowhere"`) {
		t.Errorf("warnings %q", got)
	}
}

// --all, --scheduled, --experiment and --rerun select; what is recorded
// is reused unless --rerun or a schedule.
func TestPlanSelection(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Write("experiments/gamma.hcl", strings.Replace(experimentHCL("gamma", "0.1"), "seeds", "schedule = \"nightly\"\n  seeds", 1))
	r.Commit("gamma nightly")
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.03"))

	p := buildPlan(t, r.Dir, PlanOptions{})
	if s := p.Summary(); s.Selected != 1 || s.ToRun != 4 {
		t.Errorf("default: %+v, want alpha only", s)
	}
	alphaKeys := recordedKeys{}
	for _, tr := range p.Experiment("alpha").HeadTrials[:3] {
		alphaKeys[tr.Key] = true
	}
	p = buildPlan(t, r.Dir, PlanOptions{Recorded: alphaKeys})
	if s := p.Summary(); s.ToRun != 1 || s.Reused != 3 || s.Selected != 1 {
		t.Errorf("with 3 recorded: %+v, want alpha selected with 1 to run and 3 reused", s)
	}
	if got, want := keysOfTrials(p.Selected()), keysOfTrials(p.Experiment("alpha").HeadTrials); !slices.Equal(got, want) {
		t.Errorf("selected %v, want alpha's 4 trials, reused or not", got)
	}
	if s := buildPlan(t, r.Dir, PlanOptions{Recorded: alphaKeys, Rerun: true}).Summary(); s.ToRun != 4 || s.Reused != 0 {
		t.Errorf("--rerun: %+v", s)
	}
	if s := buildPlan(t, r.Dir, PlanOptions{All: true}).Summary(); s.Selected != 3 || s.ToRun != 12 {
		t.Errorf("--all: %+v", s)
	}
	p = buildPlan(t, r.Dir, PlanOptions{Scheduled: true})
	if s := p.Summary(); s.Selected != 1 || !p.Experiment("gamma").Selected {
		t.Errorf("--scheduled: %+v, want gamma only", s)
	}
	gammaKeys := recordedKeys{}
	for _, tr := range p.Experiment("gamma").HeadTrials {
		gammaKeys[tr.Key] = true
	}
	if s := buildPlan(t, r.Dir, PlanOptions{Scheduled: true, Recorded: gammaKeys}).Summary(); s.ToRun != 4 {
		t.Errorf("a schedule reruns what is recorded: %+v", s)
	}
	p = buildPlan(t, r.Dir, PlanOptions{All: true, Experiments: []string{"a*", "gam?a"}})
	if len(p.Experiments) != 2 || p.Experiments[0].Name != "alpha" || p.Experiments[1].Name != "gamma" {
		t.Errorf("--experiment a* gam?a: %v", statuses(p))
	}
	_, _, err := tryPlan(t, r.Dir, PlanOptions{Experiments: []string{"alpah"}})
	if err == nil || !strings.Contains(err.Error(), `"alpah" matches no experiment`) || !strings.Contains(err.Error(), "alpha, beta, gamma") {
		t.Errorf("--experiment that matches nothing: %v", err)
	}
	if _, _, err := tryPlan(t, r.Dir, PlanOptions{Experiments: []string{"[a"}}); err == nil {
		t.Error("an invalid --experiment glob must be refused")
	}

	// UseRecorded re-selects once the store is known.
	p = buildPlan(t, r.Dir, PlanOptions{})
	p.UseRecorded(alphaKeys)
	if s := p.Summary(); s.ToRun != 1 || s.Reused != 3 {
		t.Errorf("UseRecorded: %+v", s)
	}
}

// A project in a sub-directory of its repository: paths are relative to
// the project, and nothing outside it counts.
func TestPlanProjectInSubdirectory(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Write("web/index.html", "<p>\n")
	r.Write("ml/assay.hcl", "project {}\n")
	r.Write("ml/experiments/a.hcl", experimentHCL("a", "0.1"))
	r.Write("ml/models/a/train.py", "x\n")
	r.Commit("monorepo")
	r.Write("web/index.html", "<p>changed\n")
	r.Commit("web only")
	r.Write("ml/models/a/train.py", "y\n")
	r.Commit("ml")
	dir := filepath.Join(r.Dir, "ml")
	p := buildPlan(t, r.Dir, PlanOptions{ProjectDir: dir, Base: "HEAD~2", Head: "HEAD~1"})
	if statuses(p)["a"] != ExperimentUnchanged {
		t.Errorf("an edit outside the project changed it: %v", statuses(p))
	}
	p = buildPlan(t, r.Dir, PlanOptions{ProjectDir: dir, Base: "HEAD~1", Head: "HEAD"})
	if c := p.Experiment("a").Changes; len(c) != 1 || c[0].Path != "models/a/train.py" {
		t.Errorf("changes %+v, want models/a/train.py (relative to the project)", c)
	}
}

// The JSON document is complete and stable: schema tag, sides, summary,
// experiments with changes, trials with actions.
func TestPlanDocument(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.03"))
	p := buildPlan(t, r.Dir, PlanOptions{})
	first := p.Experiment("alpha").HeadTrials[0]
	p.UseRecorded(recordedKeys{first.Key: true})
	b, err := json.Marshal(p.Document())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema  string
		Base    struct{ Kind, Commit, Source string }
		Head    struct{ Kind string }
		Summary struct {
			ToRun  int `json:"to_run"`
			Reused int
		}
		Experiments []struct {
			Name, Status string
			Changes      []struct{ Field, Base, Head string }
			Inputs       []struct {
				Fingerprint string
				Paths       []string
			}
		}
		Trials []struct{ Key, Action, Inputs string }
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != PlanSchema || doc.Base.Kind != "commit" || doc.Base.Source != "merge-base" || doc.Head.Kind != "worktree" {
		t.Errorf("document head: %s", b[:200])
	}
	if doc.Summary.ToRun != 3 || doc.Summary.Reused != 1 || len(doc.Trials) != 4 {
		t.Errorf("summary %+v, %d trials", doc.Summary, len(doc.Trials))
	}
	if doc.Trials[0].Key != first.Key || doc.Trials[0].Action != "reuse" || doc.Trials[1].Action != "run" || doc.Trials[0].Inputs == "" {
		t.Errorf("trials %+v", doc.Trials[:2])
	}
	a := doc.Experiments[0]
	if a.Name != "alpha" || a.Status != "modified" || len(a.Changes) == 0 || len(a.Inputs) != 1 {
		t.Fatalf("alpha %+v", a)
	}
	if got := strings.Join(a.Inputs[0].Paths, " "); got != "models/alpha/" {
		t.Errorf("alpha's inputs %q: its workdir as one tree", got)
	}
}

// file() and fileset() read the commit being planned, not the disk.
func TestPlanFileFunctionsReadEachCommit(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Write("experiments/e.hcl", `experiment "e" {
  command = ["python", "train.py", "--lr=${param.lr}"]
  inputs  = ["train.py"]
  params  = { lr = jsondecode(file("configs/e.json")).lr, n = length(fileset("data", "*.csv")) }
}
`)
	r.Write("train.py", "x\n")
	r.Write("configs/e.json", `{"lr": 0.1}`)
	r.Write("data/a.csv", "1\n")
	r.Commit("base")
	r.Write("configs/e.json", `{"lr": 0.2}`)
	r.Write("data/b.csv", "2\n")
	r.Commit("head")
	r.Write("configs/e.json", `{"lr": 0.9}`) // on disk only
	r.Write("data/c.csv", "3\n")
	cs := buildPlan(t, r.Dir, PlanOptions{Base: "HEAD~1", Head: "HEAD"}).Experiment("e").Changes
	if c := findChange(cs, "params.lr", ""); c == nil || c.Base != "0.1" || c.Head != "0.2" {
		t.Errorf("params.lr %+v, want 0.1 → 0.2 from the commits", c)
	}
	if c := findChange(cs, "params.n", ""); c == nil || c.Base != "1" || c.Head != "2" {
		t.Errorf("params.n %+v, want 1 → 2 files from the commits", c)
	}
}

// Outside a git repository there is nothing to compare: --all plans the
// files on disk against no base, and naming a revision is refused.
func TestPlanOutsideARepository(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"assay.hcl":             "project {}\n",
		"experiments/alpha.hcl": experimentHCL("alpha", "0.1"),
		"models/alpha/train.py": "print('alpha')\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, diags, err := BuildPlan(t.Context(), nil, PlanOptions{ProjectDir: dir, All: true})
	if err != nil || diags.HasErrors() {
		t.Fatalf("--all outside a repository: %v %v", err, diags)
	}
	if p.Base.Kind != SideNone || p.Head.Kind != SideWorktree || statuses(p)["alpha"] != ExperimentAdded || p.Summary().ToRun != 4 {
		t.Errorf("sides %+v → %+v, statuses %v, summary %+v: want alpha's 4 trials from the files", p.Base, p.Head, statuses(p), p.Summary())
	}
	for _, o := range []PlanOptions{{All: true, Base: "main"}, {All: true, Head: "HEAD"}, {Scheduled: true, Base: "main"}} {
		o.ProjectDir = dir
		if _, _, err := BuildPlan(t.Context(), nil, o); !errors.Is(err, gitrepo.ErrNotRepository) || !strings.Contains(err.Error(), "not inside a git repository") {
			t.Errorf("%+v outside a repository: %v", o, err)
		}
	}
}
