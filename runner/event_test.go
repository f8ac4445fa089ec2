package runner

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assaylab/assay/runner/gitrepo"
)

// eventEnv writes payload as the GitHub event of kind and returns the
// environment of a workflow run on it.
func eventEnv(t *testing.T, kind string, payload map[string]any) func(string) string {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": kind, "GITHUB_EVENT_PATH": path}
	return func(k string) string { return env[k] }
}

// pushEvent is a push of ref from before to after in a repository whose
// default branch is main.
func pushEvent(t *testing.T, ref, before, after string) func(string) string {
	return eventEnv(t, "push", map[string]any{
		"ref": ref, "before": before, "after": after,
		"repository": map[string]any{"full_name": "acme/models", "default_branch": "main"},
	})
}

const zeroCommit = "0000000000000000000000000000000000000000"

// A push to main of two commits, one of which changes alpha, plans the
// push's before against its after: alpha is modified and runs. Without the
// event the plan compares HEAD with its merge-base with main, HEAD itself,
// and runs nothing. The after commit is the head, not the working tree.
func TestPushPlansBeforeToAfter(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	before := r.Git("rev-parse", "HEAD")
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.03"))
	r.Commit("alpha: lower the learning rate")
	r.Write("README.md", "# models, documented\n")
	after := r.Commit("docs")
	r.Write("models/beta/train.py", "print('an edit nobody committed')\n")

	if s := buildPlan(t, r.Dir, PlanOptions{Head: "HEAD"}).Summary(); s.ToRun != 0 || s.Modified != 0 {
		t.Fatalf("without the event: %+v; the merge-base of main with itself changes nothing", s)
	}
	p := buildPlan(t, r.Dir, PlanOptions{Getenv: pushEvent(t, "refs/heads/main", before, after)})
	if p.Base.Commit != before || p.Head.Commit != after || p.Head.Kind != SideCommit {
		t.Fatalf("sides %+v → %+v, want %s → %s", p.Base, p.Head, before, after)
	}
	if p.Base.Source != "github-event" || p.Base.Event != "push" || p.Base.Reason != "" || p.Head.Rev != "main" {
		t.Errorf("sides %+v → %+v: want the push's, named main", p.Base, p.Head)
	}
	want := map[string]ExperimentStatus{"alpha": ExperimentModified, "beta": ExperimentUnchanged, "gamma": ExperimentUnchanged}
	if got := statuses(p); len(got) != 3 || got["alpha"] != want["alpha"] || got["beta"] != want["beta"] || got["gamma"] != want["gamma"] {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if s := p.Summary(); s.ToRun != 4 || s.Selected != 1 {
		t.Errorf("summary %+v: want alpha's 4 trials to run", s)
	}
	// --base and --head still win over the event.
	p = buildPlan(t, r.Dir, PlanOptions{Base: after, Head: after, Getenv: pushEvent(t, "refs/heads/main", before, after)})
	if p.Base.Source != "flag" || p.Summary().ToRun != 0 {
		t.Errorf("with --base and --head: %+v, %+v", p.Base, p.Summary())
	}
}

// A push that created main has no before: the base is none, so every
// experiment counts as added and every trial without a succeeded run
// runs; what is recorded is reused. A push that created another branch
// compares with its merge-base with main, as its pull request would.
func TestPushThatCreatedTheBranch(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	main := r.Git("rev-parse", "HEAD")
	alpha := buildPlan(t, r.Dir, PlanOptions{All: true}).Experiment("alpha").HeadTrials

	rec := recordedKeys{}
	for _, tr := range alpha {
		rec[tr.Key] = true
	}
	p := buildPlan(t, r.Dir, PlanOptions{Getenv: pushEvent(t, "refs/heads/main", zeroCommit, main), Recorded: rec})
	if p.Base.Kind != SideNone || p.Base.Event != "push" || !strings.Contains(p.Base.Reason, "the push created main") {
		t.Fatalf("base %+v: want none, because the push created main", p.Base)
	}
	if s := p.Summary(); s.Added != 3 || s.ToRun != 8 || s.Reused != 4 {
		t.Errorf("summary %+v: want every experiment added, beta's and gamma's 8 trials to run, alpha's 4 reused", s)
	}

	r.Git("checkout", "-q", "-b", "feature")
	r.Write("models/beta/train.py", "print('beta, faster')\n")
	feature := r.Commit("beta: faster")
	p = buildPlan(t, r.Dir, PlanOptions{Getenv: pushEvent(t, "refs/heads/feature", zeroCommit, feature)})
	if p.Base.Commit != main || p.Base.Source != "merge-base" || !strings.Contains(p.Base.Reason, "the push created feature") {
		t.Fatalf("base %+v: want the merge-base with main", p.Base)
	}
	if got := statuses(p); got["beta"] != ExperimentModified || got["alpha"] != ExperimentUnchanged || p.Summary().ToRun != 4 {
		t.Errorf("statuses %v, summary %+v: want beta's 4 trials", got, p.Summary())
	}
}

// A force-push leaves a before commit that is not an ancestor of after:
// gone from the clone, or still here but off to the side. Either way main
// falls back to no base: every trial of the head without a succeeded run.
func TestForcePushFallsBackToTheWholeHead(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.03"))
	dropped := r.Commit("alpha, pushed and then dropped")
	r.Git("reset", "-q", "--hard", "HEAD~1")
	r.Write("experiments/beta.hcl", experimentHCL("beta", "0.2"))
	after := r.Commit("beta instead")

	for _, c := range []struct{ name, before, reason string }{
		{"not in the clone", strings.Repeat("ab", 20), "is not in this clone"},
		{"not an ancestor", dropped, "is not an ancestor of its after commit"},
	} {
		p := buildPlan(t, r.Dir, PlanOptions{Getenv: pushEvent(t, "refs/heads/main", c.before, after)})
		if p.Base.Kind != SideNone || !strings.Contains(p.Base.Reason, c.reason) || !strings.Contains(p.Base.Reason, "force-push") {
			t.Errorf("%s: base %+v, want none because before %s", c.name, p.Base, c.reason)
		}
		if s := p.Summary(); s.Added != 3 || s.ToRun != 12 {
			t.Errorf("%s: summary %+v, want all 12 trials of the head", c.name, s)
		}
	}
}

// In a shallow clone the before commit is cut off, not rewritten: that is
// an error that says to fetch the history, not a silent rerun of all.
func TestPushInAShallowCloneSaysToFetchHistory(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	before := r.Git("rev-parse", "HEAD")
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.03"))
	after := r.Commit("alpha")
	shallow := filepath.Join(t.TempDir(), "shallow")
	r.Git("clone", "-q", "--depth", "1", "file://"+r.Dir, shallow)

	_, _, err := tryPlan(t, shallow, PlanOptions{Getenv: pushEvent(t, "refs/heads/main", before, after)})
	if !errors.Is(err, gitrepo.ErrShallow) || !strings.Contains(err.Error(), "fetch-depth: 0") {
		t.Fatalf("err = %v, want a shallow-clone error naming fetch-depth: 0", err)
	}
}

// A manual run on main has no change to compare: no base, so every trial
// of the head without a succeeded run. On another branch: the merge-base.
func TestWorkflowDispatch(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	main := r.Git("rev-parse", "HEAD")
	dispatch := func(ref string) func(string) string {
		return eventEnv(t, "workflow_dispatch", map[string]any{"ref": ref, "repository": map[string]any{"default_branch": "main"}})
	}
	p := buildPlan(t, r.Dir, PlanOptions{Getenv: dispatch("refs/heads/main")})
	if p.Base.Kind != SideNone || p.Base.Event != "workflow_dispatch" || p.Summary().ToRun != 12 {
		t.Errorf("on main: base %+v, summary %+v; want none and all 12 trials", p.Base, p.Summary())
	}
	r.Git("checkout", "-q", "-b", "feature")
	r.Write("experiments/gamma.hcl", experimentHCL("gamma", "0.2"))
	r.Commit("gamma")
	p = buildPlan(t, r.Dir, PlanOptions{Getenv: dispatch("refs/heads/feature")})
	if p.Base.Commit != main || p.Base.Source != "merge-base" || p.Summary().ToRun != 4 {
		t.Errorf("on feature: base %+v, summary %+v; want the merge-base with main and gamma's 4 trials", p.Base, p.Summary())
	}
}

// A push event without a ref and after commit, or one that deleted the
// branch, is an error that says what is wrong.
func TestBadPushEvents(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	head := r.Git("rev-parse", "HEAD")
	for _, c := range []struct {
		name    string
		payload map[string]any
		want    string
	}{
		{"no after", map[string]any{"ref": "refs/heads/main", "before": head}, "has no ref and after commit"},
		{"no ref", map[string]any{"before": head, "after": head}, "has no ref and after commit"},
		{"deleted", map[string]any{"ref": "refs/heads/main", "before": head, "after": zeroCommit, "deleted": true}, "deleted it"},
		{"unknown after", map[string]any{"ref": "refs/heads/main", "before": head, "after": strings.Repeat("cd", 20)}, "the push's after commit"},
	} {
		_, _, err := tryPlan(t, r.Dir, PlanOptions{Getenv: eventEnv(t, "push", c.payload)})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

// A pull request event without the pull request, or without its base or
// head commit, is refused with what it lacks.
func TestBadPullRequestEvents(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	head := r.Git("rev-parse", "HEAD")
	side := func(sha string) map[string]any { return map[string]any{"sha": sha, "ref": "main"} }
	for name, payload := range map[string]map[string]any{
		"no pull_request": {"number": 7},
		"no base":         {"number": 7, "pull_request": map[string]any{"number": 7, "head": side(head)}},
		"no head":         {"number": 7, "pull_request": map[string]any{"number": 7, "base": side(head)}},
	} {
		_, _, err := tryPlan(t, r.Dir, PlanOptions{Getenv: eventEnv(t, "pull_request", payload)})
		if err == nil || !strings.Contains(err.Error(), "has no pull_request with base and head commits") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// --all plans every experiment, but still compares with the base when it
// can be found, to show what changed; a base the event names that cannot
// be found is then no base, where a plan of changes stops with an error.
func TestAllComparesWithABaseWhenThereIsOne(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	main := r.Git("rev-parse", "HEAD")
	r.Git("checkout", "-q", "-b", "feature")
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.03"))
	head := r.Commit("alpha")

	p := buildPlan(t, r.Dir, PlanOptions{All: true})
	if p.Base.Commit != main || p.Base.Source != "merge-base" {
		t.Errorf("--all: base %+v, want the merge-base with main", p.Base)
	}
	if s, want := p.Summary(), (Summary{Experiments: 3, Modified: 1, Unchanged: 2, Selected: 3, ToRun: 12}); s != want {
		t.Errorf("--all: summary %+v, want %+v", s, want)
	}

	pr := func(base string) func(string) string {
		return eventEnv(t, "pull_request", map[string]any{"pull_request": map[string]any{
			"number": 7,
			"base":   map[string]string{"ref": "main", "sha": base},
			"head":   map[string]string{"ref": "feature", "sha": head},
		}})
	}
	gone := strings.Repeat("ab", 20)
	p = buildPlan(t, r.Dir, PlanOptions{All: true, Getenv: pr(gone)})
	if p.Base.Kind != SideNone || p.Head.Commit != head || p.Summary().Added != 3 {
		t.Errorf("--all, pull request base not in the clone: base %+v, summary %+v; want none, all added", p.Base, p.Summary())
	}
	if _, _, err := tryPlan(t, r.Dir, PlanOptions{Getenv: pr(gone)}); err == nil || !strings.Contains(err.Error(), "the pull request's base") {
		t.Errorf("pull request base not in the clone: %v", err)
	}
	p = buildPlan(t, r.Dir, PlanOptions{All: true, Getenv: pr(main)})
	if p.Base.Commit != main || p.Base.Source != "github-event" || p.Base.Rev != "main" {
		t.Errorf("--all, pull request: base %+v, want its fork point", p.Base)
	}

	// A push whose before commit a shallow clone cut off.
	shallow := filepath.Join(t.TempDir(), "shallow")
	r.Git("clone", "-q", "--depth", "1", "--branch", "feature", "file://"+r.Dir, shallow)
	p = buildPlan(t, shallow, PlanOptions{All: true, Getenv: pushEvent(t, "refs/heads/feature", main, head)})
	if p.Base.Kind != SideNone || p.Summary().ToRun != 12 {
		t.Errorf("--all, push in a shallow clone: base %+v, summary %+v; want none and all 12 trials", p.Base, p.Summary())
	}
	p = buildPlan(t, r.Dir, PlanOptions{All: true, Getenv: pushEvent(t, "refs/heads/feature", main, head)})
	if p.Base.Commit != main || p.Base.Source != "github-event" || statuses(p)["alpha"] != ExperimentModified {
		t.Errorf("--all, push: base %+v, statuses %v; want the before commit, alpha modified", p.Base, statuses(p))
	}
}

// A manual run is on the default branch the payload names, or, when it
// names none, the clone's (main here); on it there is no base.
func TestWorkflowDispatchDefaultBranch(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Git("branch", "develop")
	for _, c := range []struct {
		name, ref  string
		repository map[string]any
		noBase     bool
	}{
		{"clone's default", "refs/heads/main", map[string]any{}, true},
		{"payload's default", "refs/heads/develop", map[string]any{"default_branch": "develop"}, true},
		{"not the payload's default", "refs/heads/main", map[string]any{"default_branch": "develop"}, false},
		{"not the clone's default", "refs/heads/develop", map[string]any{}, false},
	} {
		env := eventEnv(t, "workflow_dispatch", map[string]any{"ref": c.ref, "repository": c.repository})
		p := buildPlan(t, r.Dir, PlanOptions{Getenv: env})
		if got := p.Base.Kind == SideNone; got != c.noBase {
			t.Errorf("%s: base %+v, want none: %v", c.name, p.Base, c.noBase)
		}
	}
}
