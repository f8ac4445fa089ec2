package slurm

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/slurm/slurmtest"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

// Tests of what only a real Slurm shows: jobs cancelled or requeued from
// outside assay, GPU types and features, and (in adopt_test.go) assay
// killed and interrupted. Each skips without a cluster.

// bench is one test's repository, state directory, spool and executor.
type bench struct {
	t      *testing.T
	root   string
	state  string
	spool  *spool.Spool
	x      *Executor
	mu     sync.Mutex
	events []runner.Event
}

func newBench(t *testing.T, cfg Config) *bench {
	t.Helper()
	needCluster(t)
	dir := t.TempDir()
	b := &bench{t: t, root: filepath.Join(dir, "repo"), state: filepath.Join(dir, "state")}
	if err := os.MkdirAll(b.root, 0o755); err != nil {
		t.Fatal(err)
	}
	sp, err := spool.Open(filepath.Join(b.state, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	b.spool = sp
	if cfg.PollInterval == 0 {
		cfg.PollInterval = testPoll
	}
	if cfg.CancelWait == 0 {
		cfg.CancelWait = 20 * time.Second
	}
	b.x = New(cfg)
	cancelJobsAtEnd(t, b.state)
	return b
}

// cancelJobsAtEnd scancels, when the test ends, the jobs whose scripts
// lie under dir: a test that fails while its jobs loop must not leave
// them running. A test that passed gives them a few seconds to end by
// themselves, and fails if one does not.
func cancelJobsAtEnd(t *testing.T, dir string) {
	t.Cleanup(func() {
		grace := 10 * time.Second
		if t.Failed() {
			grace = 0
		}
		jobs, err := slurmtest.CancelUnder(dir, grace)
		if err != nil {
			t.Errorf("cancelling the test's jobs: %v", err)
		}
		if len(jobs) > 0 && !t.Failed() {
			t.Errorf("jobs still running %s after the test: %v", grace, jobs)
		}
	})
}

// testJob is a CPU trial running script with /bin/sh in the repository.
func testJob(name, script string, opts ...func(*spec.Trial)) *runner.Job {
	tr := &spec.Trial{
		Experiment: name,
		Params:     map[string]any{},
		ParamsJSON: "{}",
		Seed:       1,
		Command:    []string{"/bin/sh", "-c", script},
		Workdir:    ".",
	}
	for _, o := range opts {
		o(tr)
	}
	tr.ComputeKey()
	return &runner.Job{Trial: tr}
}

func (b *bench) observe(ev runner.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, ev)
}

// run executes jobs to the end and returns the spooled runs by
// experiment.
func (b *bench) run(ctx context.Context, jobs ...*runner.Job) map[string][]*runner.Run {
	b.t.Helper()
	batch := &runner.Batch{Jobs: jobs, Root: b.root, StateDir: b.state, SourceCommit: "abc", Trigger: runner.TriggerManual}
	if err := b.x.Execute(ctx, batch, b.spool, runner.ObserverFunc(b.observe)); err != nil {
		b.t.Fatalf("Execute: %v", err)
	}
	return spooled(b.t, b.spool)
}

// background is an Execute that runs while the test acts on its jobs.
type background struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// start runs Execute in the background. When the test ends, however it
// ends, Execute is cancelled and waited for.
func (b *bench) start(jobs ...*runner.Job) *background {
	ctx, cancel := context.WithCancel(context.Background())
	bg := &background{cancel: cancel, done: make(chan struct{})}
	batch := &runner.Batch{Jobs: jobs, Root: b.root, StateDir: b.state, SourceCommit: "abc", Trigger: runner.TriggerManual}
	go func() {
		defer close(bg.done)
		bg.err = b.x.Execute(ctx, batch, b.spool, runner.ObserverFunc(b.observe))
	}()
	b.t.Cleanup(func() { cancel(); <-bg.done })
	return bg
}

// wait returns the spooled runs once the background Execute has returned;
// after d it stops it and fails the test, saying what it waited for.
func (b *bench) wait(bg *background, d time.Duration, after string) map[string][]*runner.Run {
	b.t.Helper()
	select {
	case <-bg.done:
	case <-time.After(d):
		bg.cancel()
		<-bg.done
		b.t.Fatalf("Execute did not return within %s after %s", d, after)
	}
	if bg.err != nil {
		b.t.Fatalf("Execute: %v", bg.err)
	}
	return spooled(b.t, b.spool)
}

func spooled(t *testing.T, sp *spool.Spool) map[string][]*runner.Run {
	t.Helper()
	ids, err := sp.List()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]*runner.Run{}
	for _, id := range ids {
		r, err := sp.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		out[r.Result.Experiment] = append(out[r.Result.Experiment], r)
	}
	return out
}

