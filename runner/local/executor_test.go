package local

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/executortest"
	"github.com/assaylab/assay/runner/gpu"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

func newForMachine(_ *testing.T, m executortest.Machine) runner.Executor {
	inv := gpu.Inventory{Source: "ASSAY_GPUS"}
	for _, id := range m.GPUs {
		inv.Devices = append(inv.Devices, gpu.Device{ID: id})
	}
	return New(Config{GPUs: inv, Labels: m.Labels, Parallel: m.Parallel, KillGrace: m.KillGrace, Environ: m.Environ,
		PollInterval: 20 * time.Millisecond, Supervisor: SupervisorCommand()})
}

// TestSuite runs the shared suite as assay runs trials: each under its
// supervisor.
func TestSuite(t *testing.T) {
	executortest.Run(t, executortest.Harness{New: newForMachine})
}

// TestSuiteUnsupervised runs it with trials as assay's direct children,
// as on a system without a subreaper.
func TestSuiteUnsupervised(t *testing.T) {
	executortest.Run(t, executortest.Harness{New: func(t *testing.T, m executortest.Machine) runner.Executor {
		x := newForMachine(t, m).(*Executor)
		x.cfg.Supervisor = nil
		return x
	}})
}

func trial(name, script string) *runner.Job {
	tr := &spec.Trial{Experiment: name, Command: []string{"/bin/sh", "-c", script}, Workdir: ".", ParamsJSON: "{}"}
	tr.ComputeKey()
	return &runner.Job{Trial: tr}
}

// A trial that writes far more to stdout than assay should ever hold
// costs assay a bounded amount of memory: the bytes it allocates while
// streaming 64 MiB through the pattern scanner stay a small fraction of
// that. (bench/run.sh measures peak RSS for 1 GiB.)
func TestLargeStdoutStreamsInBoundedMemory(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	sp, _ := spool.Open(filepath.Join(state, "spool"))
	const size = 64 << 20
	j := trial("big", `head -c 67108864 /dev/zero | tr '\0' 'x' | fold -w 4096; echo; echo "loss=1"; head -c 8388608 /dev/zero`)
	j.Metrics = []*spec.Metric{{Name: "loss", Summary: "last", Pattern: regexp.MustCompile(`^loss=(\d+)`)}}
	x := New(Config{Parallel: 1, Environ: os.Environ()})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{j}, Root: root, StateDir: state}, sp, nil); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	ids, _ := sp.List()
	run, err := sp.Get(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if run.Result.Metrics["loss"] != 1 {
		t.Errorf("metrics = %v", run.Result.Metrics)
	}
	info, _ := os.Stat(run.LogPath)
	if info.Size() < size {
		t.Errorf("log is %d bytes", info.Size())
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d KiB", alloc>>10)
	if alloc > size/8 && !raceEnabled {
		t.Errorf("assay allocated %d MiB while the trial wrote %d MiB", alloc>>20, (size+8<<20)>>20)
	}
}

// The working files are gone once the spool holds the run; the spool has
// the artifacts.
func TestWorkingFilesAreRemovedAfterRecording(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	sp, _ := spool.Open(filepath.Join(state, "spool"))
	x := New(Config{Parallel: 2, Environ: os.Environ()})
	jobs := []*runner.Job{trial("plain", "echo hi"), trial("keeps", `echo model > "$ASSAY_ARTIFACTS_DIR/model.bin"`)}
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: jobs, Root: root, StateDir: state}, sp, nil); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(state, "runs", "*"))
	if len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	kept, _ := filepath.Glob(filepath.Join(sp.Dir, "*", "artifacts", "model.bin"))
	if len(kept) != 1 {
		t.Errorf("artifact not in the spool: %v", kept)
	}
}

// Artifacts globs copy files from the workdir; a file the trial already
// put in ASSAY_ARTIFACTS_DIR wins over the workdir's.
func TestArtifactGlobs(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	sp, _ := spool.Open(filepath.Join(state, "spool"))
	j := trial("arts", `mkdir -p out/plots; echo w > out/weights.json; echo p > out/plots/a.png; echo mine > "$ASSAY_ARTIFACTS_DIR/out-weights"; mkdir -p "$ASSAY_ARTIFACTS_DIR/out"; echo trial > "$ASSAY_ARTIFACTS_DIR/out/weights.json"`)
	j.Artifacts = []string{"out/weights.json", "out/**/*.png", "missing/*"}
	x := New(Config{Parallel: 1, Environ: os.Environ()})
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{j}, Root: root, StateDir: state}, sp, nil); err != nil {
		t.Fatal(err)
	}
	ids, _ := sp.List()
	run, _ := sp.Get(ids[0])
	if got := strings.Join(run.Result.Artifacts, " "); got != "out-weights out/plots/a.png out/weights.json" {
		t.Errorf("artifacts = %q", got)
	}
	b, _ := os.ReadFile(filepath.Join(run.ArtifactsDir, "out", "weights.json"))
	if string(b) != "trial\n" {
		t.Errorf("the workdir's copy replaced the trial's own: %q", b)
	}
}

