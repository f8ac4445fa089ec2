package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/github/fakegithub"
)

// TestForkPullRequestRunsOnlyApprovedCommits plays a fork's pull request
// through plan and run as a workflow would: nothing runs until a
// maintainer approves the head commit; a push needs a new approval; the
// re-run of an approved run passes; a GitHub error runs nothing.
func TestForkPullRequestRunsOnlyApprovedCommits(t *testing.T) {
	e := newReportEnv(t, trainProject)
	first := e.git("rev-parse", "HEAD")
	pr := e.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: first, BaseSHA: first, HeadRepo: "mallory/models", User: "mallory"})
	e.repo.SetRole("alice", "maintain")
	e.event(pr)
	firstEvent := e.env["GITHUB_EVENT_PATH"]
	e.gh.Expect(fakegithub.ListComments).AtLeast(1)
	e.gh.Expect(fakegithub.ListIssueLabels).AtLeast(1)
	e.gh.Expect(fakegithub.GetPermission).AtLeast(1)

	code, out, errOut := e.assay("plan", "--all", "--format", "json")
	if code != 0 || !strings.Contains(errOut, "pull request #1 comes from the fork mallory/models, so assay runs none of its trials at "+first[:7]) ||
		!strings.Contains(errOut, "`/assay approve "+first+"`") {
		t.Fatalf("plan: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, `"to_run": 0`) || strings.Contains(out, `"to_run": 3`) {
		t.Errorf("a fork's plan lists trials to run:\n%s", out)
	}
	code, _, errOut = e.assay("run", "--all")
	if code != 0 || !strings.Contains(errOut, "Nothing to run") {
		t.Errorf("run: exit %d\n%s", code, errOut)
	}
	if sp, _ := os.ReadDir(filepath.Join(e.dir, ".git/assay/spool")); len(sp) != 0 {
		t.Errorf("a fork's trials ran: %d runs in the spool", len(sp))
	}

	// The fork's author cannot approve; a maintainer can, and the re-run
	// of the same event now plans the trials.
	e.repo.AddComment(pr, "mallory", "/assay approve "+first)
	e.repo.AddComment(pr, "alice", "Reviewed.\n/assay approve "+first)
	code, out, errOut = e.assay("plan", "--all", "--format", "json")
	if code != 0 || !strings.Contains(errOut, "because @alice (maintain) approved that commit") || !strings.Contains(out, `"to_run": 3`) {
		t.Fatalf("approved plan: exit %d\n%s\n%s", code, out, errOut)
	}

	// A push: the new head needs its own approval.
	os.WriteFile(filepath.Join(e.dir, "train.sh"), []byte("echo '{\"acc\": 1}' >> \"$ASSAY_METRICS_FILE\"\n"), 0o755)
	e.git("commit", "-qam", "a change after the review")
	second := e.git("rev-parse", "HEAD")
	e.repo.Push(pr, second)
	e.event(pr)
	code, out, errOut = e.assay("plan", "--all", "--format", "json")
	if code != 0 || !strings.Contains(errOut, "runs none of its trials at "+second[:7]) || !strings.Contains(errOut, "every push needs a new approval") {
		t.Fatalf("plan after a push: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, `"to_run": 0`) {
		t.Errorf("an unapproved push plans trials:\n%s", out)
	}

	// Re-running the first run replays its event: its commit was approved.
	e.env["GITHUB_EVENT_PATH"] = firstEvent
	if code, out, errOut = e.assay("plan", "--all", "--format", "json"); code != 0 || !strings.Contains(out, `"to_run": 3`) {
		t.Errorf("re-run of the approved commit's run: exit %d\n%s\n%s", code, out, errOut)
	}

	// GitHub cannot be asked: the command fails and plans nothing.
	e.gh.Expect(fakegithub.ListComments).Fail(fakegithub.PrimaryRateLimit(2 * time.Hour))
	code, out, errOut = e.assay("plan", "--all", "--format", "json")
	if code != exitFailure || !strings.Contains(errOut, "checking whether a maintainer approved this fork's pull request, so running none of its trials") ||
		!strings.Contains(errOut, "rate limit") || strings.Contains(out, `"to_run": 3`) {
		t.Errorf("plan with GitHub unreachable: exit %d\n%s\n%s", code, out, errOut)
	}
}
