package github

import (
	"context"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/github/fakegithub"
)

// forkEvent is the pull_request event of a fork's pull request, with no
// labels yet (the approval label comes later, so the payload never has
// it).
func forkEvent(t *testing.T, env *testEnv) (*Event, int) {
	t.Helper()
	n := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('f'), BaseSHA: sha('0'), HeadRepo: "mallory/models"})
	ev, err := ParseEvent(env.repo.PullRequestEvent("opened", n), "pull_request")
	if err != nil {
		t.Fatal(err)
	}
	if !ev.PR.IsFork() || len(ev.PR.Labels) != 0 {
		t.Fatalf("event = %+v, want an unlabelled fork pull request", ev.PR)
	}
	return ev, n
}

func TestForkWithoutTheLabelRunsNothing(t *testing.T) {
	env := newTestEnv(t)
	ev, n := forkEvent(t, env)
	env.repo.SetLabels(n, "needs-review")
	env.gh.Expect(fakegithub.ListIssueLabels).Times(1)
	d, err := CheckFork(context.Background(), env.client, ev, false, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Allowed || !d.Fork {
		t.Fatalf("decision = %+v, want a refused fork", d)
	}
	for _, want := range []string{"#1", "mallory/models", `"assay:approved"`, "runs none of its trials"} {
		if !strings.Contains(d.Reason, want) {
			t.Errorf("reason %q lacks %q", d.Reason, want)
		}
	}
}

func TestForkWithTheLabelAddedAfterTheEventRuns(t *testing.T) {
	env := newTestEnv(t)
	ev, n := forkEvent(t, env)
	env.repo.SetLabels(n, "bug", "Assay:Approved")
	env.gh.Expect(fakegithub.ListIssueLabels).Times(1)
	d, err := CheckFork(context.Background(), env.client, ev, false, "assay:approved")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Allowed || !d.Fork || !strings.Contains(d.Reason, "carries the label") {
		t.Errorf("decision = %+v, want an approved fork", d)
	}
}

func TestForkLabelInThePayloadAloneIsNotEnough(t *testing.T) {
	env := newTestEnv(t)
	n := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('f'), HeadRepo: "mallory/models", Labels: []string{"assay:approved"}})
	ev, err := ParseEvent(env.repo.PullRequestEvent("labeled", n), "pull_request")
	if err != nil {
		t.Fatal(err)
	}
	// A maintainer removed the label since the event fired.
	env.repo.SetLabels(n)
	env.gh.Expect(fakegithub.ListIssueLabels).Times(1)
	d, err := CheckFork(context.Background(), env.client, ev, false, "")
	if err != nil || d.Allowed {
		t.Errorf("decision = %+v, err = %v; want refused, as the label is gone", d, err)
	}
}

func TestCustomApprovalLabel(t *testing.T) {
	env := newTestEnv(t)
	ev, n := forkEvent(t, env)
	env.repo.SetLabels(n, "assay:approved")
	env.gh.Expect(fakegithub.ListIssueLabels).Times(1)
	d, err := CheckFork(context.Background(), env.client, ev, false, "safe-to-test")
	if err != nil || d.Allowed || !strings.Contains(d.Reason, `"safe-to-test"`) {
		t.Errorf("decision = %+v, err = %v; want refused for lack of safe-to-test", d, err)
	}
}

func TestAllowForksAndOwnPullRequestsAskNothing(t *testing.T) {
	env := newTestEnv(t)
	ev, _ := forkEvent(t, env)
	// No expectations: a call to GitHub would fail the test.
	d, err := CheckFork(context.Background(), env.client, ev, true, "")
	if err != nil || !d.Allowed || !strings.Contains(d.Reason, "allow_forks") {
		t.Errorf("allow_forks: decision = %+v, err = %v", d, err)
	}
	own := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('1')})
	ev, err = ParseEvent(env.repo.PullRequestEvent("synchronize", own), "pull_request")
	if err != nil {
		t.Fatal(err)
	}
	d, err = CheckFork(context.Background(), env.client, ev, false, "")
	if err != nil || !d.Allowed || d.Fork || d.Reason != "" {
		t.Errorf("own pull request: decision = %+v, err = %v", d, err)
	}
	for _, ev := range []*Event{nil, {Name: "schedule"}, {Name: "push"}} {
		if d, err := CheckFork(context.Background(), nil, ev, false, ""); err != nil || !d.Allowed {
			t.Errorf("%+v: decision = %+v, err = %v", ev, d, err)
		}
	}
}

func TestForkWithoutATokenIsRefused(t *testing.T) {
	env := newTestEnv(t)
	ev, _ := forkEvent(t, env)
	d, err := CheckFork(context.Background(), nil, ev, false, "")
	if err != nil || d.Allowed || !strings.Contains(d.Reason, "GITHUB_TOKEN") {
		t.Errorf("decision = %+v, err = %v", d, err)
	}
}

func TestIssueCommentEventReadsThePullRequest(t *testing.T) {
	env := newTestEnv(t)
	n := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('f'), HeadRepo: "mallory/models"})
	env.repo.SetLabels(n, "assay:approved")
	payload := `{"action":"created","issue":{"number":1,"pull_request":{"url":"x"}},"repository":{"full_name":"acme/models"}}`
	ev, err := ParseEvent([]byte(payload), "issue_comment")
	if err != nil || ev.PR == nil || ev.PR.Number != 1 {
		t.Fatalf("event = %+v, err = %v", ev, err)
	}
	env.gh.Expect(fakegithub.GetPull).Times(1)
	env.gh.Expect(fakegithub.ListIssueLabels).Times(1)
	d, err := CheckFork(context.Background(), env.client, ev, false, "")
	if err != nil || !d.Allowed || !d.Fork {
		t.Errorf("decision = %+v, err = %v", d, err)
	}
}

func TestEventsThatAreNotAboutPullRequests(t *testing.T) {
	for name, payload := range map[string]string{
		"schedule": `{"schedule":"0 3 * * *"}`,
		"push":     `{"ref":"refs/heads/main","repository":{"full_name":"acme/models"}}`,
		"issues":   `{"issue":{"number":4},"repository":{"full_name":"acme/models"}}`,
	} {
		ev, err := ParseEvent([]byte(payload), name)
		if err != nil || ev.PR != nil {
			t.Errorf("%s: event = %+v, err = %v", name, ev, err)
		}
	}
	if _, err := ParseEvent([]byte("not json"), "push"); err == nil || !strings.Contains(err.Error(), "GITHUB_EVENT_PATH") {
		t.Errorf("err = %v", err)
	}
	if _, err := ReadEvent("/nonexistent/event.json", "push"); err == nil || !strings.Contains(err.Error(), "GITHUB_EVENT_PATH") {
		t.Errorf("err = %v", err)
	}
}
