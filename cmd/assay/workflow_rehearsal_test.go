//go:build e2e

package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/github"
	"github.com/assaylab/assay/reporter/github/fakegithub"
)

// TestWorkflow executes the shipped workflows as GitHub would, with act on
// this machine and no network: the caller workflow that assay init
// writes, which calls .github/workflows/experiments.yml@v1 (this
// checkout), whose jobs install assay with .github/actions/install@v1
// from a snapshot release that GoReleaser built from this checkout and
// the fake GitHub serves (or, for a commit, with go install from a module
// zip of it). The origin is a bare repository behind git daemon; checkout,
// setup-go and cache are local stand-ins (testdata/actions). Each scenario
// checks the fake GitHub's state and origin's results branch, read with the
// git CLI. Run it with make e2e-workflow.
func TestWorkflow(t *testing.T) {
	start := time.Now()
	w := newWorkflowEnv(t)
	t.Logf("act: %s", runIn(t, "", []string{"HOME=" + t.TempDir()}, w.actBin, "--version"))
	t.Run("pull-request", w.pullRequest)
	t.Run("first-pr-after-adoption", w.firstPullRequest)
	t.Run("secret-env", w.secretEnv)
	t.Run("failing-trial", w.failingTrial)
	t.Run("nights", w.nights)
	t.Run("go-install-fallback", w.goInstallFallback)
	t.Logf("TestWorkflow: %s wall (snapshot release %s)%s", time.Since(start).Round(time.Second),
		w.release.Took.Round(time.Second), w.table())
}

// The example experiment's sweep, as assay init writes it, and the
// changes the pull requests make to it. A lower learning rate converges
// more slowly: the loss regresses.
const (
	sweepInit   = `param "lr" { values = [0.1, 0.03] }`
	sweepLower  = `param "lr" { values = [0.03, 0.01] }`
	sweepBackTo = `param "lr" { values = [0.1, 0.01] }`
)

var everyJob = map[string]string{"plan": "success", "run": "success", "report": "success"}

// pullRequest: assay init → a push to main records its results → a pull
// request that changes lr gets one sticky comment with both sides and a
// verdict, and the status; a second push to it edits that comment (its
// trials are all recorded already, so nothing runs).
func (w *workflowEnv) pullRequest(t *testing.T) {
	r := w.newRig(t, "pull request")
	main := r.commit("assay init")
	r.git(r.author, "push", "-q", "origin", "main")
	push := r.act("push to main", "push", pushEvent(zeroSHA, main), main)
	r.wantJobs(push, everyJob)
	if n := r.records(); n != 6 {
		t.Fatalf("origin holds %d records after the push to main, want the example's 6", n)
	}
	if n := len(r.gh.CallsTo(fakegithub.CreateComment)); n != 0 {
		t.Errorf("a push to main commented %d times", n)
	}

	r.git(r.author, "checkout", "-q", "-b", "lower-lr")
	r.edit("experiments/example.hcl", sweepInit, sweepLower)
	r.commit("example: lower learning rates")
	pr, head, merge := r.openPullRequest("lower-lr", main, "example: lower learning rates")
	run := r.act("pull request", "pull_request", r.gh.Repo(actionsRepo).PullRequestEvent("opened", pr), merge)
	r.wantJobs(run, everyJob)
	comments := r.gh.Repo(actionsRepo).Comments(pr)
	if len(comments) != 1 {
		t.Fatalf("%d comments on the pull request, want 1", len(comments))
	}
	first := comments[0]
	for _, want := range []string{github.Marker, "example", "regressed", "0.1", "0.03"} {
		if !strings.Contains(first.Body, want) {
			t.Errorf("the comment lacks %q:\n%s", want, first.Body)
		}
	}
	if strings.Contains(first.Body, "missing") {
		t.Errorf("the comment reports missing results:\n%s", first.Body)
	}
	wantStatus(t, r, head, "failure")
	// Three new trials (lr 0.01); lr 0.03 is reused from main.
	if n := r.records(); n != 9 {
		t.Errorf("origin holds %d records after the pull request, want 9", n)
	}

	// A second push to the pull request: the same comment, edited.
	r.edit("experiments/example.hcl", sweepLower, sweepBackTo)
	r.commit("example: keep lr 0.1 after all")
	head2, merge2 := r.pushToPullRequest(pr, "lower-lr", main)
	again := r.act("second push", "pull_request", r.gh.Repo(actionsRepo).PullRequestEvent("synchronize", pr), merge2)
	// Every trial of the new head is recorded (lr 0.1 on main, 0.01 by the
	// first push): no shard runs, the report compares what is there.
	r.wantJobs(again, map[string]string{"plan": "success", "report": "success"})
	if n := r.records(); n != 9 {
		t.Errorf("origin holds %d records after the second push, want still 9", n)
	}
	comments = r.gh.Repo(actionsRepo).Comments(pr)
	if len(comments) != 1 || comments[0].ID != first.ID {
		t.Fatalf("after a second push: %d comments, want the first one edited", len(comments))
	}
	if comments[0].Body == first.Body || !strings.Contains(comments[0].Body, head2[:7]) {
		t.Errorf("the comment was not edited for %s:\n%s", head2[:7], comments[0].Body)
	}
	// lr 0.01 still stands in for 0.03 and converges more slowly: the
	// change is still a regression, whatever the best config does.
	wantStatus(t, r, head2, "failure")
	if n := len(r.gh.CallsTo(fakegithub.CreateComment)); n != 1 {
		t.Errorf("%d comments created in all, want 1", n)
	}
}

