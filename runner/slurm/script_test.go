package slurm

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
)

// These tests run the generated wrapper with /bin/sh directly, as Slurm
// would, without a cluster: the protocol of started and exit files, the
// timeout and the reasons a command cannot start.

type wrapped struct {
	dir  string
	cmd  *exec.Cmd
	done chan error
}

// startWrapper writes the wrapper for argv and starts it with its output
// appended to log, in env (nil: the test's).
func startWrapper(t *testing.T, w wrapper, env []string) *wrapped {
	t.Helper()
	root := t.TempDir()
	if w.Dir == "" {
		w.Dir = filepath.Join(root, "run")
	}
	if w.Workdir == "" {
		w.Workdir = root
	}
	if w.Grace == 0 {
		w.Grace = time.Second
	}
	if w.SampleEvery == 0 {
		w.SampleEvery = 100 * time.Millisecond
	}
	if err := os.MkdirAll(w.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(w.Dir, scriptName)
	if err := os.WriteFile(script, []byte(w.script()), 0o755); err != nil {
		t.Fatal(err)
	}
	log, err := os.OpenFile(filepath.Join(w.Dir, logName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command("/bin/sh", script)
	cmd.Stdout, cmd.Stderr, cmd.Env = log, log, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &wrapped{dir: w.Dir, cmd: cmd, done: make(chan error, 1)}
	go func() { r.done <- cmd.Wait() }()
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	return r
}

// wait returns the exit file once the wrapper has ended.
func (r *wrapped) wait(t *testing.T) *ending {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the wrapper did not end within 30s")
	}
	end, err := readEnding(r.dir)
	if err != nil || end == nil {
		t.Fatalf("exit file: %v %v", end, err)
	}
	return end
}

func (r *wrapped) log(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join(r.dir, logName))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sh(script string) []string { return []string{"/bin/sh", "-c", script} }

func TestWrapperExitCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		script string
		code   int
	}{{"echo hi", 0}, {"exit 3", 3}, {"kill -SEGV $$", 128 + int(syscall.SIGSEGV)}} {
		r := startWrapper(t, wrapper{Argv: sh(tc.script), CPUOnly: true}, nil)
		end := r.wait(t)
		if end.ExitCode != tc.code || end.TimedOut || end.Killed || end.Term || end.NotStarted != "" {
			t.Errorf("%s: %+v, want exit %d", tc.script, end, tc.code)
		}
		if r.cmd.ProcessState.ExitCode() != tc.code {
			t.Errorf("%s: the wrapper exited %d, want the trial's %d (so Slurm's state agrees)", tc.script, r.cmd.ProcessState.ExitCode(), tc.code)
		}
		st, err := readStarted(r.dir)
		if err != nil || st == nil || st.Host == "" || !strings.HasPrefix(st.OS, "linux/") || st.At.After(end.Finished) || len(st.GPUs) != 0 {
			t.Errorf("%s: started = %+v %v", tc.script, st, err)
		}
	}
}

// The wrapper exports the contract verbatim, whatever the values hold,
// and a CPU trial gets an empty CUDA_VISIBLE_DEVICES even when Slurm or
// the caller set one.
func TestWrapperExportsQuoted(t *testing.T) {
	t.Parallel()
	odd := "it's $HOME `date` \"q\" \\ \n second line"
	r := startWrapper(t, wrapper{
		Argv:    sh(`printf '%s|%s|%s' "$ODD" "$CUDA_VISIBLE_DEVICES" "$PWD" > out`),
		Exports: [][2]string{{"ODD", odd}},
		CPUOnly: true,
	}, append(os.Environ(), "CUDA_VISIBLE_DEVICES=0,1"))
	if end := r.wait(t); end.ExitCode != 0 {
		t.Fatalf("exit %d: %s", end.ExitCode, r.log(t))
	}
	wd := filepath.Dir(r.dir)
	b, _ := os.ReadFile(filepath.Join(wd, "out"))
	if got, want := string(b), odd+"||"+wd; got != want {
		t.Errorf("trial saw %q, want %q", got, want)
	}
}

func TestWrapperNotStarted(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "plain.txt"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(root, "adir"), 0o755)
	for _, tc := range []struct {
		argv    []string
		workdir string
		want    string
	}{
		{[]string{"assay-no-such-command-xyz"}, root, "notfound"},
		{[]string{"./missing.sh"}, root, "notfound"},
		{[]string{"./plain.txt"}, root, "notexec"},
		{[]string{"./adir"}, root, "isdir"},
		{[]string{"true"}, filepath.Join(root, "nowhere"), "workdir"},
	} {
		r := startWrapper(t, wrapper{Argv: tc.argv, Workdir: tc.workdir, CPUOnly: true, Dir: filepath.Join(t.TempDir(), "run")}, nil)
		end := r.wait(t)
		if end.NotStarted != tc.want || end.ExitCode != -1 {
			t.Errorf("%v in %s: %+v, want notstarted=%s", tc.argv, tc.workdir, end, tc.want)
		}
	}
}