// GPU trials get the model and driver nvidia-smi reports, and their use
// is sampled; the fake nvidia-smi answers as the real one does.
func TestGPUSystemMetrics(t *testing.T) {
	smi, _ := filepath.Abs("../gpu/testdata/nvidia-smi")
	inv, err := gpu.Resolve(context.Background(), gpu.Options{NvidiaSMI: smi})
	if err != nil || len(inv.Devices) != 2 {
		t.Fatalf("inventory: %+v %v", inv, err)
	}
	root, state := t.TempDir(), t.TempDir()
	sp, _ := spool.Open(filepath.Join(state, "spool"))
	j := trial("gpu", "sleep 0.5")
	j.Trial.Runner.GPUs = 2
	x := New(Config{GPUs: inv, Parallel: 1, Sampler: gpu.NewSampler(smi, 50*time.Millisecond), Environ: os.Environ()})
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{j}, Root: root, StateDir: state}, sp, nil); err != nil {
		t.Fatal(err)
	}
	ids, _ := sp.List()
	run, _ := sp.Get(ids[0])
	sys := run.Result.System
	if sys.GPUModel != "NVIDIA H100 80GB HBM3" || sys.GPUDriver != "550.54.15" || sys.GPUPeakMemoryMiB != 3000 || sys.GPUUtilMean != 45 {
		t.Errorf("system = %+v", sys)
	}
}

func TestSchedulerPacksLargestFirst(t *testing.T) {
	mk := func(name string, gpus int) *runner.Job {
		j := trial(name, "true")
		j.Trial.Runner.GPUs = gpus
		return j
	}
	q := newQueue([]*runner.Job{mk("c1", 0), mk("g1", 1), mk("g2", 2), mk("g1b", 1), mk("g3", 3)})
	s := newSlots([]string{"0", "1", "2"}, 1)
	var order []string
	var gpus [][]string
	for {
		p, g := q.next(s)
		if p == nil {
			break
		}
		order = append(order, p.job.Trial.Experiment)
		gpus = append(gpus, g)
	}
	if got := strings.Join(order, " "); got != "g3 c1" {
		t.Fatalf("started %q with everything free, want g3 then the CPU trial", got)
	}
	s.release(gpus[0])
	order = order[:0]
	for {
		p, g := q.next(s)
		if p == nil {
			break
		}
		order = append(order, p.job.Trial.Experiment+"="+strings.Join(g, ","))
	}
	if got := strings.Join(order, " "); got != "g2=0,1 g1=2" {
		t.Errorf("after g3 ended: %q", got)
	}
	if q.len() != 1 {
		t.Errorf("queue has %d left", q.len())
	}
}

func TestEnvironment(t *testing.T) {
	tr := &spec.Trial{
		Env:       map[string]string{"B": "spec", "PATH": "/spec/bin"},
		SecretEnv: []string{"HF_TOKEN", "ABSENT", "WANDB_API_KEY", "AZURE_STORAGE_KEY"},
		PassEnv:   []string{"PAD_TOKEN_ID", "AZURE_STORAGE_CONNECTION_STRING"},
	}
	base := []string{"PATH=/usr/bin", "HOME=/h", "GITHUB_TOKEN=x", "HF_TOKEN=y", "AWS_SECRET_ACCESS_KEY=z", "ASSAY_GPUS=0",
		"CUDA_VISIBLE_DEVICES=0,1", "B=base", `ASSAY_SECRETS={"HF_TOKEN":"s"}`, "PAD_TOKEN_ID=0",
		"AZURE_STORAGE_KEY=k", "AZURE_STORAGE_CONNECTION_STRING=c", "PGPASSWORD=p"}
	secrets := runner.Secrets{"HF_TOKEN": "from-secrets", "wandb_api_key": "w", "AZURE_STORAGE_KEY": "k2"}
	env, missing, held := trialEnv(base, tr, secrets, runner.OwnCredentials("azblob://c"),
		[][2]string{{"ASSAY_RUN_ID", "r"}, {"CUDA_VISIBLE_DEVICES", ""}})
	// assay's environment wins over ASSAY_SECRETS; a secret found only
	// there is passed under the name secret_env gives; assay's own store
	// credentials stay behind even when named.
	got := strings.Join(env, " ")
	if got != "PATH=/spec/bin HOME=/h HF_TOKEN=y B=spec PAD_TOKEN_ID=0 WANDB_API_KEY=w ASSAY_RUN_ID=r CUDA_VISIBLE_DEVICES=" {
		t.Errorf("env = %q", got)
	}
	if strings.Join(missing, ",") != "ABSENT" || strings.Join(held, ",") != "AZURE_STORAGE_KEY" {
		t.Errorf("missing = %v, held = %v", missing, held)
	}
}
