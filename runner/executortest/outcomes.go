package executortest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

var runIDPattern = regexp.MustCompile(`^\d{8}T\d{6}\.\d{3}Z-[0-9a-z]{10}$`)

// testContract: the environment a trial sees, and the record it leaves.
func testContract(t *testing.T, h Harness) {
	e := newEnv(t)
	x := h.New(t, Machine{Parallel: 2, KillGrace: time.Second, Environ: append(os.Environ(), "TEST_SECRET_TOKEN=s3cret")})
	script := `env | grep -E '^(ASSAY_|CUDA_|FROM_SPEC|TEST_SECRET)' | sort > "$ASSAY_ARTIFACTS_DIR/env.txt"
printf '{"step": 1, "acc": 0.5}\n{"step": 2, "acc": 0.75}\n' >> "$ASSAY_METRICS_FILE"
echo "imgs/s=120"; echo "to stderr" >&2; echo "imgs/s=80"; pwd`
	j := job("contract", script, withMetrics(
		&spec.Metric{Name: "acc", Summary: "max", Goal: "maximize"},
		&spec.Metric{Name: "throughput", Summary: "mean", Pattern: regexp.MustCompile(`imgs/s=([0-9.]+)`)},
	))
	runs := e.execute(context.Background(), x, j)
	r := only(t, runs, "contract")
	res := r.Result
	wantStatus(t, r, runner.StatusSucceeded, 0)
	if res.Schema != runner.ResultSchema || !runIDPattern.MatchString(res.RunID) || res.TrialKey != j.Trial.Key ||
		res.Seed != 7 || res.Attempt != 1 || res.Executor != x.Name() || res.SourceCommit != "abc123" || res.Trigger != runner.TriggerManual || res.Batch != "batch-1" {
		t.Errorf("record identity: %+v", res)
	}
	if res.Started.IsZero() || res.Finished.Before(res.Started) || res.DurationS < 0 || res.System.Host == "" {
		t.Errorf("record times/system: %+v", res)
	}
	if res.Metrics["acc"] != 0.75 || res.Metrics["throughput"] != 100 {
		t.Errorf("metrics = %v", res.Metrics)
	}
	if len(r.Series["acc"]) != 2 || len(r.Series["throughput"]) != 2 {
		t.Errorf("series = %v", r.Series)
	}
	log := readLog(t, r)
	if !contains(log, "imgs/s=120") || !contains(log, "to stderr") || !contains(log, e.root) {
		t.Errorf("log = %q", log)
	}
	if len(res.Artifacts) != 1 || res.Artifacts[0] != "env.txt" || r.ArtifactsDir == "" {
		t.Fatalf("artifacts = %v in %q", res.Artifacts, r.ArtifactsDir)
	}
	b, err := os.ReadFile(filepath.Join(r.ArtifactsDir, "env.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		k, v, _ := strings.Cut(line, "=")
		got[k] = v
	}
	for k, want := range map[string]string{
		"ASSAY_RUN_ID": res.RunID, "ASSAY_TRIAL_KEY": j.Trial.Key, "ASSAY_EXPERIMENT": "contract",
		"ASSAY_SEED": "7", "ASSAY_PARAMS": `{"lr":0.1}`, "CUDA_VISIBLE_DEVICES": "", "FROM_SPEC": "yes",
	} {
		if v, ok := got[k]; !ok || v != want {
			t.Errorf("%s = %q (set %v), want %q", k, v, ok, want)
		}
	}
	if got["ASSAY_METRICS_FILE"] == "" || got["ASSAY_ARTIFACTS_DIR"] == "" {
		t.Errorf("files missing from env: %v", got)
	}
	if _, ok := got["TEST_SECRET_TOKEN"]; ok {
		t.Error("a credential reached the trial without secret_env")
	}
	var params map[string]any
	if err := json.Unmarshal([]byte(got["ASSAY_PARAMS"]), &params); err != nil || params["lr"] != 0.1 {
		t.Errorf("ASSAY_PARAMS = %q", got["ASSAY_PARAMS"])
	}

	// secret_env passes a credential through, by name, from assay's
	// environment or else from ASSAY_SECRETS (Batch.Secrets), never one of
	// assay's own (Batch.Withheld); every secret value is masked by the
	// executor itself in everything it hands on: the log (stdout and
	// stderr), metric names in the record and in progress events,
	// warnings that quote a bad metric line.
	j2 := job("secret", `echo "token=$TEST_SECRET_TOKEN len=${#TEST_SECRET_TOKEN} missing=${NOT_SET_ANYWHERE-unset}"
echo "stderr $TEST_SECRET_TOKEN" >&2
echo "score=$TEST_SECRET_TOKEN"
echo "vault=$FROM_ASSAY_SECRETS len=${#FROM_ASSAY_SECRETS} own=${TEST_OWN_STORE_KEY-unset}"
printf '{"step": 1, "loss_%s": 1, "acc": "%s"}\n' "$TEST_SECRET_TOKEN" "$TEST_SECRET_TOKEN" >> "$ASSAY_METRICS_FILE"
printf '{"step": 2, "by_%s": 1}\n' "$FROM_ASSAY_SECRETS" >> "$ASSAY_METRICS_FILE"`,
		withMetrics(&spec.Metric{Name: "score", Summary: "last", Pattern: regexp.MustCompile(`score=(.+)`)}))
	j2.Trial.SecretEnv = []string{"TEST_SECRET_TOKEN", "NOT_SET_ANYWHERE", "FROM_ASSAY_SECRETS", "TEST_OWN_STORE_KEY"}
	x2 := h.New(t, Machine{Parallel: 2, KillGrace: time.Second, Environ: append(os.Environ(), "TEST_SECRET_TOKEN=s3cret", "TEST_OWN_STORE_KEY=own-store-key")})
	e.secrets = runner.Secrets{"from_assay_secrets": "vault-value-42", "TEST_OWN_STORE_KEY": "own-store-key"}
	e.withheld = []string{"TEST_OWN_STORE_KEY"}
	e.mask, _ = runner.BatchMask(append(os.Environ(), "TEST_SECRET_TOKEN=s3cret", "TEST_OWN_STORE_KEY=own-store-key"), e.secrets, []*runner.Job{j2}, e.withheld)
	e.events = nil
	r2 := only(t, e.execute(context.Background(), x2, j2), "secret")
	if log := readLog(t, r2); !contains(log, "token=*** len=6 missing=unset") || !contains(log, "stderr ***") ||
		!contains(log, "vault=*** len=14 own=unset") {
		t.Errorf("secret log = %q", log)
	}
	w := strings.Join(r2.Result.Warnings, "\n")
	if !contains(w, "NOT_SET_ANYWHERE is not set") || !contains(w, `"***"`) || !contains(w, "TEST_OWN_STORE_KEY holds assay's own credentials") {
		t.Errorf("warnings = %q", w)
	}
	if _, ok := r2.Result.Metrics["loss_***"]; !ok {
		t.Errorf("metrics = %v", r2.Result.Metrics)
	}
	if _, ok := r2.Result.Metrics["by_***"]; !ok {
		t.Errorf("metrics = %v", r2.Result.Metrics)
	}
	for _, name := range []string{"result.json", "series.json", "log"} {
		data, _ := os.ReadFile(filepath.Join(e.spool.Dir, r2.Result.RunID, name))
		for _, secret := range []string{"s3cret", "vault-value-42", "own-store-key"} {
			if contains(string(data), secret) {
				t.Errorf("secret value %q reached the spooled %s: %s", secret, name, data)
			}
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ev := range e.events {
		if contains(ev.Metric, "s3cret") || contains(ev.Metric, "vault-value-42") {
			t.Errorf("an event carries a secret metric name: %+v", ev)
		}
	}
}

func testExitCodes(t *testing.T, h Harness) {
	e := newEnv(t)
	x := h.New(t, Machine{Parallel: 4, KillGrace: time.Second})
	runs := e.execute(context.Background(), x,
		job("ok", "exit 0"), job("three", "echo bye; exit 3"), job("segv", "kill -SEGV $$"))
	wantStatus(t, only(t, runs, "ok"), runner.StatusSucceeded, 0)
	wantStatus(t, only(t, runs, "three"), runner.StatusFailed, 3)
	segv := only(t, runs, "segv")
	wantStatus(t, segv, runner.StatusFailed, 128+int(syscall.SIGSEGV))
	if !contains(segv.Result.Error, "signal") {
		t.Errorf("segv error = %q", segv.Result.Error)
	}
}

func testCommandNotFound(t *testing.T, h Harness) {
	e := newEnv(t)
	x := h.New(t, Machine{Parallel: 2, KillGrace: time.Second})
	j := job("nocmd", "", withRetries(3))
	j.Trial.Command = []string{"assay-no-such-command-xyz", "--flag"}
	r := only(t, e.execute(context.Background(), x, j), "nocmd")
	wantStatus(t, r, runner.StatusFailed, -1)
	if !contains(r.Result.Error, `"assay-no-such-command-xyz" not found`) {
		t.Errorf("error = %q", r.Result.Error)
	}
	if log := readLog(t, r); !contains(log, "not found") {
		t.Errorf("log = %q", log)
	}
}

func testWorkdirMissing(t *testing.T, h Harness) {
	e := newEnv(t)
	x := h.New(t, Machine{Parallel: 2, KillGrace: time.Second})
	j := job("nodir", "true")
	j.Trial.Workdir = "models/missing"
	j.SpecFile = "experiments/nodir.hcl"
	r := only(t, e.execute(context.Background(), x, j), "nodir")
	wantStatus(t, r, runner.StatusFailed, -1)
	if !contains(r.Result.Error, `workdir "models/missing" does not exist (set in experiments/nodir.hcl)`) {
		t.Errorf("error = %q", r.Result.Error)
	}
}

// alive reports whether pid is a live process (a zombie is dead).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

func testTimeoutKillsGrandchildren(t *testing.T, h Harness) {
	e := newEnv(t)
	x := h.New(t, Machine{Parallel: 2, KillGrace: 2 * time.Second})
	pids := filepath.Join(e.root, "pids")
	gotTerm := filepath.Join(e.root, "got-term")
	// Two grandchildren, one of them a grandchild of a grandchild, then
	// the trial itself waits for ever. The first writes got-term when
	// SIGTERM reaches it, which tells a stop that reached the whole tree
	// from SIGKILL cleaning up after the trial.
	script := `sh -c 'trap "echo term >> ` + gotTerm + `; exit 0" TERM; echo $$ >> ` + pids + `; while :; do sleep 0.1; done' &
sh -c 'sleep 300 & echo $! >> ` + pids + `; wait' &
while [ "$(wc -l < ` + pids + ` 2>/dev/null)" -lt 2 ]; do sleep 0.01; done
echo started; wait`
	start := time.Now()
	// The timeout leaves a slow machine time to start both grandchildren.
	r := only(t, e.execute(context.Background(), x, job("slow", script, withTimeout(2*time.Second))), "slow")
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("timeout took %s", took)
	}
	wantStatus(t, r, runner.StatusTimedOut, 128+int(syscall.SIGTERM))
	if !contains(r.Result.Error, "timed out after 2s") {
		t.Errorf("error = %q", r.Result.Error)
	}
	b, err := os.ReadFile(pids)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(b))
	if len(lines) != 2 {
		t.Fatalf("pids = %q", b)
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, s := range lines {
		pid, _ := strconv.Atoi(s)
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("grandchild %d survived the timeout", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if b, err := os.ReadFile(gotTerm); err != nil || string(b) != "term\n" {
		t.Errorf("got-term = %q, %v: SIGTERM did not reach the grandchild before it was killed", b, err)
	}
}

func testIgnoresSIGTERM(t *testing.T, h Harness) {
	e := newEnv(t)
	grace := 400 * time.Millisecond
	x := h.New(t, Machine{Parallel: 2, KillGrace: grace})
	timeout := time.Second // time for the shell to start and set its trap
	r := only(t, e.execute(context.Background(), x, job("stubborn", `trap '' TERM; echo ready; sleep 300`, withTimeout(timeout))), "stubborn")
	wantStatus(t, r, runner.StatusTimedOut, 128+int(syscall.SIGKILL))
	if !contains(r.Result.Error, "ignored SIGTERM and was killed with SIGKILL") {
		t.Errorf("error = %q", r.Result.Error)
	}
	if r.Result.DurationS < (timeout + grace).Seconds() {
		t.Errorf("killed after %.3fs, before the grace period ended", r.Result.DurationS)
	}
}

func testCancel(t *testing.T, h Harness) {
	e := newEnv(t)
	x := h.New(t, Machine{Parallel: 2, KillGrace: 2 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	started := filepath.Join(e.root, "started")
	jobs := []*runner.Job{
		job("a", `echo a >> `+started+`; sleep 300`, withRetries(2)),
		job("b", `echo b >> `+started+`; sleep 300`, withRetries(2)),
		job("queued", `true`),
	}
	go func() {
		for {
			if b, _ := os.ReadFile(started); len(strings.Fields(string(b))) == 2 {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	runs := e.execute(ctx, x, jobs...)
	for _, name := range []string{"a", "b"} {
		r := only(t, runs, name)
		if r.Result.Status != runner.StatusCancelled || !contains(r.Result.Error, "cancelled") {
			t.Errorf("%s: %s %q", name, r.Result.Status, r.Result.Error)
		}
	}
	if len(runs["queued"]) != 0 {
		t.Errorf("a queued trial ran after cancellation")
	}
}

func testRetries(t *testing.T, h Harness) {
	e := newEnv(t)
	x := h.New(t, Machine{Parallel: 2, KillGrace: time.Second})
	count := filepath.Join(e.root, "count")
	// Fails twice, then succeeds; and one that always fails.
	flaky := `n=$(cat ` + count + ` 2>/dev/null || echo 0); n=$((n+1)); echo $n > ` + count + `; echo "attempt $ASSAY_ATTEMPT"; [ $n -ge 3 ]`
	runs := e.execute(context.Background(), x,
		job("flaky", flaky, withRetries(3)),
		job("hopeless", "exit 1", withRetries(1)),
		job("slowpoke", "sleep 5", withRetries(1), withTimeout(100*time.Millisecond)))
	flakyRuns := runs["flaky"]
	if len(flakyRuns) != 3 {
		t.Fatalf("flaky: %d attempts recorded, want 3", len(flakyRuns))
	}
	for i, r := range flakyRuns {
		want := runner.StatusFailed
		if i == 2 {
			want = runner.StatusSucceeded
		}
		if r.Result.Status != want || r.Result.Attempt != i+1 {
			t.Errorf("flaky attempt %d: %s attempt=%d", i+1, r.Result.Status, r.Result.Attempt)
		}
		if !contains(readLog(t, r), "attempt "+strconv.Itoa(i+1)) {
			t.Errorf("flaky attempt %d did not see ASSAY_ATTEMPT", i+1)
		}
	}
	if len(runs["hopeless"]) != 2 {
		t.Errorf("hopeless: %d attempts, want 2", len(runs["hopeless"]))
	}
	if n := len(runs["slowpoke"]); n != 2 || runs["slowpoke"][1].Result.Status != runner.StatusTimedOut {
		t.Errorf("slowpoke: %d attempts, want 2 timed out", n)
	}
	retrying := 0
	for _, ev := range e.events {
		if ev.Kind == runner.EventRetrying {
			retrying++
		}
	}
	if retrying != 4 {
		t.Errorf("%d retry events, want 4", retrying)
	}
}
