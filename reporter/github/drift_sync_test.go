package github

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/drift"
	"github.com/assaylab/assay/reporter/github/fakegithub"
)

// nightly is a week of healthy nights of resnet's val_acc, then the nights
// given: the series a scheduled workflow has seen so far.
func nightly(extra ...[]float64) []drift.Series {
	healthy := [][]float64{
		{0.910, 0.912, 0.908}, {0.911, 0.909, 0.913}, {0.912, 0.910, 0.909},
		{0.908, 0.911, 0.910}, {0.913, 0.909, 0.911}, {0.910, 0.912, 0.910},
		{0.909, 0.911, 0.912},
	}
	s := drift.Series{Experiment: "resnet", Config: "lr=0.1", Metric: "val_acc", Goal: "maximize", Tolerance: 0.005}
	day := time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)
	for i, v := range append(healthy, extra...) {
		s.Nights = append(s.Nights, drift.Night{Date: drift.NightOf(day.AddDate(0, 0, i)), Values: v})
	}
	return []drift.Series{s}
}

func TestNightlyDriftOpensUpdatesAndClosesOneIssue(t *testing.T) {
	env := newTestEnv(t)
	// Someone else's issue with the same marker and label is not assay's.
	other := env.repo.AddIssue(fakegithub.Issue{Title: "copy", User: "alice", Labels: []string{DriftLabel}, Body: DriftMarker("resnet") + "\nI pasted this"})
	// An open pull request that carries the label is not an issue.
	env.repo.AddPullRequest(fakegithub.PullRequest{Labels: []string{DriftLabel}})
	rule := drift.Rule{}
	low := []float64{0.874, 0.870, 0.877}
	env.gh.Expect(fakegithub.GetUser).Times(1)
	env.gh.Expect(fakegithub.ListIssues).Times(4)
	env.gh.Expect(fakegithub.CreateIssue).Times(1)
	env.gh.Expect(fakegithub.EditIssue).Times(2)
	env.gh.Expect(fakegithub.CreateComment).Times(1)
	ctx := context.Background()

	// Night 8: val_acc drops; an issue opens.
	f := rule.Evaluate("resnet", nightly(low))
	acts, err := env.client.SyncDrift(ctx, []drift.Finding{f}, rule)
	if err != nil {
		t.Fatal(err)
	}
	if len(acts) != 1 || acts[0].Action != ActionOpened {
		t.Fatalf("night 8: %+v, want opened", acts)
	}
	num := acts[0].Issue
	is, _ := env.repo.Issue(num)
	if is.State != "open" || is.User != testLogin || is.Title != "Nightly drift in resnet" || len(is.Labels) != 1 || is.Labels[0] != DriftLabel {
		t.Fatalf("issue = %+v", is)
	}
	for _, want := range []string{DriftMarker("resnet") + "\n", "**2026-03-08**", "| lr=0.1 | val_acc | maximize | 0.8737 (3) | 0.9105 ± 0.001", "| -0.03681 | [0.9073, 0.9137] | <0.001 |", "p < 0.0005"} {
		if !strings.Contains(is.Body, want) {
			t.Errorf("night 8 body lacks %q:\n%s", want, is.Body)
		}
	}

	// Night 9: still low; the same issue is updated.
	f = rule.Evaluate("resnet", nightly(low, []float64{0.871, 0.873, 0.869}))
	acts, err = env.client.SyncDrift(ctx, []drift.Finding{f}, rule)
	if err != nil || acts[0].Action != ActionUpdated || acts[0].Issue != num {
		t.Fatalf("night 9: %+v, %v; want #%d updated", acts, err, num)
	}
	is, _ = env.repo.Issue(num)
	if !strings.Contains(is.Body, "**2026-03-09**") || !strings.Contains(is.Body, "for the 2nd night in a row") {
		t.Errorf("night 9 body:\n%s", is.Body)
	}

	// Night 9 again (a rerun of the workflow): nothing to change.
	acts, err = env.client.SyncDrift(ctx, []drift.Finding{f}, rule)
	if err != nil || acts[0].Action != ActionUnchanged {
		t.Fatalf("rerun: %+v, %v", acts, err)
	}

	// Night 10: recovered; the issue is closed with a comment.
	f = rule.Evaluate("resnet", nightly(low, []float64{0.871, 0.873, 0.869}, []float64{0.910, 0.911, 0.912}))
	acts, err = env.client.SyncDrift(ctx, []drift.Finding{f}, rule)
	if err != nil || acts[0].Action != ActionClosed || acts[0].Issue != num {
		t.Fatalf("night 10: %+v, %v; want #%d closed", acts, err, num)
	}
	is, _ = env.repo.Issue(num)
	if is.State != "closed" || is.StateReason != "completed" {
		t.Errorf("issue = %s (%s), want closed as completed", is.State, is.StateReason)
	}
	comments := env.repo.Comments(num)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "has recovered: on **2026-03-10**") {
		t.Errorf("comments = %+v", comments)
	}
	if len(env.repo.Issues()) != 2 {
		t.Errorf("issues = %+v, want ours and alice's", env.repo.Issues())
	}
	if o, _ := env.repo.Issue(other); o.State != "open" || o.Body != DriftMarker("resnet")+"\nI pasted this" {
		t.Errorf("alice's issue was touched: %+v", o)
	}
}

