package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/assaylab/assay/reporter/github/fakegithub"
)

const resultsBranch = "assay/results"

// gitReportStore keeps reports on the results branch of a real git
// repository, as the results store does: one commit per new file, nothing
// for a file that is already there with the same content.
type gitReportStore struct {
	dir  string
	repo *git.Repository
}

func newGitReportStore(t *testing.T) *gitReportStore {
	t.Helper()
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	head := plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName(resultsBranch))
	if err := repo.Storer.SetReference(head); err != nil {
		t.Fatal(err)
	}
	return &gitReportStore{dir: dir, repo: repo}
}

func (s *gitReportStore) PutReport(_ context.Context, path string, body []byte) error {
	if old, ok := s.read(resultsBranch, path); ok && bytes.Equal(old, body) {
		return nil
	}
	full := filepath.Join(s.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(full, body, 0o644); err != nil {
		return err
	}
	wt, err := s.repo.Worktree()
	if err != nil {
		return err
	}
	if _, err := wt.Add(path); err != nil {
		return err
	}
	sig := &object.Signature{Name: "assay", Email: "assay@localhost", When: time.Now()}
	_, err = wt.Commit("assay: report "+path, &git.CommitOptions{Author: sig, Committer: sig})
	return err
}

// read returns path on branch, through go-git: what the fake's web pages
// serve.
func (s *gitReportStore) read(branch, path string) ([]byte, bool) {
	ref, err := s.repo.Reference(plumbing.NewBranchReferenceName(branch), true)
	if err != nil {
		return nil, false
	}
	c, err := s.repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, false
	}
	f, err := c.File(path)
	if err != nil {
		return nil, false
	}
	text, err := f.Contents()
	return []byte(text), err == nil
}

func gitCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func newPublisher(env *testEnv, store *gitReportStore, client *Client) *Publisher {
	return &Publisher{
		Client: client,
		Store:  store,
		ReportURL: func(path string) string {
			return env.cfg.BlobURL("acme", "models", resultsBranch, path)
		},
	}
}

func Test300KBReportIsPostedUnderTheLimitWithAWorkingLink(t *testing.T) {
	env := newTestEnv(t)
	store := newGitReportStore(t)
	env.repo.ServeFiles(store.read)
	pr := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('c'), BaseSHA: sha('d')})
	env.gh.Expect(fakegithub.GetUser).Times(1)
	env.gh.Expect(fakegithub.ListComments).Times(1)
	env.gh.Expect(fakegithub.CreateComment).Times(1)
	env.gh.Expect(fakegithub.CreateStatus).Times(1)
	env.gh.Expect(fakegithub.WebBlob).Times(1)

	report := bigReport(400, 800)
	pub, err := newPublisher(env, store, env.client).Publish(context.Background(), PRReport{
		PR: pr, HeadSHA: sha('c'), Report: report,
		Status: CommitStatus{State: StateFailure, Description: "resnet18: val_acc regressed 0.912 → 0.874 (−4.2%, p=0.003)"},
	})
	if err != nil {
		t.Fatal(err)
	}
	comments := env.repo.Comments(pr)
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1", len(comments))
	}
	posted := comments[0].Body
	if n := len([]rune(posted)); n > MaxCommentChars || !strings.HasPrefix(posted, Marker+"\n") {
		t.Errorf("posted %d characters, marker first: %v", n, strings.HasPrefix(posted, Marker))
	}

	// The link in the comment leads to the whole report.
	wantURL := env.gh.WebURL() + "/acme/models/blob/assay/results/reports/pr-1/" + sha('c') + ".md"
	if pub.ReportURL != wantURL || !strings.Contains(posted, "[Full report]("+wantURL+")") {
		t.Fatalf("report URL = %s, want %s in the comment", pub.ReportURL, wantURL)
	}
	resp, err := http.Get(wantURL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != report.Markdown() {
		t.Errorf("following the link: %d, %d bytes; want the %d-byte report", resp.StatusCode, len(got), len(report.Markdown()))
	}
	// git itself reads the same file from the results branch.
	shown := gitCLI(t, store.dir, "show", resultsBranch+":reports/pr-1/"+sha('c')+".md")
	if shown != report.Markdown() {
		t.Errorf("git show gives %d bytes, want %d", len(shown), len(report.Markdown()))
	}
	gitCLI(t, store.dir, "fsck", "--strict")

	// The status says what happened, and its Details link is the comment.
	st := env.repo.Statuses(sha('c'))
	if len(st) != 1 || st[0].Context != "assay" || st[0].State != "failure" || !strings.Contains(st[0].Description, "val_acc regressed") {
		t.Fatalf("statuses = %+v", st)
	}
	if want := fmt.Sprintf("#issuecomment-%d", comments[0].ID); !strings.HasSuffix(st[0].TargetURL, want) {
		t.Errorf("status target = %s, want the comment", st[0].TargetURL)
	}
}

