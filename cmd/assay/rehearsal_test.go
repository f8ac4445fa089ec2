//go:build e2e

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/github"
	"github.com/assaylab/assay/reporter/github/fakegithub"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// TestRehearsal plays the GitOps loop end to end, as the reusable workflow
// runs it, with the real assay binary: a bare origin served by git daemon,
// the fake GitHub API, the push that creates main recording every trial,
// a pull request that changes one experiment, plan → matrix → each shard
// run by its own process at once → report; then the merge's push, after
// which nothing reruns; a direct push to main, which runs what it changed;
// then scheduled nights, one of them drifting. Run it with make e2e.
func TestRehearsal(t *testing.T) {
	for _, bin := range []string{"git", "sh", "awk"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it)", bin)
		}
	}
	start := time.Now()
	r := newRehearsal(t)

	// The team's repository: three experiments on main, pushed to origin.
	author := r.clone("author")
	r.writeProject(author)
	r.git(author, "add", "-A")
	r.git(author, "commit", "-q", "-m", "experiments")
	r.git(author, "push", "-q", "origin", "main")
	mainSHA := r.git(author, "rev-parse", "HEAD")

	// The push that created main has no before commit, so its run plans
	// every trial of main and fans them out like any other.
	seedEnv := r.pushEnv(strings.Repeat("0", 40), mainSHA, "1")
	seed := r.matrix(r.job("seed-plan", mainSHA, seedEnv), "--max-shards", "4")
	if n := seed.trials(); len(seed.Include) != 4 || n != 12 {
		t.Fatalf("the push that created main plans %d trials in %d shards, want 12 in 4", n, len(seed.Include))
	}
	r.runShards("seed", seed, mainSHA, seedEnv)
	mainRecords := r.records()
	if mainRecords != 12 {
		t.Fatalf("origin holds %d records after the main run, want 12", mainRecords)
	}

	// A pull request lowers mlp's learning rate.
	r.git(author, "checkout", "-q", "-b", "lower-lr")
	replaceIn(t, filepath.Join(author, "experiments/mlp.hcl"), "lr     = 0.1", "lr     = 0.03")
	r.git(author, "commit", "-q", "-am", "mlp: lower the learning rate")
	r.git(author, "push", "-q", "origin", "lower-lr")
	headSHA := r.git(author, "rev-parse", "HEAD")
	pr := r.gh.Repo("acme/models").AddPullRequest(fakegithub.PullRequest{
		Title: "mlp: lower the learning rate", HeadSHA: headSHA, BaseSHA: mainSHA, HeadRef: "lower-lr", BaseRef: "main",
	})
	prEnv := r.prEnv(pr, "2")
	callsBefore := len(r.gh.Calls())

	// plan: the matrix of shards, only mlp's six trials (its base side is
	// recorded, so none of it runs).
	matrix := r.matrix(r.job("plan", headSHA, prEnv), "--max-shards", "3")
	for _, e := range matrix.Include {
		if strings.Join(e.RunsOn, ",") != "self-hosted,cpu" || e.BaseTrials != 0 {
			t.Errorf("shard %s runs on %v with %d base trials, want self-hosted,cpu and none", e.Shard, e.RunsOn, e.BaseTrials)
		}
	}
	if len(matrix.Include) != 3 || matrix.trials() != 6 {
		t.Fatalf("matrix %+v: want 3 shards of mlp's 6 trials", matrix.Include)
	}

	// run: each shard on its own runner, all at once, pushing to origin.
	r.runShards("run", matrix, headSHA, prEnv)
	if n := r.records(); n != mainRecords+6 {
		t.Fatalf("origin holds %d records, want %d", n, mainRecords+6)
	}

	// report: one sticky comment with both sides and the verdict, and the
	// status on the head commit.
	report := r.job("report", headSHA, prEnv)
	r.assay(report, nil, "report")
	prCalls := len(r.gh.Calls()) - callsBefore
	comments := r.gh.Repo("acme/models").Comments(pr)
	if len(comments) != 1 {
		t.Fatalf("%d comments on the pull request, want 1", len(comments))
	}
	body := comments[0].Body
	for _, want := range []string{github.Marker, "mlp", "regressed", "0.9", "0.8", "Interactive report"} {
		if !strings.Contains(body, want) {
			t.Errorf("the comment lacks %q:\n%s", want, body)
		}
	}
	if comments[0].User != fakegithub.ActionsBot {
		t.Errorf("comment by %q, want %q", comments[0].User, fakegithub.ActionsBot)
	}
	st := r.gh.Repo("acme/models").Statuses(headSHA)
	if len(st) != 1 || st[0].Context != "assay" || st[0].State != "failure" {
		t.Fatalf("statuses on the head: %+v, want one failure", st)
	}
	// A second report (a rerun of the job) edits nothing and adds nothing.
	r.assay(r.job("report-again", headSHA, prEnv), nil, "report")
	if n := len(r.gh.Repo("acme/models").Comments(pr)); n != 1 {
		t.Errorf("%d comments after the report ran again, want 1", n)
	}
	// The results branch, read back by the git CLI.
	r.gitBare("fsck", "--strict", "--no-dangling")
	if merges := r.gitBare("rev-list", "--min-parents=2", "assay/results"); merges != "" {
		t.Errorf("results history is not linear: %s", merges)
	}
	if !strings.Contains(r.gitBare("ls-tree", "-r", "--name-only", "assay/results"), "reports/pr-1/"+headSHA+".md") {
		t.Error("the full report is not on the results branch")
	}

	// The merge: main moves to the pull request's head, and the push's
	// run plans before → after: mlp changed, but nothing reruns.
	r.git(author, "checkout", "-q", "main")
	r.git(author, "merge", "-q", "--no-ff", "-m", "Merge pull request #1", "lower-lr")
	r.git(author, "push", "-q", "origin", "main")
	mergeSHA := r.git(author, "rev-parse", "HEAD")
	mergeEnv := r.pushEnv(mainSHA, mergeSHA, "3")
	after := r.job("after-merge", mergeSHA, mergeEnv)
	planJSON := r.assay(after, nil, "plan", "--format", "json")
	if !strings.Contains(planJSON, `"modified": 1`) || !strings.Contains(planJSON, `"to_run": 0`) || !strings.Contains(planJSON, `"reused": 6`) {
		t.Errorf("the plan of the merge's push runs something:\n%s", planJSON)
	}
	if m := r.matrix(after); len(m.Include) != 0 {
		t.Errorf("the merge's push has shards: %+v", m.Include)
	}
	if n := r.records(); n != mainRecords+6 {
		t.Errorf("the merge added records: %d", n)
	}

	// A direct push to main changes other: its push run plans that one
	// trial, records it with the pushed commit, and the step summary
	// compares before and after with both sides.
	replaceIn(t, filepath.Join(author, "experiments/other.hcl"), `"0.1", "8"`, `"0.1", "9"`)
	r.git(author, "commit", "-q", "-am", "other: a deeper model")
	r.git(author, "push", "-q", "origin", "main")
	directSHA := r.git(author, "rev-parse", "HEAD")
	directEnv := r.pushEnv(mergeSHA, directSHA, "4")
	direct := r.matrix(r.job("direct-plan", directSHA, directEnv))
	if len(direct.Include) != 1 || direct.trials() != 1 || direct.Include[0].Experiments[0] != "other" {
		t.Fatalf("the direct push's matrix %+v: want other's one trial", direct.Include)
	}
	r.runShards("direct", direct, directSHA, directEnv)
	if n := r.records(); n != mainRecords+7 {
		t.Errorf("origin holds %d records after the direct push, want %d", n, mainRecords+7)
	}
	summary := r.assay(r.job("direct-report", directSHA, directEnv), nil, "compare", "--format", "markdown")
	if !strings.Contains(summary, "other") || strings.Contains(summary, "missing") {
		t.Errorf("the direct push's comparison:\n%s", summary)
	}

	// Nightly: four quiet nights, a drifting one opens an issue, a
	// recovered one closes it. Each night is one scheduled workflow run.
	night := func(run string, shift string) {
		env := r.scheduleEnv(mergeSHA, run)
		dir := r.job("night-"+run, mergeSHA, env)
		extra := map[string]string{"CANARY_SHIFT": shift}
		out := r.assay(dir, extra, "run", "--scheduled")
		if !strings.Contains(out, "5 trials: 5 succeeded") {
			t.Fatalf("night %s:\n%s", run, out)
		}
		rep := r.assay(dir, extra, "report", "--nightly")
		t.Logf("night %s: %s", run, rep)
	}
	for _, run := range []string{"10", "11", "12", "13"} {
		night(run, "0")
	}
	if n := len(r.gh.Repo("acme/models").Issues()); n != 0 {
		t.Fatalf("%d issues after quiet nights", n)
	}
	night("14", "0.2")
	issues := r.gh.Repo("acme/models").Issues()
	if len(issues) != 1 || issues[0].State != "open" || !strings.Contains(issues[0].Title, "canary") {
		t.Fatalf("after the drifting night: %+v, want one open issue about canary", issues)
	}
	night("15", "0")
	if is, _ := r.gh.Repo("acme/models").Issue(issues[0].Number); is.State != "closed" {
		t.Errorf("after recovery the issue is %s, want closed", is.State)
	}

	t.Logf("rehearsal: %s wall; one pull request cost %d GitHub API calls (plan, %d shards, report)",
		time.Since(start).Round(time.Millisecond), prCalls, len(matrix.Include))
}