func TestStableWithoutIssueAndInsufficientDoNothing(t *testing.T) {
	env := newTestEnv(t)
	env.gh.Expect(fakegithub.GetUser).Times(1)
	env.gh.Expect(fakegithub.ListIssues).Times(1)
	rule := drift.Rule{}
	stable := rule.Evaluate("resnet", nightly([]float64{0.910, 0.911, 0.912}))
	none := rule.Evaluate("fresh", nil)
	acts, err := env.client.SyncDrift(context.Background(), []drift.Finding{stable, none}, rule)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acts {
		if a.Action != ActionNone {
			t.Errorf("%+v, want nothing done", a)
		}
	}
}

func TestDuplicateDriftIssuesAreClosed(t *testing.T) {
	env := newTestEnv(t)
	body := DriftMarker("resnet") + "\nold"
	first := env.repo.AddIssue(fakegithub.Issue{Title: "Nightly drift in resnet", User: testLogin, Labels: []string{DriftLabel}, Body: body})
	dup := env.repo.AddIssue(fakegithub.Issue{Title: "Nightly drift in resnet", User: testLogin, Labels: []string{DriftLabel}, Body: body})
	env.gh.Expect(fakegithub.GetUser).Times(1)
	env.gh.Expect(fakegithub.ListIssues).Times(1)
	env.gh.Expect(fakegithub.EditIssue).Times(2)
	env.gh.Expect(fakegithub.CreateComment).Times(1)
	rule := drift.Rule{}
	f := rule.Evaluate("resnet", nightly([]float64{0.874, 0.870, 0.877}))
	acts, err := env.client.SyncDrift(context.Background(), []drift.Finding{f}, rule)
	if err != nil || acts[0].Issue != first || acts[0].Duplicates != 1 {
		t.Fatalf("acts = %+v, err = %v", acts, err)
	}
	if d, _ := env.repo.Issue(dup); d.State != "closed" || d.StateReason != "not_planned" {
		t.Errorf("duplicate = %+v", d)
	}
}

func TestDriftTextHelpers(t *testing.T) {
	if got := driftExperiment(DriftMarker("my-exp_2") + "\r\nbody"); got != "my-exp_2" {
		t.Errorf("driftExperiment = %q", got)
	}
	if got := driftExperiment("text\n" + DriftMarker("x")); got != "" {
		t.Errorf("a marker on a later line counted: %q", got)
	}
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 10: "10th", 11: "11th", 12: "12th", 13: "13th", 14: "14th",
		21: "21st", 22: "22nd", 23: "23rd", 101: "101st", 111: "111th", 112: "112th", 113: "113th"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %s", n, got)
		}
	}
	// A p-value of exactly 0.001 is written out; a change of 0 has no
	// sign; a config without params and one with a | read in a table.
	for p, want := range map[float64]string{0.001: "0.001", 0.000999: "<0.001", 0.0123: "0.012", 1: "1.000"} {
		if got := pValue(p); got != want {
			t.Errorf("pValue(%g) = %s, want %s", p, got, want)
		}
	}
	for f, want := range map[float64]string{0: "0", 0.0125: "+0.0125", -0.0125: "-0.0125"} {
		if got := signed(f); got != want {
			t.Errorf("signed(%g) = %s, want %s", f, got, want)
		}
	}
	if a, b := configName(""), configName("lr=0.1|x"); a != "(default)" || b != `lr=0.1\|x` {
		t.Errorf("configName = %q, %q", a, b)
	}
	for _, r := range []drift.Rule{{}, {Window: -1, Alpha: -1}} {
		if got := ruleDefaults(r); got.Window != drift.DefaultWindow || got.Alpha != drift.DefaultAlpha {
			t.Errorf("ruleDefaults(%+v) = %+v, want the defaults", r, got)
		}
	}
	if got := ruleDefaults(drift.Rule{Window: 3, Alpha: 0.01}); got.Window != 3 || got.Alpha != 0.01 {
		t.Errorf("ruleDefaults kept %+v, want 3 and 0.01", got)
	}
}

