package slurm

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/proctest"
	"github.com/assaylab/assay/runner/slurm/slurmtest"
	"github.com/assaylab/assay/runner/spool"
)

// helperEnv carries a helperSpec to the test binary run as a stand-in
// for an assay process: one that can be interrupted or killed -9.
const helperEnv = "ASSAY_SLURM_TEST_HELPER"

type helperSpec struct {
	Root, State string
	Jobs        [][2]string // experiment, script
}

func (h helperSpec) jobs() []*runner.Job {
	var out []*runner.Job
	for _, j := range h.Jobs {
		out = append(out, testJob(j[0], j[1]))
	}
	return out
}

// TestMain runs the test binary as a stand-in for an assay process when
// helperEnv says so (see startHelper), and the tests otherwise: against
// the test cluster only, failing when a job or process they started
// outlives them.
func TestMain(m *testing.M) {
	if raw := os.Getenv(helperEnv); raw != "" {
		os.Exit(helperAssay(raw))
	}
	session = slurmtest.Start()
	os.Exit(proctest.Main(m, session.Stop))
}

// helperAssay executes the batch until SIGINT or SIGTERM cancels it, as
// assay run does.
func helperAssay(raw string) int {
	var h helperSpec
	if err := json.Unmarshal([]byte(raw), &h); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sp, err := spool.Open(filepath.Join(h.State, "spool"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	x := New(Config{PollInterval: testPoll, CancelWait: 20 * time.Second})
	b := &runner.Batch{Jobs: h.jobs(), Root: h.Root, StateDir: h.State, Trigger: runner.TriggerManual}
	if err := x.Execute(ctx, b, sp, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// startHelper starts the stand-in; when the test ends it is killed, then
// the jobs it submitted are cancelled.
func startHelper(t *testing.T, h helperSpec) *exec.Cmd {
	t.Helper()
	cancelJobsAtEnd(t, h.State)
	raw, _ := json.Marshal(h)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+string(raw))
	out, err := os.Create(filepath.Join(t.TempDir(), "helper.out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		out.Close()
		if t.Failed() {
			b, _ := os.ReadFile(out.Name())
			t.Logf("the stand-in assay printed:\n%s", b)
		}
	})
	return cmd
}

// waitStarted waits until n attempts have started and returns their
// attempt files. The bound only stops a hang: a busy machine may take a
// while to start jobs.
func waitStarted(t *testing.T, state string, n int) []*attemptFile {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		started, _ := filepath.Glob(filepath.Join(state, "slurm", "*", startedName))
		if len(started) >= n {
			var out []*attemptFile
			for _, s := range started {
				af, err := readAttempt(filepath.Dir(s))
				if err != nil || af.JobID == "" {
					break
				}
				out = append(out, af)
			}
			if len(out) == len(started) {
				sort.Slice(out, func(i, j int) bool { return out[i].Experiment < out[j].Experiment })
				return out
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	jobs, err := slurmtest.JobsUnder(state)
	t.Fatalf("%d attempts did not start within 2 minutes; Slurm has %v (%v)", n, jobs, err)
	return nil
}

// assay killed with -9 leaves its jobs running; the next run with the
// same trials adopts them: the one still running is followed, the one
// that finished meanwhile is recorded, and nothing is submitted twice.
func TestKilledAssayIsAdopted(t *testing.T) {
	t.Parallel()
	needCluster(t)
	dir := t.TempDir()
	h := helperSpec{Root: filepath.Join(dir, "repo"), State: filepath.Join(dir, "state"), Jobs: [][2]string{
		{"quick", `sleep 1`},
		{"slow", `sleep 5; echo '{"acc": 0.9}' >> "$ASSAY_METRICS_FILE"`},
	}}
	os.MkdirAll(h.Root, 0o755)
	helper := startHelper(t, h)
	before := waitStarted(t, h.State, 2)
	helper.Process.Kill()
	helper.Wait()
	for _, af := range before {
		if st := squeueState(t, af.JobID); st != "RUNNING" && st != "COMPLETING" && st != "COMPLETED" {
			t.Fatalf("after kill -9, job %s (%s) is %q, want it running on", af.JobID, af.Experiment, st)
		}
	}
	// Let "quick" finish while no assay is watching.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if end, _ := readEnding(filepath.Join(h.State, "slurm", before[0].RunID)); end != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}

	sp, err := spool.Open(filepath.Join(h.State, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	x := New(Config{PollInterval: testPoll})
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: h.jobs(), Root: h.Root, StateDir: h.State, Trigger: runner.TriggerManual}, sp, nil); err != nil {
		t.Fatal(err)
	}
	runs := spooled(t, sp)
	for _, af := range before {
		rs := runs[af.Experiment]
		if len(rs) != 1 {
			t.Fatalf("%s: %d records, want 1", af.Experiment, len(rs))
		}
		res := rs[0].Result
		if res.RunID != af.RunID || res.Status != runner.StatusSucceeded || !strings.Contains(strings.Join(res.Warnings, "\n"), "adopted") {
			t.Errorf("%s: run %s %s %v, want the adopted run %s succeeded", af.Experiment, res.RunID, res.Status, res.Warnings, af.RunID)
		}
	}
	if runs["slow"][0].Result.Metrics["acc"] != 0.9 {
		t.Errorf("slow: metrics %v", runs["slow"][0].Result.Metrics)
	}
	// Slurm has exactly the two jobs the first assay submitted.
	var names []string
	for _, j := range h.jobs() {
		names = append(names, jobName(&attempt{job: j}))
	}
	out := slurmCmd(t, "squeue", "--noheader", "--states=all", "--name="+strings.Join(names, ","), "--Format=JobID:|,Command:")
	var ids []string
	for _, line := range strings.Split(out, "\n") {
		// Only this test's jobs: an earlier run of it submitted the same
		// trials, under the same names, from another directory.
		if id, script, ok := strings.Cut(strings.TrimSpace(line), "|"); ok && strings.HasPrefix(script, h.State) {
			ids = append(ids, id)
		}
	}
	if got, want := strings.Join(ids, ","), before[0].JobID+","+before[1].JobID; !sameSet(got, want) {
		t.Errorf("Slurm jobs of these trials: %s, want only %s", got, want)
	}
	if left, _ := filepath.Glob(filepath.Join(h.State, "slurm", "*")); len(left) != 0 {
		t.Errorf("spool directories left: %v", left)
	}
}

func sameSet(a, b string) bool {
	x, y := strings.Split(a, ","), strings.Split(b, ",")
	sort.Strings(x)
	sort.Strings(y)
	return fmt.Sprint(x) == fmt.Sprint(y)
}

// Ctrl-C to assay scancels every job it submitted and records each
// cancelled before assay exits.
func TestInterruptCancelsEveryJob(t *testing.T) {
	t.Parallel()
	needCluster(t)
	dir := t.TempDir()
	h := helperSpec{Root: filepath.Join(dir, "repo"), State: filepath.Join(dir, "state"), Jobs: [][2]string{
		{"a", `sleep 300`}, {"b", `sleep 300`},
		// Slurm signals the job's processes one by one, so a sleep the trial
		// waits on can die before the trial itself hears of it: this one
		// outlives its sleeps.
		{"c", `trap 'echo got TERM; exit 7' TERM; echo up; while :; do sleep 0.1; done`},
	}}
	os.MkdirAll(h.Root, 0o755)
	helper := startHelper(t, h)
	jobs := waitStarted(t, h.State, 3)
	deadline := time.Now().Add(10 * time.Second)
	for _, af := range jobs {
		for af.Experiment == "c" && time.Now().Before(deadline) {
			if b, _ := os.ReadFile(filepath.Join(h.State, "slurm", af.RunID, logName)); strings.Contains(string(b), "up") {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	helper.Process.Signal(os.Interrupt)
	exited := make(chan error, 1)
	go func() { exited <- helper.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("helper: %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("assay did not exit within 2 minutes of Ctrl-C")
	}
	sp, _ := spool.Open(filepath.Join(h.State, "spool"))
	runs := spooled(t, sp)
	for _, af := range jobs {
		rs := runs[af.Experiment]
		if len(rs) != 1 || rs[0].Result.Status != runner.StatusCancelled || !strings.Contains(rs[0].Result.Error, "assay was interrupted") {
			t.Errorf("%s: %d records %+v", af.Experiment, len(rs), rs)
			continue
		}
		if st := squeueState(t, af.JobID); st != "" && st != "CANCELLED" {
			t.Errorf("job %s is %s after Ctrl-C", af.JobID, st)
		}
	}
	if c := runs["c"]; len(c) == 1 {
		log, _ := os.ReadFile(c[0].LogPath)
		if c[0].Result.ExitCode != 7 || !strings.Contains(string(log), "got TERM") {
			t.Errorf("c: exit %d, log %q: the trial should see SIGTERM and exit its own way", c[0].Result.ExitCode, log)
		}
	}
}

// A job whose id never reached attempt.json (assay killed between sbatch
// and writing it down) is found by its script path, and adopted.
func TestAdoptByScriptPath(t *testing.T) {
	t.Parallel()
	needCluster(t)
	dir := t.TempDir()
	root, state := filepath.Join(dir, "repo"), filepath.Join(dir, "state")
	j := testJob("orphan", `sleep 2; echo '{"acc": 1}' >> "$ASSAY_METRICS_FILE"`)
	runID := runner.NewRunID(time.Now())
	run := filepath.Join(state, "slurm", runID)
	for _, d := range []string{root, filepath.Join(run, artifactsName)} {
		os.MkdirAll(d, 0o755)
	}
	os.WriteFile(filepath.Join(run, metricsName), nil, 0o644)
	w := &wrapper{Title: "orphan", Dir: run, Workdir: root, Argv: j.Trial.Command, CPUOnly: true,
		Exports: [][2]string{{"ASSAY_METRICS_FILE", filepath.Join(run, metricsName)}}}
	os.WriteFile(filepath.Join(run, scriptName), []byte(w.script()), 0o755)
	if err := writeAttempt(run, &attemptFile{RunID: runID, TrialKey: j.Trial.Key, Experiment: "orphan", Attempt: 1, Submitted: time.Now()}); err != nil {
		t.Fatal(err)
	}
	cancelJobsAtEnd(t, state)
	id := strings.TrimSpace(slurmCmd(t, "sbatch", "--parsable", "--output="+filepath.Join(run, logName), "--chdir="+run, filepath.Join(run, scriptName)))

	sp, _ := spool.Open(filepath.Join(state, "spool"))
	x := New(Config{PollInterval: testPoll})
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{j}, Root: root, StateDir: state}, sp, nil); err != nil {
		t.Fatal(err)
	}
	rs := spooled(t, sp)["orphan"]
	if len(rs) != 1 || rs[0].Result.RunID != runID || rs[0].Result.Status != runner.StatusSucceeded || rs[0].Result.Metrics["acc"] != 1 {
		t.Fatalf("records: %+v", rs)
	}
	if w := strings.Join(rs[0].Result.Warnings, "\n"); !strings.Contains(w, "adopted: submitted by an earlier assay run as Slurm job "+id) {
		t.Errorf("warnings = %q", w)
	}
}