// jobIDOf waits for a run of the experiment to start and returns its
// Slurm job id, from its attempt.json.
func (b *bench) jobIDOf(experiment string, attempt int) string {
	b.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		b.mu.Lock()
		var runID string
		for _, ev := range b.events {
			if ev.Kind == runner.EventStarted && ev.Job.Trial.Experiment == experiment && ev.Attempt == attempt {
				runID = ev.RunID
			}
		}
		b.mu.Unlock()
		if runID != "" {
			af, err := readAttempt(filepath.Join(b.state, "slurm", runID))
			if err == nil && af.JobID != "" {
				return af.JobID
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	jobs, err := slurmtest.JobsUnder(b.state)
	b.t.Fatalf("%s attempt %d did not start within 2 minutes; Slurm has %v (%v)", experiment, attempt, jobs, err)
	return ""
}

func slurmCmd(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// jobState asks squeue about one job; "" once Slurm has forgotten it.
func squeueState(t *testing.T, id string) string {
	out, _ := exec.Command("squeue", "--noheader", "--states=all", "--jobs="+id, "--Format=State").Output()
	return strings.TrimSpace(string(out))
}

// A job scancelled by someone else is recorded cancelled, and not retried.
func TestCancelledFromOutside(t *testing.T) {
	t.Parallel()
	b := newBench(t, Config{})
	bg := b.start(testJob("victim", "echo up; sleep 300", func(tr *spec.Trial) { tr.Runner.Retries = 2 }))
	slurmCmd(t, "scancel", b.jobIDOf("victim", 1))
	runs := b.wait(bg, 2*time.Minute, "the job was scancelled")
	if len(runs["victim"]) != 1 {
		t.Fatalf("victim: %d records, want 1", len(runs["victim"]))
	}
	res := runs["victim"][0].Result
	if res.Status != runner.StatusCancelled || !strings.Contains(res.Error, "scancelled from outside assay") {
		t.Errorf("victim: %s %q", res.Status, res.Error)
	}
}

// A job Slurm requeues (here by scontrol requeue, as after a node failure)
// is cancelled and submitted again as the trial's next attempt: one
// record, of attempt 2, and the requeued job never runs again.
func TestRequeuedJobIsResubmitted(t *testing.T) {
	t.Parallel()
	b := newBench(t, Config{})
	count := filepath.Join(b.root, "count")
	// The first attempt is the sleep itself (exec): were it a child of the
	// shell, Slurm's SIGTERM could kill it before the shell, which would
	// then go on and succeed.
	script := `echo run >> ` + count + `; if [ "$ASSAY_ATTEMPT" = 1 ]; then exec sleep 300; fi; echo '{"loss": 0.5}' >> "$ASSAY_METRICS_FILE"`
	bg := b.start(testJob("requeued", script, func(tr *spec.Trial) { tr.Runner.Retries = 1 }))
	first := b.jobIDOf("requeued", 1)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(count); len(b) > 0 {
			break // the trial itself is running, not just its wrapper
		}
	}
	slurmCmd(t, "scontrol", "requeue", first)
	runs := b.wait(bg, 2*time.Minute, "the requeue")
	rs := runs["requeued"]
	if len(rs) != 1 {
		t.Fatalf("%d records, want 1", len(rs))
	}
	res := rs[0].Result
	if res.Status != runner.StatusSucceeded || res.Attempt != 2 || res.Metrics["loss"] != 0.5 {
		t.Errorf("record: %s attempt %d metrics %v (%q)", res.Status, res.Attempt, res.Metrics, res.Error)
	}
	retrying := 0
	for _, ev := range b.events {
		if ev.Kind == runner.EventRetrying && strings.Contains(ev.Result.Error, "requeued") {
			retrying++
		}
	}
	if retrying != 1 {
		t.Errorf("%d retry events for the requeue, want 1", retrying)
	}
	if st := squeueState(t, first); st != "" && st != "CANCELLED" {
		t.Errorf("the requeued job %s is %s, want cancelled", first, st)
	}
	if b, _ := os.ReadFile(count); strings.Count(string(b), "run") != 2 {
		t.Errorf("the trial ran %d times, want 2", strings.Count(string(b), "run"))
	}
}

// A label with a gres type asks for GPUs of that type, a label that is a
// node feature becomes a constraint, and the record has the devices
// Slurm gave the job with what the node's nvidia-smi says of them.
func TestGresTypeAndFeature(t *testing.T) {
	t.Parallel()
	parts := needCluster(t)
	p, ok := parts[2]
	if !ok {
		t.Skip("no partition has 2-GPU nodes; .ci/slurm/setup.sh makes one")
	}
	smi, _ := filepath.Abs("../gpu/testdata/nvidia-smi")
	bin := t.TempDir()
	if err := os.Symlink(smi, filepath.Join(bin, "nvidia-smi")); err != nil {
		t.Fatal(err)
	}
	b := newBench(t, Config{Partition: p, GresTypes: map[string]string{"a100": "fake"}, GPUSampleInterval: 100 * time.Millisecond,
		Environ: append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))})
	j := testJob("typed", `echo "gpus=$CUDA_VISIBLE_DEVICES"; sleep 0.5`, func(tr *spec.Trial) {
		tr.Runner.GPUs, tr.Runner.Labels = 1, []string{"a100"}
	})
	if r := b.x.Check([]*runner.Job{j}); len(r) != 0 {
		t.Fatalf("refused: %+v", r)
	}
	runs := b.run(context.Background(), j)
	if len(runs["typed"]) != 1 {
		t.Fatalf("%d records", len(runs["typed"]))
	}
	res := runs["typed"][0].Result
	log, _ := os.ReadFile(runs["typed"][0].LogPath)
	if res.Status != runner.StatusSucceeded || len(res.GPUs) != 1 || !strings.Contains(string(log), "gpus="+res.GPUs[0]) {
		t.Fatalf("record: %s gpus %v, log %q", res.Status, res.GPUs, log)
	}
	if res.System.GPUModel != "NVIDIA H100 80GB HBM3" || res.System.GPUPeakMemoryMiB == 0 || !strings.HasPrefix(res.System.OS, "linux/") {
		t.Errorf("system = %+v", res.System)
	}

	// A type no node has, and more GPUs than a node has, are refused.
	other := New(Config{Partition: p, GresTypes: map[string]string{"a100": "h100"}})
	wide := testJob("wide", "true", func(tr *spec.Trial) { tr.Runner.GPUs = 64 })
	refusals := other.Check([]*runner.Job{j, wide})
	if len(refusals) != 2 || !strings.Contains(refusals[0].Reason, "of type h100") || !strings.Contains(refusals[1].Reason, "needs 64 GPUs but no node of partition") {
		t.Errorf("refusals = %+v", refusals)
	}
}

// Without Slurm's commands, Probe says what is missing and what to do.
func TestProbeWithoutSlurm(t *testing.T) {
	x := New(Config{Sbatch: filepath.Join(t.TempDir(), "sbatch")})
	err := x.Probe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not on PATH") {
		t.Errorf("Probe = %v", err)
	}
}
