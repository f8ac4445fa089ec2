package github

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/github/fakegithub"
)

// TestEveryComparisonResultBecomesItsStatus: each result a comparison can
// have is published as the head commit's `assay` status of the same name
// — an error (results missing, metrics not reported) included, which
// branch protection treats as failing like a regression — with the
// comparison's description and the comment as its Details link. A state
// GitHub does not know is refused before anything is sent.
func TestEveryComparisonResultBecomesItsStatus(t *testing.T) {
	for _, c := range []struct {
		result compare.Result
		state  string
		desc   string
	}{
		{compare.ResultSuccess, StateSuccess, "1 experiment: 1 improved"},
		{compare.ResultFailure, StateFailure, "1 regression: resnet val_acc −0.04"},
		{compare.ResultError, StateError, "metrics not reported (resnet); 2 results missing (vit)"},
	} {
		t.Run(string(c.result), func(t *testing.T) {
			if string(c.result) != c.state {
				t.Fatalf("result %q has no status of its name", c.result)
			}
			env := newTestEnv(t)
			pr := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('c'), BaseSHA: sha('d')})
			env.gh.Expect(fakegithub.GetUser).Times(1)
			env.gh.Expect(fakegithub.ListComments).Times(1)
			env.gh.Expect(fakegithub.CreateComment).Times(1)
			env.gh.Expect(fakegithub.CreateStatus).Times(1)
			p := &Publisher{Client: env.client}
			_, err := p.Publish(context.Background(), PRReport{
				PR: pr, HeadSHA: sha('c'), Report: bigReport(1, 10),
				Status: CommitStatus{State: string(c.result), Description: c.desc},
			})
			if err != nil {
				t.Fatal(err)
			}
			st := env.repo.Statuses(sha('c'))
			comments := env.repo.Comments(pr)
			if len(st) != 1 || len(comments) != 1 {
				t.Fatalf("%d statuses, %d comments; want one of each", len(st), len(comments))
			}
			if st[0].State != c.state || st[0].Context != StatusContext || st[0].Description != c.desc {
				t.Errorf("status %s %s %q, want %s assay %q", st[0].State, st[0].Context, st[0].Description, c.state, c.desc)
			}
			if want := fmt.Sprintf("#issuecomment-%d", comments[0].ID); !strings.HasSuffix(st[0].TargetURL, want) {
				t.Errorf("status target %s, want the comment", st[0].TargetURL)
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		env := newTestEnv(t)
		err := env.client.SetStatus(context.Background(), sha('c'), CommitStatus{State: "regressed"})
		if err == nil || !strings.Contains(err.Error(), `"regressed" is not one of success, failure, error, pending`) {
			t.Errorf("error %v", err)
		}
		if st := env.repo.Statuses(sha('c')); len(st) != 0 {
			t.Errorf("statuses %+v, want none sent", st)
		}
	})
}

// TestLongStatusDescriptionsAreCut: GitHub refuses a description over 140
// characters; one of exactly 140 goes as it is, a longer one is cut to
// 140 with an ellipsis, counted in characters, not bytes.
func TestLongStatusDescriptionsAreCut(t *testing.T) {
	at := strings.Repeat("é", MaxStatusDescription)
	if got := ShortDescription(at); got != at {
		t.Errorf("140 characters cut to %d", len([]rune(got)))
	}
	got := ShortDescription(at + "x")
	if r := []rune(got); len(r) != MaxStatusDescription || r[len(r)-1] != '…' || string(r[:len(r)-1]) != at[:len(at)-2] {
		t.Errorf("141 characters gave %d: %q", len(r), got)
	}
}

// TestGitHubRefusalsAreExplained: a refusal names what assay was doing,
// GitHub's status and message, and what to check.
func TestGitHubRefusalsAreExplained(t *testing.T) {
	for _, c := range []struct {
		fault fakegithub.Fault
		want  []string
	}{
		{fakegithub.Forbidden("Resource not accessible by integration"), []string{"GitHub answered 403 Resource not accessible by integration", "give the workflow `permissions: { pull-requests: write, statuses: write, issues: write }`"}},
		{fakegithub.Forbidden("Must have admin rights to Repository."), []string{"GitHub answered 403 Must have admin rights to Repository.", "the token may not do this"}},
		{fakegithub.NotFound(), []string{"GitHub answered 404 Not Found", "not found, or the token cannot see it; check GITHUB_REPOSITORY"}},
	} {
		env := newTestEnv(t)
		env.gh.Expect(fakegithub.CreateStatus).Times(1).Fail(c.fault)
		err := env.client.SetStatus(context.Background(), sha('c'), CommitStatus{State: StateSuccess, Description: "ok"})
		if err == nil {
			t.Fatalf("%v: no error", c.want)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	}
}

// TestAValidationRefusalNamesTheField: GitHub's 422 says only "Validation
// Failed"; what was wrong is in its errors, and the error shows it.
func TestAValidationRefusalNamesTheField(t *testing.T) {
	env := newTestEnv(t)
	env.gh.Expect(fakegithub.CreateStatus).Times(1)
	err := env.client.SetStatus(context.Background(), sha('c'), CommitStatus{State: StateSuccess, Description: "ok", TargetURL: "ftp://example.com/report.md"})
	want := "setting the " + StatusContext + " status of " + short(sha('c')) + ": GitHub answered 422 Validation Failed: target_url must use http(s) scheme"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	if st := env.repo.Statuses(sha('c')); len(st) != 0 {
		t.Errorf("statuses %+v, want none set", st)
	}
}
