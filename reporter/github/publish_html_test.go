package github

import (
	"context"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/github/fakegithub"
)

// TestInteractiveReportIsKeptAndLinked: the interactive report is kept on
// the results branch beside the full one and linked from the comment's
// head (to the results site instead, when one is set); without one, the
// comment links to none and the branch keeps none.
func TestInteractiveReportIsKeptAndLinked(t *testing.T) {
	html := []byte("<!doctype html><title>report</title>")
	for _, c := range []struct {
		name         string
		html         []byte
		interactive  string
		wantLink     string // in the comment; "" for no link
		wantKeptHTML bool
	}{
		{name: "on the results branch", html: html,
			wantLink: "[Interactive report](BLOB) (curves, sweeps; download it to open offline)", wantKeptHTML: true},
		{name: "on the results site", html: html, interactive: "https://results.example/acme/models/pr-1",
			wantLink: "[Interactive report](https://results.example/acme/models/pr-1) (the results site)", wantKeptHTML: true},
		{name: "none", interactive: "https://results.example/acme/models/pr-1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := newTestEnv(t)
			store := newGitReportStore(t)
			pr := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('c')})
			env.gh.Expect(fakegithub.GetUser).Times(1)
			env.gh.Expect(fakegithub.ListComments).Times(1)
			env.gh.Expect(fakegithub.CreateComment).Times(1)
			env.gh.Expect(fakegithub.CreateStatus).Times(1)
			p := newPublisher(env, store, env.client)
			p.InteractiveURL, p.InteractiveNote = c.interactive, "the results site"
			pub, err := p.Publish(context.Background(), PRReport{
				PR: pr, HeadSHA: sha('c'), Report: bigReport(1, 10), HTML: c.html,
				Status: CommitStatus{State: StateSuccess, Description: "ok"},
			})
			if err != nil {
				t.Fatal(err)
			}
			comments := env.repo.Comments(pr)
			if len(comments) != 1 {
				t.Fatalf("comments %+v, want one", comments)
			}
			body := comments[0].Body
			htmlPath := HTMLReportPath(pr, sha('c'))
			want := strings.ReplaceAll(c.wantLink, "BLOB", env.cfg.BlobURL("acme", "models", resultsBranch, htmlPath))
			switch {
			case want == "" && strings.Contains(body, "Interactive report"):
				t.Errorf("comment links an interactive report there is none of:\n%s", body)
			case want != "" && !strings.Contains(body, want):
				t.Errorf("comment lacks %q:\n%s", want, body)
			}
			kept, ok := store.read(resultsBranch, htmlPath)
			if c.wantKeptHTML != ok || (ok && string(kept) != string(html)) {
				t.Errorf("results branch keeps %q at %s (%v), want kept %v", kept, htmlPath, ok, c.wantKeptHTML)
			}
			if c.wantKeptHTML != (pub.HTMLPath == htmlPath) {
				t.Errorf("publication's HTML path %q", pub.HTMLPath)
			}
		})
	}
}

// TestPublishNeedsAPullRequest: a report of no pull request (a preview)
// is never posted; the error says what is missing.
func TestPublishNeedsAPullRequest(t *testing.T) {
	env := newTestEnv(t)
	// No expectations: any call fails the test.
	for _, n := range []int{0, -1} {
		_, err := newPublisher(env, newGitReportStore(t), env.client).Publish(context.Background(), PRReport{
			PR: n, HeadSHA: sha('c'), Report: bigReport(1, 10), Status: CommitStatus{State: StateSuccess}})
		if err == nil || !strings.Contains(err.Error(), "publishing needs a pull request number") {
			t.Errorf("PR %d: err = %v", n, err)
		}
	}
}
