//go:build e2e

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/github/fakegithub"
	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// workflowEnv is what every scenario of TestWorkflow shares: the tools,
// the snapshot release, the module proxy, and the table of jobs.
type workflowEnv struct {
	t      *testing.T
	root   string
	actBin string
	repo   string // this checkout
	// assayAt is what act sees as assaylab/assay@v1: this checkout's
	// .github, copied (act reads a local action's whole folder for every
	// step that uses it).
	assayAt string
	actions string // the stand-in actions
	release *snapshotRelease
	proxy   *moduleProxy
	goVer   string // 1.26.8
	goroot  string
	hostBin string // the released assay, for assay init on the host
	path    string // PATH of the jobs: no go, no assay

	mu       sync.Mutex
	rows     []jobRow
	installs []installTiming
}

// jobRow is one job of one act run, for the table the test prints.
type jobRow struct {
	scenario, run, job, result string
}

// installTiming is how long one job's Install assay step took, and how.
type installTiming struct {
	scenario, job, source string
	took                  time.Duration
}

// needWorkflowTools finds act and GoReleaser (make e2e-workflow builds
// both into bin/tools) and the programs the workflows run, or skips.
func needWorkflowTools(t *testing.T) (act, goreleaser string) {
	t.Helper()
	act, goreleaser = os.Getenv("ASSAY_ACT"), os.Getenv("ASSAY_GORELEASER")
	if act == "" || goreleaser == "" {
		t.Skip("ASSAY_ACT and ASSAY_GORELEASER name act and GoReleaser; run make e2e-workflow, which builds both")
	}
	for _, bin := range []string{act, goreleaser} {
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("%s is missing; make e2e-workflow builds it", bin)
		}
	}
	for _, bin := range []string{"git", "go", "bash", "curl", "tar", "python3", "sha256sum"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it)", bin)
		}
	}
	return act, goreleaser
}

func newWorkflowEnv(t *testing.T) *workflowEnv {
	act, goreleaser := needWorkflowTools(t)
	w := &workflowEnv{t: t, root: t.TempDir(), actBin: act, repo: repoRoot(t)}
	w.actions = filepath.Join(w.repo, "cmd", "assay", "testdata", "actions")
	w.assayAt = filepath.Join(w.root, "assaylab-assay")
	if err := os.CopyFS(filepath.Join(w.assayAt, ".github"), os.DirFS(filepath.Join(w.repo, ".github"))); err != nil {
		t.Fatal(err)
	}
	w.goroot = goEnv(t, "GOROOT")
	w.goVer = strings.TrimPrefix(goEnv(t, "GOVERSION"), "go")
	w.release = buildSnapshotRelease(t, goreleaser, w.repo, filepath.Join(w.root, "release"))
	w.proxy = newModuleProxy(t, w.repo)
	w.hostBin = w.release.unpack(t, filepath.Join(w.root, "host-bin"))
	w.path = jobPath()
	return w
}

// jobPath is this machine's PATH without the directories that hold go
// or assay, so a job has them only if the workflow installs them.
func jobPath() string {
	var keep []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		has := func(name string) bool {
			fi, err := os.Stat(filepath.Join(dir, name))
			return err == nil && !fi.IsDir()
		}
		if (has("go") || has("assay")) && !has("python3") && !has("git") {
			continue
		}
		keep = append(keep, dir)
	}
	return strings.Join(keep, string(os.PathListSeparator))
}

// snapshotRelease is what goreleaser --snapshot built for this machine's
// platform: the archive and checksums.txt, as a release publishes them.
type snapshotRelease struct {
	Tag     string
	Version string // the tag without its v, as assay --version says it
	Commit  string // what the release was built from
	Archive string
	Assets  map[string][]byte
	Took    time.Duration
}