// rehearsalMatrix is what the plan job hands the run jobs.
type rehearsalMatrix struct {
	Include []runner.MatrixEntry `json:"include"`
}

func (m *rehearsalMatrix) trials() int {
	n := 0
	for _, e := range m.Include {
		n += e.Trials
	}
	return n
}

// matrix runs the plan job's step in dir: assay plan --format
// github-matrix.
func (r *rehearsal) matrix(dir string, args ...string) *rehearsalMatrix {
	r.t.Helper()
	out := r.assay(dir, nil, append([]string{"plan", "--format", "github-matrix"}, args...)...)
	var m rehearsalMatrix
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		r.t.Fatalf("matrix: %v\n%s", err, out)
	}
	return &m
}

// runShards runs each shard of m as its own job, all at once, each in a
// fresh checkout of sha, and checks that each ran what the matrix said.
func (r *rehearsal) runShards(name string, m *rehearsalMatrix, sha string, env map[string]string) {
	r.t.Helper()
	var wg sync.WaitGroup
	out := make([]string, len(m.Include))
	for i, e := range m.Include {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir := r.job(name+"-"+strings.ReplaceAll(e.Shard, "/", "-"), sha, env)
			out[i] = r.assay(dir, nil, "run", "--shard", e.Shard)
		}()
	}
	wg.Wait()
	for i, e := range m.Include {
		want := fmt.Sprintf("%d trials: %d succeeded", e.Trials, e.Trials)
		if e.Trials == 1 {
			want = "1 trial: 1 succeeded"
		}
		if !strings.Contains(out[i], want) {
			r.t.Errorf("shard %s of %s:\n%s", e.Shard, name, out[i])
		}
	}
}