// The wrapper's own timer stops the whole of the trial, grandchildren
// included, and says so in the exit file.
func TestWrapperTimeout(t *testing.T) {
	t.Parallel()
	pids := filepath.Join(t.TempDir(), "pids")
	start := time.Now()
	r := startWrapper(t, wrapper{
		Argv:    sh(`sleep 300 & echo $! >> ` + pids + `; sh -c 'sleep 300 & echo $! >> ` + pids + `; wait' & wait`),
		CPUOnly: true, Timeout: 300 * time.Millisecond, Grace: 2 * time.Second,
	}, nil)
	end := r.wait(t)
	if !end.TimedOut || end.Killed || end.ExitCode != 128+int(syscall.SIGTERM) {
		t.Errorf("exit file: %+v", end)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s", took)
	}
	b, _ := os.ReadFile(pids)
	// The wrapper ends once the trial's own process has; the signal it sent
	// the trial's group reaches each grandchild when the kernel next runs
	// it, which on a busy machine can be after the wrapper is gone. So a
	// grandchild gets a few seconds to die: a sleep 300 that was never
	// signalled outlives them.
	deadline := time.Now().Add(5 * time.Second)
	for _, s := range strings.Fields(string(b)) {
		pid, _ := strconv.Atoi(s)
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("grandchild %d survived", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// alive reports whether pid is a live process (a zombie is dead).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) == 0 || (f[0] != "Z" && f[0] != "X")
}

// A trial that ignores SIGTERM is killed with SIGKILL Grace later. It
// ignores it from its first instruction (env --ignore-signal, GNU
// coreutils), not from when a shell gets round to a trap: on a busy
// machine that can be after the timeout.
func TestWrapperTimeoutNeedsSIGKILL(t *testing.T) {
	t.Parallel()
	if err := exec.Command("env", "--ignore-signal=TERM", "true").Run(); err != nil {
		t.Skipf("env --ignore-signal (GNU coreutils 8.31 or later) is not here: %v", err)
	}
	grace := 400 * time.Millisecond
	r := startWrapper(t, wrapper{Argv: []string{"env", "--ignore-signal=TERM", "sleep", "300"}, CPUOnly: true, Timeout: 200 * time.Millisecond, Grace: grace}, nil)
	end := r.wait(t)
	st, _ := readStarted(r.dir)
	if !end.TimedOut || !end.Killed || end.ExitCode != 128+int(syscall.SIGKILL) {
		t.Errorf("exit file: %+v", end)
	}
	if d := end.Finished.Sub(st.At); d < 600*time.Millisecond {
		t.Errorf("killed after %s, before timeout and grace", d)
	}
}

// SIGTERM from Slurm (scancel, its time limit) reaches the trial and the
// wrapper; the wrapper outlives it long enough to write exit, term=1.
func TestWrapperSlurmTerm(t *testing.T) {
	t.Parallel()
	r := startWrapper(t, wrapper{Argv: sh(`echo up; sleep 300`), CPUOnly: true}, nil)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.log(t), "up") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// As slurmstepd does: every process of the job.
	termTree(t, r.cmd.Process.Pid)
	end := r.wait(t)
	if !end.Term || end.ExitCode != 128+int(syscall.SIGTERM) {
		t.Errorf("exit file: %+v", end)
	}
}

// termTree sends SIGTERM to pid and every process below it, as Slurm's
// process tracking (proctrack/linuxproc) finds them; the trial's own
// session does not hide it.
func termTree(t *testing.T, pid int) {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc to find the trial's processes in: %v", err)
	}
	children := map[int][]int{}
	for _, e := range entries {
		c, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 1 {
			p, _ := strconv.Atoi(f[1])
			children[p] = append(children[p], c)
		}
	}
	var walk func(int)
	walk = func(p int) {
		syscall.Kill(p, syscall.SIGTERM)
		for _, c := range children[p] {
			walk(c)
		}
	}
	walk(pid)
}

// A GPU trial's wrapper asks the node's nvidia-smi about its devices; the
// record gets the model, driver and use of those devices only.
func TestWrapperSamplesGPUs(t *testing.T) {
	t.Parallel()
	smi, _ := filepath.Abs("../gpu/testdata/nvidia-smi")
	bin := t.TempDir()
	if err := os.Symlink(smi, filepath.Join(bin, "nvidia-smi")); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "CUDA_VISIBLE_DEVICES=1", "FAKE_SMI_GPUS=2")
	r := startWrapper(t, wrapper{Argv: sh("sleep 0.5"), SampleEvery: 100 * time.Millisecond}, env)
	if end := r.wait(t); end.ExitCode != 0 {
		t.Fatalf("%+v: %s", end, r.log(t))
	}
	st, _ := readStarted(r.dir)
	res := &runner.Result{GPUs: st.GPUs}
	readGPUUse(r.dir, res)
	sys := res.System
	if sys.GPUModel != "NVIDIA H100 80GB HBM3" || sys.GPUDriver != "550.54.15" || sys.GPUPeakMemoryMiB != 2000 || sys.GPUUtilMean != 50 {
		t.Errorf("system = %+v (devices %v)", sys, st.GPUs)
	}
}