// buildSnapshotRelease runs GoReleaser with the project's own
// .goreleaser.yaml, narrowed to this machine's platform (the other three
// archives only cost CI time; make release-snapshot builds them all).
func buildSnapshotRelease(t *testing.T, goreleaser, repo, dir string) *snapshotRelease {
	t.Helper()
	cfg, err := os.ReadFile(filepath.Join(repo, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(cfg)
	for old, new := range map[string]string{
		"goos: [linux, darwin]":  "goos: [" + runtime.GOOS + "]",
		"goarch: [amd64, arm64]": "goarch: [" + runtime.GOARCH + "]",
	} {
		if !strings.Contains(s, old) {
			t.Fatalf(".goreleaser.yaml no longer says %q; update buildSnapshotRelease", old)
		}
		s = strings.Replace(s, old, new, 1)
	}
	dist := filepath.Join(dir, "dist")
	s += "\ndist: " + dist + "\n"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "goreleaser.yaml")
	if err := os.WriteFile(config, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cmd := exec.Command(goreleaser, "release", "--snapshot", "--clean", "--config", config)
	cmd.Dir = repo
	// GoReleaser reads the commit only in a clone with a remote; a
	// checkout made another way gets one for this command alone.
	cmd.Env = append(os.Environ(), "GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=remote.origin.url", "GIT_CONFIG_VALUE_0=https://github.com/assaylab/assay.git")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("goreleaser release --snapshot: %v\n%s", err, out)
	}
	rel := &snapshotRelease{Assets: map[string][]byte{}, Took: time.Since(start)}
	var meta struct {
		Version string `json:"version"`
	}
	b, err := os.ReadFile(filepath.Join(dist, "metadata.json"))
	if err == nil {
		err = json.Unmarshal(b, &meta)
	}
	if err != nil || meta.Version == "" {
		t.Fatalf("goreleaser's metadata.json: %v (%s)", err, b)
	}
	rel.Tag = "v" + meta.Version
	rel.Version = meta.Version
	if out, err := exec.Command("git", "-C", repo, "rev-parse", "HEAD").Output(); err == nil {
		rel.Commit = strings.TrimSpace(string(out))
	}
	rel.Archive = fmt.Sprintf("assay_%s_%s_%s.tar.gz", meta.Version, runtime.GOOS, runtime.GOARCH)
	for _, name := range []string{rel.Archive, "checksums.txt"} {
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			t.Fatalf("the snapshot lacks %s, which the install action downloads: %v", name, err)
		}
		rel.Assets[name] = data
	}
	t.Logf("goreleaser --snapshot (%s/%s): %s in %s", runtime.GOOS, runtime.GOARCH, rel.Archive, rel.Took.Round(time.Second))
	return rel
}

// unpack extracts the release's assay into dir and returns its path.
func (r *snapshotRelease) unpack(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("tar", "-xzf", "-", "-C", dir, "assay")
	cmd.Stdin = bytes.NewReader(r.Assets[r.Archive])
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("unpacking %s: %v\n%s", r.Archive, err, out)
	}
	return filepath.Join(dir, "assay")
}

// rig is one scenario's world: a bare origin served by git daemon, the
// fake GitHub with assay's release, one self-hosted machine (act's cache
// directory, whose tool cache holds Go for setup-go), the actions/cache
// store, and the team's clone that act runs the caller workflow from.
type rig struct {
	*workflowEnv
	t        *testing.T
	scenario string
	dir      string
	gitBase  string
	bare     string
	gh       *fakegithub.Server
	machine  string
	cache    string
	author   string
	runs     int
	// secrets are passed to act with -s; insecure turns off act's own
	// masking, so that what assay prints is seen as it is.
	secrets  map[string]string
	insecure bool
	// env is added to every job's environment.
	env map[string]string
}

const actionsRepo = "acme/models"

