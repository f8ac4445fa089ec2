package slurm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

func TestParseGres(t *testing.T) {
	for _, tc := range []struct {
		in    string
		total int
		types map[string]int
	}{
		{"gpu:fake:2", 2, map[string]int{"fake": 2}},
		{"gpu:4", 4, map[string]int{}},
		{"gpu:a100:4(S:0-1),gpu:v100:2(S:0,1),nic:1", 6, map[string]int{"a100": 4, "v100": 2}},
		{"(null)", 0, map[string]int{}},
		{"", 0, map[string]int{}},
	} {
		total, types := parseGres(tc.in)
		if total != tc.total || !cmp.Equal(types, tc.types) {
			t.Errorf("parseGres(%q) = %d %v, want %d %v", tc.in, total, types, tc.total, tc.types)
		}
	}
}

func TestParseStates(t *testing.T) {
	text := "12|RUNNING|None|0|assay-a-1234|/spool/r1/job.sh|\n" +
		"13|PENDING|BeginTime|1|assay-b-5678|/spool/r2/job.sh|\n" +
		"14|CANCELLED by 0|None|0|x|(null)|\n\n"
	got := parseStates(text)
	want := map[string]jobState{
		"12": {ID: "12", State: "RUNNING", Reason: "None", Name: "assay-a-1234", Command: "/spool/r1/job.sh"},
		"13": {ID: "13", State: "PENDING", Reason: "BeginTime", Restarts: 1, Name: "assay-b-5678", Command: "/spool/r2/job.sh"},
		"14": {ID: "14", State: "CANCELLED", Reason: "None", Name: "x", Command: "(null)"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("parseStates (-want +got):\n%s", d)
	}
	if got["12"].terminal() || got["12"].requeued() || !got["13"].requeued() || !got["14"].terminal() {
		t.Errorf("terminal/requeued wrong: %+v", got)
	}
}

// The wrapper's files count only once whole, whatever a reader catches
// mid-write.
func TestReadWrapperFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) { os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644) }
	for _, partial := range []string{"", "host=n1\nos=Linux x86_64\n"} {
		write(startedName, partial)
		if s, err := readStarted(dir); s != nil || err != nil {
			t.Errorf("started %q: %+v %v, want not yet", partial, s, err)
		}
	}
	write(startedName, "host=n1\nos=Linux aarch64\ngpus=2,3\nend=1\n")
	s, err := readStarted(dir)
	if err != nil || s.Host != "n1" || s.OS != "linux/arm64" || strings.Join(s.GPUs, ",") != "2,3" || s.At.IsZero() {
		t.Errorf("started: %+v %v", s, err)
	}
	write(exitName, "exit=143\nterm=1\n")
	if e, err := readEnding(dir); e != nil || err != nil {
		t.Errorf("half an exit file: %+v %v", e, err)
	}
	write(exitName, "exit=143\nterm=1\ntimedout=\nkilled=\nnotstarted=\nend=1\n")
	e, err := readEnding(dir)
	if err != nil || e.ExitCode != 143 || !e.Term || e.TimedOut || e.Killed || e.NotStarted != "" || e.Finished.IsZero() {
		t.Errorf("exit: %+v %v", e, err)
	}
	write(exitName, "exit=x\nend=1\n")
	if _, err := readEnding(dir); err == nil {
		t.Error("exit=x was read as a number")
	}
}

func TestTimeLimit(t *testing.T) {
	for _, tc := range []struct {
		timeout, grace time.Duration
		want           string
	}{
		{300 * time.Millisecond, time.Second, "2"},
		{2 * time.Hour, 10 * time.Second, "122"},
		{59 * time.Second, 0, "2"},
		{50 * time.Second, 10 * time.Second, "2"},
		{49 * time.Minute, time.Minute, "51"},
	} {
		if got := timeLimit(tc.timeout, tc.grace); got != tc.want {
			t.Errorf("timeLimit(%s, %s) = %s, want %s", tc.timeout, tc.grace, got, tc.want)
		}
	}
}

// The environment sbatch hands the job: secret_env from assay's
// environment first, else from ASSAY_SECRETS (matched as GitHub matches
// secret names), never assay's own credentials.
func TestInheritedEnv(t *testing.T) {
	tr := &spec.Trial{SecretEnv: []string{"HF_TOKEN", "ABSENT", "WANDB_API_KEY", "AWS_SECRET_ACCESS_KEY"}}
	secrets := runner.Secrets{"HF_TOKEN": "from-secrets", "wandb_api_key": "w-secret", "AWS_SECRET_ACCESS_KEY": "store"}
	env, missing, held := inheritedEnv([]string{
		"PATH=/usr/bin", "HOME=/h", "GITHUB_TOKEN=x", "HF_TOKEN=y", "ASSAY_GPUS=0", "CUDA_VISIBLE_DEVICES=0,1",
		"SLURM_JOB_ID=7", "SLURM_CONF=/etc/slurm/slurm.conf", "SBATCH_ACCOUNT=ml", "PATH=/dup", "AWS_SECRET_ACCESS_KEY=own",
	}, tr, secrets, []string{"AWS_SECRET_ACCESS_KEY"})
	if got := strings.Join(env, " "); got != "PATH=/dup HOME=/h HF_TOKEN=y SLURM_CONF=/etc/slurm/slurm.conf SBATCH_ACCOUNT=ml WANDB_API_KEY=w-secret" {
		t.Errorf("env = %q", got)
	}
	if strings.Join(missing, ",") != "ABSENT" {
		t.Errorf("missing = %v", missing)
	}
	if strings.Join(held, ",") != "AWS_SECRET_ACCESS_KEY" {
		t.Errorf("withheld = %v", held)
	}
}