func TestGitHubDownLosesNothingAndARerunPublishes(t *testing.T) {
	env := newTestEnv(t)
	store := newGitReportStore(t)
	pr := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('c')})
	down := []fakegithub.Fault{fakegithub.ServerError(502), fakegithub.ServerError(502)}
	env.gh.Expect(fakegithub.GetUser).Times(1)
	env.gh.Expect(fakegithub.ListComments).Times(2)
	env.gh.Expect(fakegithub.CreateComment).Times(3).Fail(down...)
	env.gh.Expect(fakegithub.CreateStatus).Times(3).Fail(down...)

	client := env.newClient(t, RetryPolicy{MaxAttempts: 2})
	report := PRReport{PR: pr, HeadSHA: sha('c'), Report: bigReport(3, 300), Status: CommitStatus{State: StateSuccess, Description: "no regressions"}}
	_, err := newPublisher(env, store, client).Publish(context.Background(), report)
	var pe *PublishError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a PublishError", err)
	}
	path := "reports/pr-1/" + sha('c') + ".md"
	for _, want := range []string{"502 Bad Gateway", path, "rerunning `assay report` publishes it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, ok := store.read(resultsBranch, path); !ok {
		t.Fatal("the report is not on the results branch")
	}
	if len(env.repo.Comments(pr)) != 0 || len(env.repo.Statuses(sha('c'))) != 0 {
		t.Fatal("something was posted while GitHub was down")
	}

	// GitHub is back: the rerun posts, and the branch gains no commit.
	before := gitCLI(t, store.dir, "rev-list", "--count", resultsBranch)
	if _, err := newPublisher(env, store, client).Publish(context.Background(), report); err != nil {
		t.Fatal(err)
	}
	if len(env.repo.Comments(pr)) != 1 || len(env.repo.Statuses(sha('c'))) != 1 {
		t.Errorf("after the rerun: %d comments, %d statuses; want 1 and 1", len(env.repo.Comments(pr)), len(env.repo.Statuses(sha('c'))))
	}
	if after := gitCLI(t, store.dir, "rev-list", "--count", resultsBranch); after != before {
		t.Errorf("results branch went from %s to %s commits", before, after)
	}
}

func TestPrepareSendsNothing(t *testing.T) {
	env := newTestEnv(t)
	// No expectations: any call fails the test.
	p := &Publisher{Store: newGitReportStore(t), ReportURL: func(p string) string { return "https://github.com/acme/models/blob/assay/results/" + p }}
	pub := p.Prepare(PRReport{PR: 7, HeadSHA: sha('e'), Report: bigReport(1, 10),
		Status: CommitStatus{State: StateError, Description: strings.Repeat("long ", 40)}})
	if !strings.HasPrefix(pub.Body, Marker+"\n") || pub.ReportPath != "reports/pr-7/"+sha('e')+".md" {
		t.Errorf("prepared = %+v", pub)
	}
	// Until a comment exists, the status's Details link leads to the
	// full report.
	if pub.Status.TargetURL != pub.ReportURL || !strings.HasSuffix(pub.ReportURL, pub.ReportPath) {
		t.Errorf("status target %q, want the report %q", pub.Status.TargetURL, pub.ReportURL)
	}
	if n := len([]rune(pub.Status.Description)); n != MaxStatusDescription {
		t.Errorf("description is %d characters, want it cut to %d", n, MaxStatusDescription)
	}
	_ = env
}

func TestEnterpriseAPIURLIsUsedAsIsAndLinksFollowIt(t *testing.T) {
	env := newTestEnv(t, fakegithub.WithAPIPrefix("/api/v3"))
	if !strings.HasSuffix(env.cfg.APIURL, "/api/v3/") {
		t.Fatalf("API URL = %s", env.cfg.APIURL)
	}
	store := newGitReportStore(t)
	env.repo.ServeFiles(store.read)
	pr := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('c')})
	env.gh.Expect(fakegithub.GetUser).Times(1)
	env.gh.Expect(fakegithub.ListComments).Times(1)
	env.gh.Expect(fakegithub.CreateComment).Times(1)
	env.gh.Expect(fakegithub.CreateStatus).Times(1)
	env.gh.Expect(fakegithub.WebBlob).Times(1)
	pub, err := newPublisher(env, store, env.client).Publish(context.Background(), PRReport{
		PR: pr, HeadSHA: sha('c'), Report: bigReport(2, 100), Status: CommitStatus{State: StateSuccess, Description: "ok"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// GITHUB_SERVER_URL is unset: the web root is the API URL without
	// /api/v3, as on GitHub Enterprise Server.
	if want := env.gh.WebURL() + "/acme/models/blob/assay/results/"; !strings.HasPrefix(pub.ReportURL, want) {
		t.Fatalf("report URL = %s, want it under %s", pub.ReportURL, want)
	}
	resp, err := http.Get(pub.ReportURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("following the link: %d", resp.StatusCode)
	}
	for _, c := range env.gh.Calls() {
		if strings.Contains(c.Path, "/api/v3/api/v3") {
			t.Errorf("the API prefix was added twice: %s", c.Path)
		}
	}
}