func (w *workflowEnv) newRig(t *testing.T, scenario string) *rig {
	t.Helper()
	r := &rig{workflowEnv: w, t: t, scenario: scenario, dir: t.TempDir(), secrets: map[string]string{}, env: map[string]string{}}
	srv := filepath.Join(r.dir, "srv")
	r.bare = filepath.Join(srv, actionsRepo+".git")
	runIn(t, "", nil, "git", "init", "-q", "--bare", "-b", "main", r.bare)
	runIn(t, "", nil, "git", "-C", r.bare, "config", "receive.denyNonFastForwards", "true")
	r.gitBase = strings.TrimSuffix(gittest.ServeDaemon(t, srv), "/")

	r.gh = fakegithub.New(t)
	r.gh.AddActionsToken(actionsToken)
	for _, route := range fakegithub.Routes() {
		r.gh.Expect(route).AtLeast(0)
	}
	r.gh.Repo("assaylab/assay").AddRelease(w.release.Tag, false, w.release.Assets)
	r.gh.Repo(actionsRepo)

	r.newMachine("machine")
	r.cache = filepath.Join(r.dir, "actions-cache")

	// The team's repository, as assay init writes it.
	r.author = filepath.Join(r.dir, "models")
	r.git("", "clone", "-q", r.gitBase+"/"+actionsRepo+".git", r.author)
	runIn(t, r.author, r.baseEnv(), r.hostBin, "init")
	// Two shards at most: every shard is a job, and jobs cost CI time.
	r.edit(".github/workflows/assay.yml", "max-shards: 16", "max-shards: 2")
	return r
}