// rehearsal holds the parts every job shares.
type rehearsal struct {
	t      *testing.T
	root   string
	bin    string
	origin string // git:// URL
	bare   string
	gh     *fakegithub.Server
}

const actionsToken = "ghs_actions"

func newRehearsal(t *testing.T) *rehearsal {
	root := t.TempDir()
	bin := filepath.Join(root, "bin", "assay")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building assay: %v\n%s", err, out)
	}
	r := &rehearsal{t: t, root: root, bin: bin, bare: filepath.Join(root, "srv", "models.git")}
	r.run("", nil, "git", "init", "-q", "--bare", "-b", "main", r.bare)
	r.run("", nil, "git", "-C", r.bare, "config", "receive.denyNonFastForwards", "true")
	r.run("", nil, "git", "-C", r.bare, "config", "core.logAllRefUpdates", "always")
	r.origin = gittest.ServeDaemon(t, filepath.Join(root, "srv")) + "models.git"
	r.gh = fakegithub.New(t)
	r.gh.AddActionsToken(actionsToken)
	for _, route := range fakegithub.Routes() {
		r.gh.Expect(route).AtLeast(0)
	}
	return r
}

// baseEnv is what every job sees: git identity, GitHub's address and an
// Actions token.
func (r *rehearsal) baseEnv() map[string]string {
	return map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": r.root, "NO_COLOR": "1", "GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com",
		"GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com",
		"GITHUB_ACTIONS": "true", "GITHUB_API_URL": r.gh.URL(), "GITHUB_SERVER_URL": r.gh.WebURL(),
		"GITHUB_REPOSITORY": "acme/models", "GITHUB_TOKEN": actionsToken,
	}
}