func TestSbatchArgs(t *testing.T) {
	x := &execution{
		cfg:  Config{Partition: "gpu", Account: "ml", ExtraArgs: []string{"--mem=4G"}, KillGrace: 10 * time.Second},
		part: &partition{Name: "gpu", Features: []string{"a100", "gpu"}},
	}
	x.x = New(Config{GresTypes: map[string]string{"a100": "nvidia_a100"}})
	tr := &spec.Trial{Experiment: "resnet 18", Key: "0123456789abcdef", Runner: spec.Runner{Labels: []string{"slurm", "a100", "gpu"}, GPUs: 2, Timeout: time.Hour}}
	a := &attempt{job: &runner.Job{Trial: tr}, dir: "/spool/r1"}
	got := x.sbatchArgs(a, "/spool/r1/job.sh")
	want := []string{"--parsable", "--job-name=assay-resnet_18-01234567", "--output=/spool/r1/log", "--open-mode=append", "--chdir=/spool/r1", "--export=ALL",
		"--partition=gpu", "--account=ml", "--time=62", "--gres=gpu:nvidia_a100:2", "--constraint=a100&gpu", "--mem=4G", "/spool/r1/job.sh"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("sbatch args (-want +got):\n%s", d)
	}
}

// outcome reads the exit file for what the command did and the job state
// for what stopped it.
func TestOutcome(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, startedName), []byte("host=n1\nos=Linux x86_64\ngpus=\nend=1\n"), 0o644)
	x := &execution{cfg: Config{KillGrace: time.Second, Now: func() time.Time { return time.Unix(200, 0) }}, dir: dir}
	tr := &spec.Trial{Command: []string{"train"}, Runner: spec.Runner{Timeout: time.Minute}}
	ok := &ending{ExitCode: 0, Finished: time.Unix(150, 0)}
	term := &ending{ExitCode: 143, Term: true, Finished: time.Unix(150, 0)}
	for _, tc := range []struct {
		name      string
		end       *ending
		state     string
		cancelled bool
		status    runner.Status
		exit      int
		err       string
	}{
		{"succeeded", ok, "COMPLETED", false, runner.StatusSucceeded, 0, ""},
		{"state forgotten", ok, "", false, runner.StatusSucceeded, 0, ""},
		{"failed", &ending{ExitCode: 2}, "FAILED", false, runner.StatusFailed, 2, ""},
		{"signal", &ending{ExitCode: 137}, "FAILED", false, runner.StatusFailed, 137, "killed by signal (killed)"},
		{"scancel outside", term, "CANCELLED", false, runner.StatusCancelled, 143, "scancelled from outside assay"},
		{"scancel by assay", term, "CANCELLED", true, runner.StatusCancelled, 143, "assay was interrupted"},
		{"scancel by assay, trial first", &ending{ExitCode: 143}, "", true, runner.StatusCancelled, 143, "assay was interrupted"},
		{"done as assay stopped", ok, "COMPLETED", true, runner.StatusSucceeded, 0, ""},
		{"slurm time limit", term, "TIMEOUT", false, runner.StatusTimedOut, 143, "at its time limit (--time=3 minutes)"},
		{"wrapper timeout", &ending{ExitCode: 143, TimedOut: true}, "FAILED", false, runner.StatusTimedOut, 143, "timed out after 1m0s (the runner's timeout); stopped with SIGTERM"},
		{"oom", &ending{ExitCode: 137}, "OUT_OF_MEMORY", false, runner.StatusFailed, 137, "out of memory"},
		{"no exit file", nil, "COMPLETED", false, runner.StatusFailed, -1, "without writing"},
		{"term, state forgotten", term, "", false, runner.StatusCancelled, 143, "got SIGTERM"},
		{"not found", &ending{ExitCode: -1, NotStarted: "notfound"}, "FAILED", false, runner.StatusFailed, -1, `command "train" not found on PATH on node n1`},
	} {
		a := &attempt{job: &runner.Job{Trial: tr}, dir: dir, jobID: "42", cancelled: tc.cancelled}
		o := x.outcome(a, tc.end, jobState{State: tc.state}, tc.state != "")
		if o.status != tc.status || o.exitCode != tc.exit || !strings.Contains(o.err, tc.err) || (tc.err == "" && o.err != "") {
			t.Errorf("%s: %s exit %d %q, want %s exit %d %q", tc.name, o.status, o.exitCode, o.err, tc.status, tc.exit, tc.err)
		}
	}
}
