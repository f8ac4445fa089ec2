package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// kill -9 of assay run leaves no trial process behind: four trials, each
// holding a grandchild in a session of its own (setsid), all gone within
// 5 s of the kill. The supervisor of each trial notices that assay is
// gone, stops the trial's tree and exits.
func TestKill9OfRunLeavesNoOrphans(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("trial supervision needs Linux (a subreaper)")
	}
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("setsid (util-linux) is not on PATH")
	}
	dir := t.TempDir()
	pidsFile := filepath.Join(dir, "pids")
	for name, body := range map[string]string{
		"assay.hcl":            "executor \"local\" {\n  gpus = []\n}\n",
		"experiments/hold.hcl": "experiment \"hold\" {\n  command = [\"sh\", \"hold.sh\"]\n  seeds   = [1, 2, 3, 4]\n}\n",
		"hold.sh":              "setsid sh -c 'echo \"grandchild $$\" >> \"$PIDS\"; exec sleep 300' &\necho \"trial $$\" >> \"$PIDS\"\nsleep 300\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The test binary is assay when its argv[0] says so (see TestMain).
	cmd := &exec.Cmd{Path: exe, Args: []string{"assay", "run", "--all", "--parallel", "4"}, Dir: dir,
		Env: append(os.Environ(), "PIDS="+pidsFile, "NO_COLOR=1", "GITHUB_ACTIONS=")}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var procs map[int]string // pid → what it is
	t.Cleanup(func() {
		cmd.Process.Kill()
		for pid := range procs {
			if pid > 1 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		procs = readPids(pidsFile)
		if len(procs) == 8 {
			break
		}
		if time.Since(start) > 2*time.Minute {
			t.Fatalf("the trials did not all start: %v", procs)
		}
	}
	for pid, what := range procs {
		if pp := parentPid(pid); what == "trial" && pp > 1 {
			procs[pp] = "supervisor"
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	killed := time.Now()
	for time.Since(killed) < 5*time.Second && len(living(procs)) > 0 {
		time.Sleep(50 * time.Millisecond)
	}
	if left := living(procs); len(left) > 0 {
		t.Errorf("5 s after kill -9 of assay run, %d processes of its trials live on: %v", len(left), left)
	} else {
		t.Logf("all %d trial processes were gone %s after kill -9 of assay run", len(procs), time.Since(killed).Round(time.Millisecond))
	}
}

func readPids(path string) map[int]string {
	b, _ := os.ReadFile(path)
	out := map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		what, n, ok := strings.Cut(line, " ")
		if pid, err := strconv.Atoi(n); ok && err == nil && pid > 1 {
			out[pid] = what
		}
	}
	return out
}

// parentPid reads a process's parent from /proc.
func parentPid(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 2 {
		return 0
	}
	pp, _ := strconv.Atoi(f[1])
	return pp
}

// living lists the processes of procs that are alive (not zombies).
func living(procs map[int]string) []string {
	var out []string
	for pid, what := range procs {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 0 && f[0] != "Z" && f[0] != "X" {
			out = append(out, what+" "+strconv.Itoa(pid))
		}
	}
	return out
}