// pushEnv is a push run's environment, with the event GitHub writes for a
// push of main from before to after.
func (r *rehearsal) pushEnv(before, after, runID string) map[string]string {
	env := r.baseEnv()
	p := filepath.Join(r.root, "event-push-"+runID+".json")
	payload := fmt.Sprintf(`{"ref":"refs/heads/main","before":%q,"after":%q,"repository":{"full_name":"acme/models","default_branch":"main"}}`, before, after)
	if err := os.WriteFile(p, []byte(payload), 0o644); err != nil {
		r.t.Fatal(err)
	}
	env["GITHUB_EVENT_NAME"], env["GITHUB_EVENT_PATH"], env["GITHUB_SHA"], env["GITHUB_REF"], env["GITHUB_RUN_ID"] = "push", p, after, "refs/heads/main", runID
	return env
}

func (r *rehearsal) prEnv(pr int, runID string) map[string]string {
	env := r.baseEnv()
	p := filepath.Join(r.root, fmt.Sprintf("event-pr-%d.json", pr))
	if err := os.WriteFile(p, r.gh.Repo("acme/models").PullRequestEvent("synchronize", pr), 0o644); err != nil {
		r.t.Fatal(err)
	}
	env["GITHUB_EVENT_NAME"], env["GITHUB_EVENT_PATH"], env["GITHUB_RUN_ID"] = "pull_request", p, runID
	env["GITHUB_REF"] = fmt.Sprintf("refs/pull/%d/merge", pr)
	return env
}

func (r *rehearsal) scheduleEnv(sha, runID string) map[string]string {
	env := r.baseEnv()
	env["GITHUB_EVENT_NAME"], env["GITHUB_SHA"], env["GITHUB_REF"], env["GITHUB_RUN_ID"] = "schedule", sha, "refs/heads/main", runID
	return env
}

// clone makes a fresh clone of origin, as actions/checkout with
// fetch-depth: 0 does.
func (r *rehearsal) clone(name string) string {
	dir := filepath.Join(r.root, "jobs", name)
	r.run("", r.baseEnv(), "git", "clone", "-q", r.origin, dir)
	return dir
}

// job is one workflow job's checkout: a fresh clone at sha, with its env
// (written beside it for assay to read).
func (r *rehearsal) job(name, sha string, env map[string]string) string {
	dir := r.clone(name)
	r.git(dir, "checkout", "-q", "--detach", sha)
	b, _ := json.Marshal(env)
	os.WriteFile(dir+".env.json", b, 0o644)
	return dir
}

func (r *rehearsal) envOf(dir string) map[string]string {
	env := r.baseEnv()
	if b, err := os.ReadFile(dir + ".env.json"); err == nil {
		json.Unmarshal(b, &env)
	}
	return env
}