// firstPullRequest: nothing ran on main after adoption (say, no runner was
// registered yet); the first pull request still compares both sides,
// because the base trials run in the same matrix.
func (w *workflowEnv) firstPullRequest(t *testing.T) {
	r := w.newRig(t, "first PR after adoption")
	main := r.commit("assay init")
	r.git(r.author, "push", "-q", "origin", "main")
	r.git(r.author, "checkout", "-q", "-b", "lower-lr")
	r.edit("experiments/example.hcl", sweepInit, sweepLower)
	r.commit("example: lower learning rates")
	pr, head, merge := r.openPullRequest("lower-lr", main, "example: lower learning rates")
	run := r.act("pull request", "pull_request", r.gh.Repo(actionsRepo).PullRequestEvent("opened", pr), merge)
	r.wantJobs(run, everyJob)
	comments := r.gh.Repo(actionsRepo).Comments(pr)
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1", len(comments))
	}
	body := comments[0].Body
	if strings.Contains(body, "missing") || !strings.Contains(body, "regressed") {
		t.Errorf("the first pull request's comment does not compare both sides:\n%s", body)
	}
	wantStatus(t, r, head, "failure")
	// Base: lr 0.1 and 0.03; head adds lr 0.01 (0.03 is the same trials).
	if n := r.records(); n != 9 {
		t.Errorf("origin holds %d records, want 9 (6 base, 3 head)", n)
	}
}

// secretEnv: a trial that names a secret in secret_env receives it from
// the caller's secrets: inherit; a trial that names none sees no secret;
// the value is found nowhere assay wrote: the results branch, GitHub, the
// job logs (act's own masking is off, so only assay's counts).
func (w *workflowEnv) secretEnv(t *testing.T) {
	r := w.newRig(t, "secret_env")
	secret := randomSecret(t)
	sum := sha256.Sum256([]byte(secret))
	r.secrets["WANDB_API_KEY"] = secret
	r.insecure = true
	r.write(map[string]string{
		"experiments/keys.hcl": `experiment "uses-key" {
  command    = ["sh", "key.sh"]
  inputs     = ["key.sh"]
  secret_env = ["WANDB_API_KEY"]
  schedule   = "nightly"
  runner { labels = ["cpu"] }
  metric "ok" { goal = "maximize" }
}

experiment "no-key" {
  command  = ["sh", "nokey.sh"]
  inputs   = ["nokey.sh"]
  schedule = "nightly"
  runner { labels = ["cpu"] }
  metric "ok" { goal = "maximize" }
}
`,
		// It succeeds only with the secret (checked by its hash), and
		// prints it, which assay must mask in everything it keeps.
		"key.sh": `got=$(printf %s "$WANDB_API_KEY" | sha256sum | cut -d' ' -f1)
echo "using key $WANDB_API_KEY"
if [ "$got" != "` + hex.EncodeToString(sum[:]) + `" ]; then echo "WANDB_API_KEY is not the secret" >&2; exit 1; fi
echo '{"step": 1, "ok": 1}' >> "$ASSAY_METRICS_FILE"
`,
		"nokey.sh": `if [ -n "${WANDB_API_KEY:-}" ] || [ -n "${ASSAY_SECRETS:-}" ]; then echo "a trial without secret_env sees secrets" >&2; exit 1; fi
echo '{"step": 1, "ok": 1}' >> "$ASSAY_METRICS_FILE"
`,
	})
	main := r.commit("experiments that use a key")
	r.git(r.author, "push", "-q", "origin", "main")
	run := r.act("night", "schedule", scheduleEvent(), main)
	r.wantJobs(run, map[string]string{"plan": "success", "run": "success", "nightly": "success"})
	if n := r.records(); n != 2 {
		t.Errorf("origin holds %d records, want both experiments' trial", n)
	}
	if strings.Contains(r.gitBare("log", "-p", "--all"), secret) {
		t.Error("the secret is on origin (git log -p --all)")
	}
	for _, c := range r.gh.Calls() {
		if strings.Contains(string(c.Body), secret) || strings.Contains(c.Path, secret) {
			t.Errorf("the secret was sent to GitHub: %s %s", c.Method, c.Path)
		}
	}
	// The runner consumes ::add-mask:: commands and never shows them; act,
	// with its own masking off, logs them as they came. Every other line
	// must be clean, and the command must have been given.
	if leaks := grepLines(withoutMaskCommands(run.output), secret); leaks != "" {
		t.Errorf("the secret is in the job logs:\n%s", leaks)
	}
	if !strings.Contains(run.output, "::add-mask::") {
		t.Error("assay registered no value with ::add-mask::")
	}
}

