package github

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/github/fakegithub"
)

// forkEvent opens a fork's pull request whose head is head and returns
// its pull_request event, as a push to it fires it.
func forkEvent(t *testing.T, env *testEnv, head string) (*Event, int) {
	t.Helper()
	n := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: head, BaseSHA: sha('0'), HeadRepo: "mallory/models", User: "mallory"})
	return pushEvent(t, env, n), n
}

// pushEvent is the synchronize event of pull request n as it is now.
func pushEvent(t *testing.T, env *testEnv, n int) *Event {
	t.Helper()
	ev, err := ParseEvent(env.repo.PullRequestEvent("synchronize", n), "pull_request")
	if err != nil {
		t.Fatal(err)
	}
	if !ev.PR.IsFork() {
		t.Fatalf("event = %+v, want a fork pull request", ev.PR)
	}
	return ev
}

func check(t *testing.T, env *testEnv, ev *Event) Decision {
	t.Helper()
	d, err := CheckFork(context.Background(), env.client, ForkCheck{Event: ev})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func wantRefused(t *testing.T, d Decision, parts ...string) {
	t.Helper()
	if d.Allowed || !d.Fork || d.Approval != nil {
		t.Errorf("decision = %+v, want a refused fork", d)
	}
	for _, p := range parts {
		if !strings.Contains(d.Reason, p) {
			t.Errorf("reason %q lacks %q", d.Reason, p)
		}
	}
}

func TestForkWithoutApprovalRunsNothing(t *testing.T) {
	env := newTestEnv(t)
	ev, n := forkEvent(t, env, sha('f'))
	env.repo.AddComment(n, "alice", "Looks interesting, I'll review it tomorrow.")
	env.gh.Expect(fakegithub.ListComments).Times(1)
	env.gh.Expect(fakegithub.ListIssueLabels).Times(1)
	d := check(t, env, ev)
	wantRefused(t, d, "pull request #1 comes from the fork mallory/models, so assay runs none of its trials at fffffff",
		"a maintainer (write access or more) who has reviewed that commit approves it by commenting `/assay approve "+sha('f')+"`",
		"then re-runs this workflow")
	if d.Head != sha('f') {
		t.Errorf("head = %q", d.Head)
	}
	// Nothing more to say: no note in parentheses after the instructions.
	if !strings.HasSuffix(d.Reason, "then re-runs this workflow") {
		t.Errorf("reason %q ends with more than the instructions", d.Reason)
	}
}

func TestApprovalOfTheHeadRuns(t *testing.T) {
	for _, role := range []string{"write", "maintain", "admin"} {
		t.Run(role, func(t *testing.T) {
			env := newTestEnv(t)
			ev, n := forkEvent(t, env, sha('f'))
			env.repo.SetRole("alice", role)
			id := env.repo.AddComment(n, "alice", "Reviewed, thanks!\n\n/assay approve "+sha('f')+"\n")
			env.gh.Expect(fakegithub.ListComments).Times(1)
			env.gh.Expect(fakegithub.GetPermission).Times(1)
			d := check(t, env, ev)
			if !d.Allowed || d.Approval == nil || d.Approval.User != "alice" || d.Approval.Permission != role || d.Approval.CommentID != id {
				t.Fatalf("decision = %+v (approval %+v), want approved by alice", d, d.Approval)
			}
			want := fmt.Sprintf("running its trials at fffffff because @alice (%s) approved that commit: http", role)
			if !strings.Contains(d.Reason, want) || !strings.Contains(d.Reason, fmt.Sprintf("#issuecomment-%d", id)) {
				t.Errorf("reason %q lacks %q and the comment's link", d.Reason, want)
			}
		})
	}
}

// TestAPushNeedsANewApproval: an approval of one commit, then a push. The
// new head is refused, saying why; the re-run of the approved commit's
// run (GitHub replays its event) still passes; a new approval lets the
// new head run.
func TestAPushNeedsANewApproval(t *testing.T) {
	env := newTestEnv(t)
	first, n := forkEvent(t, env, sha('a'))
	env.repo.SetRole("alice", "write")
	env.repo.AddComment(n, "alice", "/assay approve "+sha('a'))
	env.gh.Expect(fakegithub.ListComments).Times(4)
	env.gh.Expect(fakegithub.GetPermission).Times(3)
	env.gh.Expect(fakegithub.ListIssueLabels).Times(1)
	if d := check(t, env, first); !d.Allowed {
		t.Fatalf("the approved commit: %+v", d)
	}

	env.repo.Push(n, sha('b'))
	second := pushEvent(t, env, n)
	wantRefused(t, check(t, env, second), "runs none of its trials at bbbbbbb", "`/assay approve "+sha('b')+"`",
		"@alice's latest approval names aaaaaaa, another commit: every push needs a new approval")

	if d := check(t, env, first); !d.Allowed || d.Head != sha('a') {
		t.Errorf("re-running the approved commit's run: %+v", d)
	}

	env.repo.AddComment(n, "alice", "/assay approve "+sha('b'))
	if d := check(t, env, second); !d.Allowed || d.Head != sha('b') {
		t.Errorf("after approving the new head: %+v", d)
	}
}

func TestApprovalWithoutWriteAccessDoesNotCount(t *testing.T) {
	for _, role := range []string{"read", "triage", "none", ""} {
		t.Run("role "+role, func(t *testing.T) {
			env := newTestEnv(t)
			ev, n := forkEvent(t, env, sha('f'))
			if role != "" {
				env.repo.SetRole("bob", role)
			}
			// The fork's author approving their own commit, and bob.
			env.repo.AddComment(n, "mallory", "/assay approve "+sha('f'))
			env.repo.AddComment(n, "bob", "/assay approve "+sha('f'))
			env.repo.AddComment(n, "bob", "/assay approve "+sha('f'))
			env.gh.Expect(fakegithub.ListComments).Times(1)
			env.gh.Expect(fakegithub.GetPermission).Times(2) // once per commenter
			env.gh.Expect(fakegithub.ListIssueLabels).Times(1)
			has := role + " access"
			switch role {
			case "none":
				has = "no access"
			case "":
				has = "read access"
			}
			wantRefused(t, check(t, env, ev),
				"@bob's approval does not count: approvals need write, maintain or admin permission, and @bob has "+has,
				"@mallory's approval does not count")
		})
	}
}

// TestAccessLostSinceTheApproval: permissions are read when the check
// runs, not when the comment was written.
func TestAccessLostSinceTheApproval(t *testing.T) {
	env := newTestEnv(t)
	ev, n := forkEvent(t, env, sha('f'))
	env.repo.SetRole("alice", "write")
	env.repo.AddComment(n, "alice", "/assay approve "+sha('f'))
	env.gh.Expect(fakegithub.ListComments).Times(2)
	env.gh.Expect(fakegithub.GetPermission).Times(2)
	env.gh.Expect(fakegithub.ListIssueLabels).Times(1)
	if d := check(t, env, ev); !d.Allowed {
		t.Fatalf("before: %+v", d)
	}
	env.repo.SetRole("alice", "read")
	wantRefused(t, check(t, env, ev), "@alice has read access")
}

func TestApprovalOnTheThirdPageOfComments(t *testing.T) {
	env := newTestEnv(t)
	ev, n := forkEvent(t, env, sha('f'))
	env.repo.SetRole("alice", "admin")
	for i := range 250 {
		body := fmt.Sprintf("comment %d", i)
		if i == 230 {
			body = "/assay approve " + sha('f')
		}
		env.repo.AddComment(n, "carol", body)
		if i == 230 {
			env.repo.AddComment(n, "alice", body)
		}
	}
	env.gh.Expect(fakegithub.ListComments).Times(3)
	env.gh.Expect(fakegithub.GetPermission).Times(1) // the newest approval, alice's
	d := check(t, env, ev)
	if !d.Allowed || d.Approval == nil || d.Approval.User != "alice" {
		t.Errorf("decision = %+v, want alice's approval on page 3", d)
	}
}

// TestAnApprovalInUpperCaseCounts: a maintainer who pastes the head in
// capitals (as some tools show commit ids) approves it; every hex letter
// from A to F is lowered.
func TestAnApprovalInUpperCaseCounts(t *testing.T) {
	env := newTestEnv(t)
	head := "0123456789abcdef" + strings.Repeat("a", 24)
	ev, n := forkEvent(t, env, head)
	env.repo.SetRole("alice", "write")
	env.repo.AddComment(n, "alice", "/assay approve "+strings.ToUpper(head))
	env.gh.Expect(fakegithub.ListComments).Times(1)
	env.gh.Expect(fakegithub.GetPermission).Times(1)
	if d := check(t, env, ev); !d.Allowed || d.Approval == nil || d.Approval.User != "alice" {
		t.Errorf("decision = %+v, want alice's approval of %s", d, head)
	}
}

func TestShortCommitIDsAreRefused(t *testing.T) {
	env := newTestEnv(t)
	head := "89abcdef" + strings.Repeat("0", 32)
	ev, n := forkEvent(t, env, head)
	env.repo.SetRole("alice", "write")
	env.repo.AddComment(n, "alice", "/assay approve 89abcde")
	env.gh.Expect(fakegithub.ListComments).Times(1)
	env.gh.Expect(fakegithub.ListIssueLabels).Times(1)
	wantRefused(t, check(t, env, ev), "@alice's approval names 89abcde, a short commit id: an approval names the full 40-character id")
}

func TestParseApprovals(t *testing.T) {
	full := sha('c')
	cases := []struct {
		body string
		want []string
	}{
		{"/assay approve " + full, []string{full}},
		{"  /assay approve   " + strings.ToUpper(full) + "  \r\n", []string{full}},
		{"LGTM\n\n/assay approve " + full + "\nthanks", []string{full}},
		{"> /assay approve " + full, nil},              // quoted
		{"```\n/assay approve " + full + "\n```", nil}, // in a code block
		{"~~~\n/assay approve " + full + "\n~~~\n/assay approve x", []string{"x"}},
		{"/assay approve " + full + " please", nil}, // more words
		{"/assay approve", nil},                     // nothing named
		{"/assay approve" + full, nil},              // no space
		{"please /assay approve " + full, nil},      // not at the start
		{"/assay approve 1234567\n/assay approve " + full, []string{"1234567", full}},
		// A to Z, the ends included, and nothing else changes case.
		{"/assay approve @AZ[`az{", []string{"@az[`az{"}},
	}
	for _, c := range cases {
		if got := parseApprovals(c.body); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%q: got %q, want %q", c.body, got, c.want)
		}
	}
	for s, want := range map[string]bool{full: true, strings.Repeat("a", 64): true, full[:39]: false, strings.Repeat("g", 40): false, strings.ToUpper(full): false} {
		if isFullSHA(s) != want {
			t.Errorf("isFullSHA(%q) = %v", s, !want)
		}
	}
}