// TestARecoveryClosesEveryOpenIssueOnEveryPage: a stable experiment's
// open drift issues are found past the first page of 100 and all closed;
// the oldest is the one reported, the others counted as duplicates.
func TestARecoveryClosesEveryOpenIssueOnEveryPage(t *testing.T) {
	env := newTestEnv(t)
	for i := range 120 {
		env.repo.AddIssue(fakegithub.Issue{Title: "Nightly drift in other", User: testLogin, Labels: []string{DriftLabel}, Body: DriftMarker(fmt.Sprintf("other-%d", i)) + "\nold"})
	}
	body := DriftMarker("resnet") + "\nold"
	first := env.repo.AddIssue(fakegithub.Issue{Title: "Nightly drift in resnet", User: testLogin, Labels: []string{DriftLabel}, Body: body})
	second := env.repo.AddIssue(fakegithub.Issue{Title: "Nightly drift in resnet", User: testLogin, Labels: []string{DriftLabel}, Body: body})
	env.gh.Expect(fakegithub.GetUser).Times(1)
	env.gh.Expect(fakegithub.ListIssues).Times(2)
	env.gh.Expect(fakegithub.CreateComment).Times(2)
	env.gh.Expect(fakegithub.EditIssue).Times(2)
	rule := drift.Rule{}
	f := rule.Evaluate("resnet", nightly([]float64{0.910, 0.911, 0.912}))
	acts, err := env.client.SyncDrift(context.Background(), []drift.Finding{f}, rule)
	if err != nil || len(acts) != 1 || acts[0].Action != ActionClosed || acts[0].Issue != first || acts[0].Duplicates != 1 {
		t.Fatalf("acts = %+v, err = %v; want #%d closed and one duplicate", acts, err, first)
	}
	for _, n := range []int{first, second} {
		if is, _ := env.repo.Issue(n); is.State != "closed" || is.StateReason != "completed" {
			t.Errorf("#%d = %s (%s), want closed as completed", n, is.State, is.StateReason)
		}
	}
}

// TestEveryFindingIsSyncedAndAFailedCloseIsReported: each experiment's
// finding gets its action, in order; a close GitHub refuses stops the
// sync with what assay was doing, and the actions taken so far.
func TestEveryFindingIsSyncedAndAFailedCloseIsReported(t *testing.T) {
	env := newTestEnv(t)
	vitIssue := env.repo.AddIssue(fakegithub.Issue{Title: "Nightly drift in vit", User: testLogin, Labels: []string{DriftLabel}, Body: DriftMarker("vit") + "\nold"})
	rule := drift.Rule{}
	vitSeries := nightly([]float64{0.910, 0.911, 0.912})
	vitSeries[0].Experiment = "vit"
	drifting := rule.Evaluate("resnet", nightly([]float64{0.874, 0.870, 0.877}))
	stable := rule.Evaluate("vit", vitSeries)
	env.gh.Expect(fakegithub.GetUser).Times(1)
	env.gh.Expect(fakegithub.ListIssues).Times(2)
	env.gh.Expect(fakegithub.CreateIssue).Times(1)
	env.gh.Expect(fakegithub.CreateComment).Times(2)
	env.gh.Expect(fakegithub.EditIssue).Times(2).Fail(fakegithub.Forbidden("Must have admin rights to Repository."))
	acts, err := env.client.SyncDrift(context.Background(), []drift.Finding{stable, drifting}, rule)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("closing drift issue #%d", vitIssue)) {
		t.Fatalf("err = %v, want the refused close named", err)
	}
	if len(acts) != 1 || acts[0].Experiment != "vit" {
		t.Errorf("acts = %+v, want vit's, then the sync stopped", acts)
	}
	acts, err = env.client.SyncDrift(context.Background(), []drift.Finding{stable, drifting}, rule)
	if err != nil || len(acts) != 2 || acts[0].Action != ActionClosed || acts[0].Issue != vitIssue || acts[1].Experiment != "resnet" || acts[1].Action != ActionOpened {
		t.Errorf("acts = %+v, err = %v; want vit's issue closed and resnet's opened", acts, err)
	}
}
