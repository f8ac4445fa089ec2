package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/github"
	"github.com/assaylab/assay/reporter/github/fakegithub"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
)

// These tests run assay in-process against the fake GitHub: testscript
// scripts cannot start it, so the scenarios that talk to GitHub live here
// and those that do not (dry runs, usage errors) in
// testdata/script/report_*.txtar.

// reportEnv is a repository, an environment for assay, and a fake GitHub
// serving acme/models.
type reportEnv struct {
	t    *testing.T
	dir  string
	env  map[string]string
	gh   *fakegithub.Server
	repo *fakegithub.Repo
}

func newReportEnv(t *testing.T, files map[string]string) *reportEnv {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed (the CI installs it with apt-get install git)")
	}
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	gh := fakegithub.New(t)
	gh.AddToken("ghp_cli", "assay-bot")
	e := &reportEnv{t: t, dir: dir, gh: gh, repo: gh.Repo("acme/models"), env: map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": dir, "NO_COLOR": "1", "GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com",
		"GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com",
		"GITHUB_API_URL": gh.URL(), "GITHUB_REPOSITORY": "acme/models", "GITHUB_TOKEN": "ghp_cli",
	}}
	e.git("init", "-q", "-b", "main")
	e.git("add", "-A")
	e.git("commit", "-q", "-m", "init")
	return e
}