// TestTheOldLabelNoLongerApproves: a pull request that carries the label
// that used to approve it, on the second page of its labels, is refused,
// and the reason says that the label no longer approves.
func TestTheOldLabelNoLongerApproves(t *testing.T) {
	env := newTestEnv(t)
	ev, n := forkEvent(t, env, sha('f'))
	var labels []string
	for i := range 120 {
		labels = append(labels, fmt.Sprintf("area-%d", i))
	}
	env.repo.SetLabels(n, append(labels, "Assay:Approved")...)
	env.gh.Expect(fakegithub.ListComments).Times(1)
	env.gh.Expect(fakegithub.ListIssueLabels).Times(2)
	wantRefused(t, check(t, env, ev), `the label "Assay:Approved" no longer approves: a label cannot say which commit it approves`)

	// A custom label from approval_label is named too.
	env.repo.SetLabels(n, "safe-to-test")
	env.gh.Expect(fakegithub.ListComments).Times(2)
	env.gh.Expect(fakegithub.ListIssueLabels).Times(3)
	d, err := CheckFork(context.Background(), env.client, ForkCheck{Event: ev, Label: "safe-to-test"})
	if err != nil {
		t.Fatal(err)
	}
	wantRefused(t, d, `the label "safe-to-test" no longer approves`)
}

