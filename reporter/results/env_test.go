package results

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gitrepo/gittest"
	"github.com/assaylab/assay/runner/spool"
)

// TestMain doubles as a writer process for the tests that need several
// OS processes delivering at once: with ASSAY_RESULTS_WRITER set, the test
// binary records runs through the same Deliver that `assay run` and
// `assay sync` use, then exits.
func TestMain(m *testing.M) {
	if dir := os.Getenv("ASSAY_RESULTS_WRITER"); dir != "" {
		os.Exit(writerMain(dir))
	}
	// No daemon or writer a test starts may outlive the tests.
	os.Exit(gittest.NoLeaks(m).Run())
}

// writerMain spools and delivers ASSAY_WRITER_COUNT runs, one delivery per
// ASSAY_WRITER_BATCH runs, named by ASSAY_WRITER_NAME.
func writerMain(dir string) int {
	count, _ := strconv.Atoi(os.Getenv("ASSAY_WRITER_COUNT"))
	batch, _ := strconv.Atoi(os.Getenv("ASSAY_WRITER_BATCH"))
	batch = max(batch, 1)
	name := os.Getenv("ASSAY_WRITER_NAME")
	// The writers measure contention on a machine that may be slow: a
	// remote busy with 32 of them may take long to answer, and that is
	// not what this measures.
	s, err := Open(dir, Options{PushDeadline: 5 * time.Minute, ConnectTimeout: 5 * time.Minute, IdleTimeout: 5 * time.Minute, Getenv: os.Getenv})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sp, err := spool.Open(s.SpoolDir())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if count == 0 {
		// Only deliver what an earlier, interrupted writer left behind.
		rep, err := s.Deliver(context.Background(), sp)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("attempts=%d delivered=%d\n", rep.Sync.Attempts, rep.Sync.Delivered)
		return 0
	}
	for i := 0; i < count; i++ {
		if err := sp.Put(testRun(fmt.Sprintf("%s-%03d", name, i), "exp", int64(i))); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if (i+1)%batch != 0 && i != count-1 {
			continue
		}
		rep, err := s.Deliver(context.Background(), sp)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("attempts=%d\n", rep.Sync.Attempts)
	}
	return 0
}

// testRun is a finished run with a realistic record, three series and a
// log.
func testRun(id, exp string, seed int64) *runner.Run {
	key := fmt.Sprintf("%x", sha256.Sum256([]byte(id)))
	started := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(seed) * time.Minute)
	r := &runner.Result{
		Schema: runner.ResultSchema, RunID: id, TrialKey: key, Experiment: exp,
		Params: map[string]any{"lr": 0.1 / float64(seed+1), "opt": "adam"}, Seed: seed,
		Status: runner.StatusSucceeded, Attempt: 1,
		Metrics: map[string]float64{"val_acc": 0.5 + float64(seed%50)/100, "train_loss": 1 / float64(seed+1)},
		Started: started, Finished: started.Add(90 * time.Second), DurationS: 90,
		Command: []string{"python", "train.py"}, Workdir: ".", Executor: "local",
		System:       runner.System{Host: "gpu-1"},
		SourceCommit: "0123456789abcdef0123456789abcdef01234567", Trigger: runner.TriggerPR, PR: 7,
	}
	series := map[string][]runner.Point{}
	for _, m := range []string{"val_acc", "train_loss"} {
		for s := int64(1); s <= 20; s++ {
			series[m] = append(series[m], runner.Point{Step: s, Value: float64(s) / 20})
		}
	}
	return &runner.Run{Result: r, Series: series}
}

// git runs the git CLI, the independent reader of what assay wrote.
func git_(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func requireGit(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("the git CLI is not installed (Debian package git; .ci/run installs it)")
	}
}

// newCodeRepo makes a repository with one commit on main, as a user's
// clone has, and returns its folder.
func newCodeRepo(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	git_(t, dir, "init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(dir, "train.py"), []byte("print('hi')\n"), 0o644)
	git_(t, dir, "add", "train.py")
	git_(t, dir, "commit", "-q", "-m", "code")
	return dir
}

// newBareRemote makes the team's bare repository, logging every ref
// update so a test can look for forced ones.
func newBareRemote(t testing.TB, base, name string) string {
	t.Helper()
	dir := filepath.Join(base, name)
	git_(t, base, "init", "-q", "--bare", dir)
	git_(t, dir, "config", "core.logAllRefUpdates", "always")
	git_(t, dir, "config", "http.receivepack", "true")
	// Keep pushes as packs, as hosted servers do: loose objects make
	// every later fetch from this remote crawl.
	git_(t, dir, "config", "receive.unpackLimit", "1")
	git_(t, dir, "config", "receive.autogc", "false")
	return dir
}

func setOrigin(t testing.TB, dir, url string) {
	t.Helper()
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	r.DeleteRemote("origin")
	if _, err := r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{url}}); err != nil {
		t.Fatal(err)
	}
}

// sharedRemote starts a bare remote behind git daemon and returns it with
// n code repositories whose origin it is: writers of one results branch.
func sharedRemote(t testing.TB, n int) (bare string, dirs []string) {
	t.Helper()
	base := t.TempDir()
	bare = newBareRemote(t, base, "team.git")
	url := gitDaemon(t, base, freePort(t)) + "team.git"
	for range n {
		dir := newCodeRepo(t)
		setOrigin(t, dir, url)
		dirs = append(dirs, dir)
	}
	return bare, dirs
}

// freePort returns a localhost port nothing listens on.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// gitDaemon serves base over git:// with pushes enabled, on port, until
// the test ends, and returns its URL prefix. The daemon's whole process
// group is killed when the test ends, failed or not.
func gitDaemon(t testing.TB, base string, port int) string {
	t.Helper()
	gittest.Need(t)
	d, err := gittest.StartDaemon(base, port)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	return d.URL
}

func putRuns(t testing.TB, s *Store, runs ...*runner.Run) *spool.Spool {
	t.Helper()
	sp, err := spool.Open(s.SpoolDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if err := sp.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	return sp
}

func openStore(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	if opts.Getenv == nil {
		opts.Getenv = func(k string) string {
			switch k {
			case "GIT_COMMITTER_NAME":
				return "Ada"
			case "GIT_COMMITTER_EMAIL":
				return "ada@example.com"
			}
			return ""
		}
	}
	if opts.Sleep == nil {
		opts.Sleep = func(time.Duration) {}
	}
	// Tests that are not about deadlines must not fail on a machine too
	// busy to answer within the default ones.
	if opts.ConnectTimeout == 0 {
		opts.ConnectTimeout = 2 * time.Minute
	}
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = 2 * time.Minute
	}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// branchFiles lists the files on a branch as the git CLI sees them.
func branchFiles(t testing.TB, dir, ref string) []string {
	t.Helper()
	out := strings.TrimSpace(git_(t, dir, "ls-tree", "-r", "--name-only", ref))
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// splitSegments separates the index segments from the other files.
func splitSegments(files []string) (others, segments []string) {
	for _, f := range files {
		if IsSegment(f) {
			segments = append(segments, f)
		} else {
			others = append(others, f)
		}
	}
	return others, segments
}

func countRecords(files []string) int {
	n := 0
	for _, f := range files {
		if _, ok := ParseRecordPath(f); ok {
			n++
		}
	}
	return n
}