// assay runs the real binary in dir as a workflow step would, failing the
// test on a non-zero exit, and returns stdout and stderr together.
func (r *rehearsal) assay(dir string, extra map[string]string, args ...string) string {
	r.t.Helper()
	env := r.envOf(dir)
	for k, v := range extra {
		env[k] = v
	}
	out := filepath.Join(r.root, "out-"+filepath.Base(dir))
	env["GITHUB_OUTPUT"], env["GITHUB_STEP_SUMMARY"] = out+".output", out+".summary"
	return r.run(dir, env, r.bin, args...)
}

func (r *rehearsal) git(dir string, args ...string) string {
	r.t.Helper()
	return r.run(dir, r.baseEnv(), "git", args...)
}

func (r *rehearsal) gitBare(args ...string) string {
	r.t.Helper()
	return r.run(r.bare, r.baseEnv(), "git", args...)
}

// records counts the run records on origin's results branch, read by the
// git CLI.
func (r *rehearsal) records() int {
	r.t.Helper()
	n := 0
	for _, p := range strings.Split(r.gitBare("ls-tree", "-r", "--name-only", "assay/results"), "\n") {
		if strings.HasPrefix(p, "runs/") && strings.HasSuffix(p, ".json") && !strings.HasSuffix(p, ".series.json") {
			n++
		}
	}
	return n
}

func (r *rehearsal) run(dir string, env map[string]string, name string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if env != nil {
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return strings.TrimSpace(string(out))
}

func replaceIn(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), old, new, 1)
	if s == string(b) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	os.WriteFile(path, []byte(s), 0o644)
}

// writeProject writes the team's repository: mlp (a 2-config sweep over 3
// seeds), other (never touched), and canary (scheduled every night).
func (r *rehearsal) writeProject(dir string) {
	files := map[string]string{
		"assay.hcl": `executor "local" {
  gpus   = []
  labels = ["cpu"]
}
`,
		"experiments/mlp.hcl": `experiment "mlp" {
  command = ["sh", "train.sh", "${param.lr}", "${param.depth}", "${seed}"]
  inputs  = ["train.sh"]
  params = {
    lr     = 0.1
    depth  = 2
  }
  sweep {
    param "depth" { values = [2, 4] }
  }
  seeds = [1, 2, 3]
  runner { labels = ["cpu"] }
  metric "acc" {
    goal      = "maximize"
    tolerance = 0.01
  }
}
`,
		"experiments/other.hcl": `experiment "other" {
  command = ["sh", "train.sh", "0.1", "8", "${seed}"]
  inputs  = ["train.sh"]
  runner { labels = ["cpu"] }
  metric "acc" { goal = "maximize" }
}
`,
		"experiments/canary.hcl": `experiment "canary" {
  command  = ["sh", "canary.sh", "${seed}"]
  inputs   = ["canary.sh"]
  seeds    = [1, 2, 3, 4, 5]
  schedule = "nightly"
  runner { labels = ["cpu"] }
  metric "acc" {
    goal      = "maximize"
    tolerance = 0.02
  }
}
`,
		// A learning rate of 0.1 reaches about 0.9 accuracy, 0.03 about 0.8.
		"train.sh": `awk -v lr="$1" -v depth="$2" -v seed="$3" 'BEGIN {
  acc = (lr >= 0.1 ? 0.90 : 0.80) + depth * 0.001 + seed * 0.002
  printf "{\"step\": 1, \"acc\": %.4f}\n", acc
}' >> "$ASSAY_METRICS_FILE"
`,
		// CANARY_SHIFT simulates drift (a dependency upgrade, a data change)
		// without touching the spec, so the keys stay those of earlier nights.
		"canary.sh": `awk -v seed="$1" -v shift="${CANARY_SHIFT:-0}" 'BEGIN {
  printf "{\"step\": 1, \"acc\": %.4f}\n", 0.9 + seed * 0.002 - shift
}' >> "$ASSAY_METRICS_FILE"
`,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}