// withoutMaskCommands drops the log lines that carry an ::add-mask::
// workflow command.
func withoutMaskCommands(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.Contains(line, `"command":"add-mask"`) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// failingTrial: a pull request adds an experiment whose trial crashes; the
// report still runs, sets the status error, and shows the log tail.
func (w *workflowEnv) failingTrial(t *testing.T) {
	r := w.newRig(t, "failing trial")
	main := r.commit("assay init")
	r.git(r.author, "push", "-q", "origin", "main")
	r.git(r.author, "checkout", "-q", "-b", "broken")
	r.write(map[string]string{
		"experiments/broken.hcl": `experiment "broken" {
  command = ["sh", "broken.sh"]
  inputs  = ["broken.sh"]
  runner { labels = ["cpu"] }
  metric "loss" { goal = "minimize" }
}
`,
		"broken.sh": `echo "loading data"
echo "RuntimeError: CUDA out of memory (simulated)" >&2
exit 3
`,
	})
	r.commit("a broken experiment")
	pr, head, merge := r.openPullRequest("broken", main, "a broken experiment")
	run := r.act("pull request", "pull_request", r.gh.Repo(actionsRepo).PullRequestEvent("opened", pr), merge)
	r.wantJobs(run, map[string]string{"plan": "success", "run": "failure", "report": "success"})
	comments := r.gh.Repo(actionsRepo).Comments(pr)
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1", len(comments))
	}
	if !strings.Contains(comments[0].Body, "CUDA out of memory (simulated)") {
		t.Errorf("the comment lacks the failed trial's log tail:\n%s", comments[0].Body)
	}
	wantStatus(t, r, head, "error")
}

