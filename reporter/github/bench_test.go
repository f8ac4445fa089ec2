package github

import (
	"context"
	"fmt"
	"testing"

	"github.com/assaylab/assay/reporter/github/fakegithub"
)

// BenchmarkFit300KB fits a 300 KB report of 400 experiments into one
// comment; BenchmarkJoin300KB is the baseline: joining the same report
// whole, which any poster must do at least.
func BenchmarkFit300KB(b *testing.B) {
	r := bigReport(400, 800)
	b.SetBytes(int64(len(r.Markdown())))
	for b.Loop() {
		if f := Fit(r, "https://example.com/r.md", 0); f.Length > MaxCommentChars {
			b.Fatal("over the limit")
		}
	}
}

func BenchmarkJoin300KB(b *testing.B) {
	r := bigReport(400, 800)
	b.SetBytes(int64(len(r.Markdown())))
	for b.Loop() {
		_ = r.Markdown()
	}
}

// BenchmarkStickyAmong1000Comments finds and edits the sticky comment
// among 1,000 (ten pages) on the fake GitHub over loopback HTTP;
// BenchmarkListOnePage is the baseline of one page's round trip.
func BenchmarkStickyAmong1000Comments(b *testing.B) {
	env := newBenchEnv(b, 1000)
	n := 0
	for b.Loop() {
		n++
		if _, err := env.client.UpsertComment(context.Background(), 1, body(fmt.Sprint(n))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListOnePage(b *testing.B) {
	env := newBenchEnv(b, 100)
	for b.Loop() {
		if _, err := env.client.stickyComments(context.Background(), 1, testLogin); err != nil {
			b.Fatal(err)
		}
	}
}

// newBenchEnv is a fake GitHub with one pull request of n comments, the
// last of them the sticky one.
func newBenchEnv(b *testing.B, comments int) *testEnv {
	b.Helper()
	gh := fakegithub.New(b)
	gh.AddToken(testToken, testLogin)
	env := &testEnv{gh: gh, repo: gh.Repo("acme/models"), clock: newFakeClock()}
	env.cfg = Config{APIURL: gh.URL(), Token: testToken, Owner: "acme", Repo: "models"}
	c, err := NewClient(env.cfg, RetryPolicy{})
	if err != nil {
		b.Fatal(err)
	}
	env.client = c
	pr := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('a')})
	for i := range comments {
		login := "alice"
		if i == comments-1 {
			login = testLogin
		}
		env.repo.AddComment(pr, login, body(fmt.Sprintf("comment %d", i)))
	}
	for _, r := range []string{fakegithub.GetUser, fakegithub.ListComments, fakegithub.EditComment} {
		gh.Expect(r).AtLeast(0)
	}
	return env
}