// newMachine makes the jobs from now on run on another self-hosted
// machine: act's cache directory, whose tool cache is empty but for Go, as
// a runner image has it (for setup-go).
func (r *rig) newMachine(name string) {
	r.t.Helper()
	r.machine = filepath.Join(r.dir, name)
	goDir := filepath.Join(r.machine, "tool_cache", "go", r.goVer)
	if err := os.MkdirAll(goDir, 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Symlink(r.goroot, filepath.Join(goDir, "x64")); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(goDir, "x64.complete"), nil, 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// installedBy says how each job of run installed assay.
func (r *rig) installedBy(run *actRun) map[string]string {
	out := map[string]string{}
	for job := range run.jobs {
		out[job] = installSource(run.text, job)
	}
	return out
}

// baseEnv is the environment of git and assay on the host, and of act.
func (r *rig) baseEnv() []string {
	return []string{
		"HOME=" + filepath.Join(r.dir, "home"), "NO_COLOR=1", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com",
	}
}

func (r *rig) git(dir string, args ...string) string {
	r.t.Helper()
	return runIn(r.t, dir, r.baseEnv(), "git", args...)
}

func (r *rig) gitBare(args ...string) string {
	r.t.Helper()
	return runIn(r.t, r.bare, r.baseEnv(), "git", args...)
}

// write puts files into the team's clone.
func (r *rig) write(files map[string]string) {
	r.t.Helper()
	for name, body := range files {
		p := filepath.Join(r.author, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *rig) edit(name, old, new string) {
	r.t.Helper()
	replaceIn(r.t, filepath.Join(r.author, name), old, new)
}

// commit commits everything in the team's clone and returns the commit.
func (r *rig) commit(msg string) string {
	r.t.Helper()
	r.git(r.author, "add", "-A")
	r.git(r.author, "commit", "-q", "-m", msg)
	return r.git(r.author, "rev-parse", "HEAD")
}

// openPullRequest pushes the current branch, makes the merge commit GitHub
// keeps at refs/pull/N/merge, and opens the pull request on the fake.
func (r *rig) openPullRequest(branch, base, title string) (pr int, head, merge string) {
	r.t.Helper()
	head = r.git(r.author, "rev-parse", "HEAD")
	r.git(r.author, "push", "-q", "origin", branch)
	pr = r.gh.Repo(actionsRepo).AddPullRequest(fakegithub.PullRequest{
		Title: title, HeadSHA: head, BaseSHA: base, HeadRef: branch, BaseRef: "main",
	})
	return pr, head, r.mergeRef(pr, base, head)
}

// pushToPullRequest pushes a new commit to the pull request's branch.
func (r *rig) pushToPullRequest(pr int, branch, base string) (head, merge string) {
	r.t.Helper()
	head = r.git(r.author, "rev-parse", "HEAD")
	r.git(r.author, "push", "-q", "origin", branch)
	r.gh.Repo(actionsRepo).PushToPullRequest(pr, head)
	return head, r.mergeRef(pr, base, head)
}

// mergeRef writes refs/pull/N/head and refs/pull/N/merge on origin, as
// GitHub does for each push to a pull request.
func (r *rig) mergeRef(pr int, base, head string) string {
	r.t.Helper()
	work := filepath.Join(r.dir, fmt.Sprintf("merge-%d-%s", pr, head[:7]))
	r.git("", "clone", "-q", r.gitBase+"/"+actionsRepo+".git", work)
	r.git(work, "checkout", "-q", "--detach", base)
	r.git(work, "fetch", "-q", "origin", head)
	r.git(work, "merge", "-q", "--no-ff", "-m", fmt.Sprintf("Merge %s into %s", head[:7], base[:7]), head)
	merge := r.git(work, "rev-parse", "HEAD")
	r.git(work, "push", "-q", "-f", "origin", fmt.Sprintf("%s:refs/pull/%d/head", head, pr), fmt.Sprintf("HEAD:refs/pull/%d/merge", pr))
	return merge
}

// actRun is what one act run did.
type actRun struct {
	name   string
	jobs   map[string]string // job -> success | failure
	steps  []actStep
	output string // act's JSON log
	text   string // the same, one "job: message" line each
	err    error
}

// actStep is one step's result line from act's JSON log.
type actStep struct {
	Job    string   `json:"job"`
	Step   string   `json:"step"`
	StepID []string `json:"stepID"`
	Stage  string   `json:"stage"`
	Result string   `json:"stepResult"`
	Time   float64  `json:"executionTime"`
	Msg    string   `json:"msg"`
}

// pushEvent is the payload of a push to main from before to after.
func pushEvent(before, after string) map[string]any {
	return map[string]any{
		"ref": "refs/heads/main", "before": before, "after": after, "created": before == zeroSHA,
		"deleted": false, "forced": false,
		"head_commit": map[string]any{"id": after},
		"repository":  repositoryJSON(),
	}
}

const zeroSHA = "0000000000000000000000000000000000000000"

func scheduleEvent() map[string]any {
	return map[string]any{"schedule": "0 3 * * *", "repository": repositoryJSON()}
}

func repositoryJSON() map[string]any {
	return map[string]any{"full_name": actionsRepo, "name": "models", "default_branch": "main",
		"owner": map[string]any{"login": "acme"}}
}

// act runs the caller workflow that assay init wrote, for one event, the
// way GitHub would on this machine, and records its jobs in the table.
func (r *rig) act(name, event string, payload any, sha string) *actRun {
	r.t.Helper()
	r.runs++
	var data []byte
	switch p := payload.(type) {
	case []byte:
		data = p
	default:
		data, _ = json.Marshal(p)
	}
	evFile := filepath.Join(r.dir, fmt.Sprintf("event-%d.json", r.runs))
	if err := os.WriteFile(evFile, data, 0o644); err != nil {
		r.t.Fatal(err)
	}
	args := []string{event, "-W", ".github/workflows/assay.yml", "-e", evFile, "--json",
		"-P", "ubuntu-latest=-self-hosted", "-P", "self-hosted=-self-hosted", "-P", "cpu=-self-hosted",
		"--local-repository", "assaylab/assay@v1=" + r.assayAt,
		"--local-repository", "actions/checkout@v4=" + filepath.Join(r.actions, "checkout"),
		"--local-repository", "actions/setup-go@v5=" + filepath.Join(r.actions, "setup-go"),
		"--local-repository", "actions/cache@v4=" + filepath.Join(r.actions, "cache"),
		"--no-skip-checkout", "--action-offline-mode", "--no-cache-server",
		"--action-cache-path", r.machine,
		"-s", "GITHUB_TOKEN=" + actionsToken,
	}
	for k, v := range r.secrets {
		args = append(args, "-s", k+"="+v)
	}
	if r.insecure {
		args = append(args, "--insecure-secrets")
	}
	for k, v := range map[string]string{
		"GITHUB_REPOSITORY": actionsRepo, "GITHUB_REPOSITORY_OWNER": "acme",
		"SHA_REF": sha, "GITHUB_RUN_ID": fmt.Sprint(1000 + r.runs), "GITHUB_RUN_NUMBER": fmt.Sprint(r.runs),
		"GITHUB_API_URL": strings.TrimSuffix(r.gh.URL(), "/"), "GITHUB_SERVER_URL": r.gh.WebURL(),
		"E2E_GIT_BASE": r.gitBase, "E2E_ACTIONS_CACHE": r.cache,
	} {
		args = append(args, "--env", k+"="+v)
	}
	cmd := exec.Command(r.actBin, args...)
	cmd.Dir = r.author
	cmd.Env = append(r.baseEnv(), "PATH="+r.path, "ACT_DISABLE_VERSION_CHECK=1",
		"XDG_CACHE_HOME="+filepath.Join(r.dir, "xdg-cache"))
	cmd.Env = append(cmd.Env, r.proxy.Env...)
	for k, v := range r.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	run := parseActLog(name, out)
	run.err = err
	r.t.Logf("%s: act %s in %s: %v", name, event, time.Since(start).Round(100*time.Millisecond), run.jobs)
	os.WriteFile(filepath.Join(r.dir, fmt.Sprintf("act-%d.log", r.runs)), out, 0o644)
	r.record(run)
	return run
}

// parseActLog reads act's JSON log: each job's result and each step's.
func parseActLog(name string, out []byte) *actRun {
	run := &actRun{name: name, jobs: map[string]string{}, output: string(out)}
	var text strings.Builder
	defer func() { run.text = text.String() }()
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var line struct {
			actStep
			JobResult string `json:"jobResult"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			text.Write(sc.Bytes())
			text.WriteByte('\n')
			continue
		}
		// A called workflow's jobs are "caller job/workflow name/job".
		// act names a job with a one-entry matrix, and one that needs it,
		// with a trailing space.
		line.Job = strings.TrimSpace(strings.TrimPrefix(line.Job, "experiments/assay experiments/"))
		fmt.Fprintf(&text, "%s: %s\n", line.Job, strings.TrimRight(line.Msg, "\n"))
		if line.JobResult != "" {
			run.jobs[line.Job] = line.JobResult
		}
		if line.Result != "" && line.Step != "" {
			run.steps = append(run.steps, line.actStep)
		}
	}
	// act keeps one result for all the jobs of a matrix, so one failed
	// shard marks every shard failed; a job whose own steps all succeeded
	// is taken as succeeded, as GitHub would show it.
	for job, res := range run.jobs {
		if res != "failure" {
			continue
		}
		failed := false
		for _, s := range run.steps {
			if s.Job == job && s.Result == "failure" {
				failed = true
			}
		}
		if !failed {
			run.jobs[job] = "success"
		}
	}
	return run
}

func (r *rig) record(run *actRun) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for job, res := range run.jobs {
		r.rows = append(r.rows, jobRow{scenario: r.scenario, run: run.name, job: job, result: res})
	}
	for _, s := range run.steps {
		if s.Step == "Install assay" && s.Stage == "Main" && len(s.StepID) == 1 {
			r.installs = append(r.installs, installTiming{scenario: r.scenario + ": " + run.name, job: s.Job,
				source: installSource(run.text, s.Job), took: time.Duration(s.Time)})
		}
	}
}

// installSource finds what the install action said it did in a job.
func installSource(out, job string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, job+": ") && strings.Contains(line, "assay installed (") {
			i := strings.Index(line, "assay installed (")
			rest := line[i+len("assay installed ("):]
			if j := strings.Index(rest, ")"); j > 0 {
				return rest[:j]
			}
		}
	}
	return "?"
}

// wantJobs fails the test unless the run's jobs ended as want says (a job
// name's prefix to its result); every job act ran must be named.
func (r *rig) wantJobs(run *actRun, want map[string]string) {
	r.t.Helper()
	seen := map[string]bool{}
	for job, res := range run.jobs {
		matched := false
		for prefix, w := range want {
			if strings.HasPrefix(job, prefix) {
				matched, seen[prefix] = true, true
				if res != w {
					r.t.Errorf("%s: job %q %s, want %s; its log ends:\n%s", run.name, job, res, w, tail(jobLines(run.text, job), 40))
				}
			}
		}
		if !matched {
			r.t.Errorf("%s: job %q ran (%s), not expected", run.name, job, res)
		}
	}
	for prefix := range want {
		if !seen[prefix] {
			r.t.Errorf("%s: no job %q ran; jobs: %v", run.name, prefix, run.jobs)
		}
	}
	if r.t.Failed() {
		os.WriteFile(filepath.Join(r.logDir(), r.scenario+"-"+run.name+".log"), []byte(run.text), 0o644)
	}
}

// jobLines is the part of act's log that one job wrote.
func jobLines(text, job string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, job+": ") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// logDir is where the act logs of failed runs are kept for a reader:
// ASSAY_TEST_ARTIFACTS (CI uploads it), else the test's temporary folder.
func (r *rig) logDir() string {
	dir := os.Getenv("ASSAY_TEST_ARTIFACTS")
	if dir == "" {
		return r.dir
	}
	dir = filepath.Join(dir, "workflow")
	os.MkdirAll(dir, 0o755)
	return dir
}

// records counts the run records on origin's results branch, read by the
// git CLI; none when the branch does not exist yet.
func (r *rig) records() int {
	r.t.Helper()
	if err := exec.Command("git", "-C", r.bare, "rev-parse", "-q", "--verify", "refs/heads/assay/results").Run(); err != nil {
		return 0
	}
	n := 0
	for _, p := range strings.Split(r.gitBare("ls-tree", "-r", "--name-only", "assay/results"), "\n") {
		if strings.HasPrefix(p, "runs/") && strings.HasSuffix(p, ".json") && !strings.HasSuffix(p, ".series.json") {
			n++
		}
	}
	return n
}

// table prints the scenarios × jobs table and the install timings.
func (w *workflowEnv) table() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	type key struct{ scenario, job string }
	ran, passed := map[key]int{}, map[key]int{}
	var order []key
	for _, row := range w.rows {
		job := row.job
		if job == "run" || strings.HasPrefix(job, "run-") {
			job = "run (shards)"
		}
		k := key{row.scenario, job}
		if ran[k] == 0 {
			order = append(order, k)
		}
		ran[k]++
		if row.result == "success" {
			passed[k]++
		}
	}
	var b strings.Builder
	b.WriteString("\n| scenario | job | ran | passed |\n|---|---|---|---|\n")
	for _, k := range order {
		fmt.Fprintf(&b, "| %s | %s | %d | %d |\n", k.scenario, k.job, ran[k], passed[k])
	}
	sort.Slice(w.installs, func(i, j int) bool { return w.installs[i].scenario < w.installs[j].scenario })
	b.WriteString("\n| install | job | how | took |\n|---|---|---|---|\n")
	for _, in := range w.installs {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", in.scenario, in.job, in.source, in.took.Round(time.Millisecond))
	}
	return b.String()
}