// TestGitHubErrorsFailClosed: when comments or a permission cannot be
// read, CheckFork returns an error that says what it was doing, and no
// decision that allows anything.
func TestGitHubErrorsFailClosed(t *testing.T) {
	for _, route := range []string{fakegithub.ListComments, fakegithub.GetPermission} {
		t.Run(route, func(t *testing.T) {
			env := newTestEnv(t)
			ev, n := forkEvent(t, env, sha('f'))
			env.repo.SetRole("alice", "write")
			env.repo.AddComment(n, "alice", "/assay approve "+sha('f'))
			client := env.newClient(t, RetryPolicy{MaxAttempts: 3})
			if route == fakegithub.GetPermission {
				env.gh.Expect(fakegithub.ListComments).Times(1)
			}
			env.gh.Expect(route).Times(3).Fail(fakegithub.ServerError(503), fakegithub.ServerError(503), fakegithub.ServerError(503))
			d, err := CheckFork(context.Background(), client, ForkCheck{Event: ev})
			if err == nil || d.Allowed {
				t.Fatalf("decision = %+v, err = %v; want an error and nothing allowed", d, err)
			}
			doing := "reading the comments of #1 for a maintainer's approval: "
			if route == fakegithub.GetPermission {
				doing = "reading @alice's permission on acme/models, to check their approval: "
			}
			for _, want := range []string{doing, "GitHub answered 503 Service Unavailable", "after 3 attempts"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want it to say %q", err, want)
				}
			}
		})
	}
}