// nights: five scheduled runs of a canary; the fourth drifts and opens an
// issue, the fifth recovers and closes it.
func (w *workflowEnv) nights(t *testing.T) {
	r := w.newRig(t, "five nights")
	r.write(map[string]string{
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
		// CANARY_SHIFT stands for drift (a dependency upgrade, a data
		// change) that leaves the spec, and so the trial keys, alone.
		"canary.sh": `awk -v seed="$1" -v shift="${CANARY_SHIFT:-0}" 'BEGIN {
  printf "{\"step\": 1, \"acc\": %.4f}\n", 0.9 + seed * 0.002 - shift
}' >> "$ASSAY_METRICS_FILE"
`,
	})
	main := r.commit("a nightly canary")
	r.git(r.author, "push", "-q", "origin", "main")
	nightJobs := map[string]string{"plan": "success", "run": "success", "nightly": "success"}
	issues := func() []fakegithub.Issue { return r.gh.Repo(actionsRepo).Issues() }
	for i, shift := range []string{"0", "0", "0", "0.2", "0"} {
		if i == 2 {
			// The third night runs on a machine that never ran assay.
			r.newMachine("machine-2")
		}
		r.env["CANARY_SHIFT"] = shift
		run := r.act("night "+string(rune('1'+i)), "schedule", scheduleEvent(), main)
		r.wantJobs(run, nightJobs)
		// Each job's assay is the release, stamped with its version and
		// commit by GoReleaser's ldflags.
		if want := "assay " + w.release.Version + " (commit " + w.release.Commit + ")"; i == 0 && !strings.Contains(run.text, want) {
			t.Errorf("night 1: no job says %q", want)
		}
		if strings.Contains(run.text, "Run Main Set up Go") {
			t.Errorf("night %d: a job set up Go to install a release", i+1)
		}
		// Install once per machine: the first job of the first night
		// downloads the release, the first of the new machine restores it
		// from actions/cache, every other job finds it in the tool cache.
		how := r.installedBy(run)
		for job, src := range how {
			want := "tool-cache"
			if job == "plan" && i == 0 {
				want = "download"
			} else if job == "plan" && i == 2 {
				want = "actions-cache"
			}
			if src != want {
				t.Errorf("night %d: job %s installed assay by %s, want %s", i+1, job, src, want)
			}
		}
		switch i {
		case 0, 1, 2:
			if n := len(issues()); n != 0 {
				t.Fatalf("night %d: %d issues on a quiet night", i+1, n)
			}
		case 3:
			is := issues()
			if len(is) != 1 || is[0].State != "open" || !strings.Contains(is[0].Title, "canary") {
				t.Fatalf("after the drifting night: %+v, want one open issue about canary", is)
			}
		case 4:
			is := issues()
			if len(is) != 1 || is[0].State != "closed" {
				t.Errorf("after recovery: %+v, want the issue closed", is)
			}
		}
	}
	if n := r.records(); n != 25 {
		t.Errorf("origin holds %d records, want 5 nights × 5 seeds", n)
	}
	if d := r.gh.Repo("assaylab/assay").Downloads(w.release.Tag); d[w.release.Archive] != 1 || d["checksums.txt"] != 1 {
		t.Errorf("release downloads over five nights on two machines: %v, want the archive and checksums.txt once", d)
	}
}

// goInstallFallback: a caller that names a commit gets assay built with go
// install (after setup-go) from the module proxy, in every job; a release
// is never downloaded.
func (w *workflowEnv) goInstallFallback(t *testing.T) {
	r := w.newRig(t, "go install (commit)")
	r.edit(".github/workflows/assay.yml", "assay-version: latest", "assay-version: "+w.proxy.Commit)
	// One shard: each job builds assay, and one is enough to show it.
	r.edit(".github/workflows/assay.yml", "max-shards: 2", "max-shards: 1")
	r.edit("experiments/example.hcl", `  seeds = [1, 2, 3]`, "  seeds    = [1, 2, 3]\n  schedule = \"nightly\"")
	main := r.commit("assay init, assay from a commit")
	r.git(r.author, "push", "-q", "origin", "main")
	run := r.act("night", "schedule", scheduleEvent(), main)
	r.wantJobs(run, map[string]string{"plan": "success", "run": "success", "nightly": "success"})
	if n := r.records(); n != 6 {
		t.Errorf("origin holds %d records, want 6", n)
	}
	if d := r.gh.Repo("assaylab/assay").Downloads(w.release.Tag); len(d) != 0 {
		t.Errorf("a commit's jobs downloaded the release: %v", d)
	}
	if n := strings.Count(run.text, "Run Main Set up Go"); n != len(run.jobs) {
		t.Errorf("%d jobs set up Go, want every one of %d", n, len(run.jobs))
	}
	for job, src := range r.installedBy(run) {
		if src != "go-install" {
			t.Errorf("job %s installed assay by %s, want go-install", job, src)
		}
	}
}

func wantStatus(t *testing.T, r *rig, sha, state string) {
	t.Helper()
	st := r.gh.Repo(actionsRepo).Statuses(sha)
	if len(st) == 0 || st[len(st)-1].Context != "assay" || st[len(st)-1].State != state {
		t.Errorf("statuses on %s: %+v, want the last one assay %s", sha[:7], st, state)
	}
}

func randomSecret(t *testing.T) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "wk-" + hex.EncodeToString(b)
}

func grepLines(s, needle string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, needle) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