func (e *reportEnv) git(args ...string) string {
	e.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = e.dir
	for k, v := range e.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		e.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// assay runs assay in-process and returns its exit code and output.
func (e *reportEnv) assay(args ...string) (int, string, string) {
	e.t.Helper()
	io, _, out, errOut := testIO()
	f := &Factory{
		IO:     io,
		Getenv: func(k string) string { return e.env[k] },
		Environ: func() []string {
			var env []string
			for k, v := range e.env {
				env = append(env, k+"="+v)
			}
			return env
		},
		Dir:     e.dir,
		Context: context.Background(),
	}
	code := Main(args, f)
	return code, out.String(), errOut.String()
}

func (e *reportEnv) mustAssay(args ...string) string {
	e.t.Helper()
	code, out, errOut := e.assay(args...)
	if code != 0 {
		e.t.Fatalf("assay %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// event writes the pull_request event of number and points assay at it.
func (e *reportEnv) event(number int) {
	e.t.Helper()
	p := filepath.Join(e.t.TempDir(), "event.json")
	if err := os.WriteFile(p, e.repo.PullRequestEvent("synchronize", number), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.env["GITHUB_EVENT_PATH"] = p
	e.env["GITHUB_EVENT_NAME"] = "pull_request"
}

var trainProject = map[string]string{
	"assay.hcl": `executor "local" {
  gpus   = []
  labels = ["cpu"]
}
`,
	"experiments/train.hcl": `experiment "train" {
  command = ["sh", "train.sh", "${param.lr}", "${seed}"]
  params  = { lr = 0.1 }
  seeds   = [1, 2, 3]
  runner { labels = ["cpu"] }
  metric "acc" {
    goal      = "maximize"
    tolerance = 0.01
  }
}
`,
	// A lower learning rate loses about 0.1 of accuracy: a regression.
	"train.sh": `case "$1-$2" in
0.1-1) a=0.901 ;; 0.1-2) a=0.905 ;; 0.1-3) a=0.899 ;;
*-1) a=0.801 ;; *-2) a=0.806 ;; *) a=0.798 ;;
esac
echo "{\"acc\": $a}" >> "$ASSAY_METRICS_FILE"
`,
}

func TestReportPostsOneCommentAndTheStatus(t *testing.T) {
	e := newReportEnv(t, trainProject)
	e.mustAssay("run", "--all")
	base := e.git("rev-parse", "HEAD")
	e.git("checkout", "-q", "-b", "feature")
	spec := filepath.Join(e.dir, "experiments/train.hcl")
	src, _ := os.ReadFile(spec)
	os.WriteFile(spec, []byte(strings.Replace(string(src), "lr = 0.1", "lr = 0.03", 1)), 0o644)
	e.git("commit", "-q", "-am", "lower the learning rate")
	head := e.git("rev-parse", "HEAD")
	e.mustAssay("run")
	pr := e.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: head, BaseSHA: base})
	e.event(pr)

	e.gh.Expect(fakegithub.GetUser).Times(2)
	e.gh.Expect(fakegithub.ListComments).Times(2)
	e.gh.Expect(fakegithub.CreateComment).Times(1)
	e.gh.Expect(fakegithub.CreateStatus).Times(2)

	out := e.mustAssay("report")
	if !strings.Contains(out, "Comment on #1 created: "+e.gh.WebURL()+"/acme/models/issues/1#issuecomment-") {
		t.Errorf("stdout:\n%s", out)
	}
	comments := e.repo.Comments(pr)
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1", len(comments))
	}
	body := comments[0].Body
	for _, want := range []string{github.Marker + "\n", "train", "acc", "regressed"} {
		if !strings.Contains(body, want) {
			t.Errorf("comment lacks %q:\n%s", want, body)
		}
	}
	st := e.repo.Statuses(head)
	if len(st) != 1 || st[0].Context != "assay" || st[0].State != "failure" || st[0].Description == "" {
		t.Fatalf("statuses = %+v, want one failure", st)
	}
	if !strings.HasSuffix(st[0].TargetURL, fmt.Sprintf("#issuecomment-%d", comments[0].ID)) {
		t.Errorf("status links to %s, not the comment", st[0].TargetURL)
	}
	// The full report and the interactive one are on the results branch,
	// and the comment links to both; the git CLI reads them back.
	md := e.git("show", "assay/results:reports/pr-1/"+head+".md")
	page := e.git("show", "assay/results:reports/pr-1/"+head+".html")
	if !strings.Contains(md, "regressed") || !strings.Contains(page, "<html") {
		t.Errorf("reports on the branch: markdown %d bytes, html %d bytes", len(md), len(page))
	}
	for _, want := range []string{"/blob/assay/results/reports/pr-1/" + head + ".md", "[Interactive report](", "/reports/pr-1/" + head + ".html"} {
		if !strings.Contains(body, want) {
			t.Errorf("comment lacks the link %q:\n%s", want, body)
		}
	}

	// A rerun finds the comment and leaves it as it is.
	out = e.mustAssay("report", "--format", "json")
	if !strings.Contains(out, `"action": "unchanged"`) {
		t.Errorf("rerun:\n%s", out)
	}
	if n := len(e.repo.Comments(pr)); n != 1 {
		t.Errorf("%d comments after a rerun, want 1", n)
	}
}

func TestReportNeedsAPullRequest(t *testing.T) {
	e := newReportEnv(t, trainProject)
	code, _, errOut := e.assay("report")
	if code != exitUsage || !strings.Contains(errOut, "no pull request to report on: pass --pr N") {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
	delete(e.env, "GITHUB_TOKEN")
	code, _, errOut = e.assay("report", "--pr", "3")
	if code != exitFailure || !strings.Contains(errOut, "GITHUB_TOKEN is not set") {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
}

func TestNightlyDriftOpensAndClosesAnIssue(t *testing.T) {
	files := map[string]string{}
	for k, v := range trainProject {
		files[k] = v
	}
	files["experiments/train.hcl"] = strings.Replace(trainProject["experiments/train.hcl"], "seeds   = [1, 2, 3]", "seeds   = [1, 2, 3]\n  schedule = \"nightly\"", 1)
	e := newReportEnv(t, files)
	sp, err := spool.Open(spool.DefaultDir(e.dir))
	if err != nil {
		t.Fatal(err)
	}
	night := func(day int, accs ...float64) {
		for i, a := range accs {
			start := time.Date(2026, 3, day, 3, 0, i, 0, time.UTC)
			r := &runner.Result{
				Schema: runner.ResultSchema, RunID: runner.NewRunID(start), TrialKey: strings.Repeat("ab", 32),
				Experiment: "train", Params: map[string]any{"lr": 0.1}, Seed: int64(i + 1), Status: runner.StatusSucceeded,
				Attempt: 1, Metrics: map[string]float64{"acc": a}, Started: start, Finished: start.Add(time.Minute),
				DurationS: 60, Trigger: runner.TriggerSchedule,
			}
			if err := sp.Put(&runner.Run{Result: r}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for d := 1; d <= 7; d++ {
		night(d, 0.900+0.001*float64(d%3), 0.902, 0.899)
	}
	night(8, 0.85, 0.852, 0.848)
	e.env["GITHUB_EVENT_NAME"] = "schedule"
	e.gh.Expect(fakegithub.GetUser).Times(2)
	e.gh.Expect(fakegithub.ListIssues).Times(2)
	e.gh.Expect(fakegithub.CreateIssue).Times(1)
	e.gh.Expect(fakegithub.CreateComment).Times(1)
	e.gh.Expect(fakegithub.EditIssue).Times(1)

	out := e.mustAssay("report", "--nightly")
	if !strings.Contains(out, "train") || !strings.Contains(out, "drifting") || !strings.Contains(out, "opened") {
		t.Errorf("night 8:\n%s", out)
	}
	issues := e.repo.Issues()
	if len(issues) != 1 || issues[0].State != "open" || issues[0].Labels[0] != github.DriftLabel {
		t.Fatalf("issues = %+v", issues)
	}
	night(9, 0.901, 0.900, 0.902)
	out = e.mustAssay("report", "--nightly")
	if !strings.Contains(out, "closed") {
		t.Errorf("night 9:\n%s", out)
	}
	if is, _ := e.repo.Issue(issues[0].Number); is.State != "closed" {
		t.Errorf("issue = %+v, want closed", is)
	}
}