// TestAGivenHeadIsWhatMustBeApproved: the caller's head (the plan's) is
// the commit an approval must name, even when the event names another.
func TestAGivenHeadIsWhatMustBeApproved(t *testing.T) {
	env := newTestEnv(t)
	ev, n := forkEvent(t, env, sha('a'))
	env.repo.SetRole("alice", "write")
	env.repo.AddComment(n, "alice", "/assay approve "+sha('a'))
	env.gh.Expect(fakegithub.ListComments).Times(1)
	env.gh.Expect(fakegithub.ListIssueLabels).Times(1)
	d, err := CheckFork(context.Background(), env.client, ForkCheck{Event: ev, Head: strings.ToUpper(sha('b'))})
	if err != nil {
		t.Fatal(err)
	}
	wantRefused(t, d, "at bbbbbbb", "another commit")
}

func TestAllowForksAndOwnPullRequestsAskNothing(t *testing.T) {
	env := newTestEnv(t)
	ev, _ := forkEvent(t, env, sha('f'))
	// No expectations: a call to GitHub would fail the test.
	d, err := CheckFork(context.Background(), env.client, ForkCheck{Event: ev, AllowForks: true})
	if err != nil || !d.Allowed || !strings.Contains(d.Reason, "allow_forks") {
		t.Errorf("allow_forks: decision = %+v, err = %v", d, err)
	}
	own := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('1')})
	ev, err = ParseEvent(env.repo.PullRequestEvent("synchronize", own), "pull_request")
	if err != nil {
		t.Fatal(err)
	}
	d, err = CheckFork(context.Background(), env.client, ForkCheck{Event: ev})
	if err != nil || !d.Allowed || d.Fork || d.Reason != "" {
		t.Errorf("own pull request: decision = %+v, err = %v", d, err)
	}
	for _, ev := range []*Event{nil, {Name: "schedule"}, {Name: "push"}} {
		if d, err := CheckFork(context.Background(), nil, ForkCheck{Event: ev}); err != nil || !d.Allowed {
			t.Errorf("%+v: decision = %+v, err = %v", ev, d, err)
		}
	}
}

func TestForkWithoutATokenIsRefused(t *testing.T) {
	env := newTestEnv(t)
	ev, _ := forkEvent(t, env, sha('f'))
	d, err := CheckFork(context.Background(), nil, ForkCheck{Event: ev})
	if err != nil || d.Allowed || !strings.Contains(d.Reason, "GITHUB_TOKEN") {
		t.Errorf("decision = %+v, err = %v", d, err)
	}
}

func TestIssueCommentEventReadsThePullRequest(t *testing.T) {
	env := newTestEnv(t)
	n := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('f'), HeadRepo: "mallory/models"})
	env.repo.SetRole("alice", "write")
	env.repo.AddComment(n, "alice", "/assay approve "+sha('f'))
	payload := `{"action":"created","issue":{"number":1,"pull_request":{"url":"x"}},"repository":{"full_name":"acme/models"}}`
	ev, err := ParseEvent([]byte(payload), "issue_comment")
	if err != nil || ev.PR == nil || ev.PR.Number != 1 {
		t.Fatalf("event = %+v, err = %v", ev, err)
	}
	env.gh.Expect(fakegithub.GetPull).Times(1)
	env.gh.Expect(fakegithub.ListComments).Times(1)
	env.gh.Expect(fakegithub.GetPermission).Times(1)
	d := check(t, env, ev)
	if !d.Allowed || !d.Fork || d.Head != sha('f') {
		t.Errorf("decision = %+v", d)
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

// TestAnApprovalByAnAccountGitHubDoesNotKnow: GitHub answers 404 for the
// permission of a deleted account; its approval counts as one with no
// access, and the check goes on. Other failures stop the check.
func TestAnApprovalByAnAccountGitHubDoesNotKnow(t *testing.T) {
	env := newTestEnv(t)
	ev, n := forkEvent(t, env, sha('f'))
	env.repo.AddComment(n, "ghost", "/assay approve "+sha('f'))
	env.gh.Expect(fakegithub.ListComments).Times(1)
	env.gh.Expect(fakegithub.GetPermission).Times(1).Fail(fakegithub.NotFound())
	env.gh.Expect(fakegithub.ListIssueLabels).Times(1)
	wantRefused(t, check(t, env, ev), "@ghost's approval does not count", "@ghost has no access")

	env.gh.Expect(fakegithub.ListComments).Times(2)
	env.gh.Expect(fakegithub.GetPermission).Times(2).Fail(fakegithub.Forbidden("Resource not accessible by integration"))
	if d, err := CheckFork(context.Background(), env.client, ForkCheck{Event: ev}); err == nil || d.Allowed || !strings.Contains(err.Error(), "reading @ghost's permission") {
		t.Errorf("a 403 on the permission: %+v, %v; want an error and nothing allowed", d, err)
	}
}
