//go:build linux

package local

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

// supervisors are the ways a supervisor may hold a trial's tree: in a
// cgroup where the machine allows one, and as a subreaper everywhere.
var supervisors = map[string][]string{
	"cgroup":    SupervisorCommand(),
	"subreaper": append(SupervisorCommand(), "--cgroup=off"),
}

func needSetsid(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("setsid (util-linux) is not on PATH")
	}
}

// runOne runs one trial with the given supervisor command and returns
// its spooled run, the pids the trial wrote to the file "pids" in its
// workdir, and the workdir.
func runOne(t *testing.T, sup []string, j *runner.Job, grace time.Duration) (*runner.Run, []int, string) {
	t.Helper()
	root, state := t.TempDir(), t.TempDir()
	sp, _ := spool.Open(filepath.Join(state, "spool"))
	x := New(Config{Parallel: 1, Environ: os.Environ(), KillGrace: grace, Supervisor: sup})
	err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{j}, Root: root, StateDir: state}, sp, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := sp.List()
	run, err := sp.Get(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(root, "pids"))
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		pid, _ := strconv.Atoi(f)
		pids = append(pids, pid)
		t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	}
	return run, pids, root
}

// alive reports whether pid is a live process (a zombie is dead).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// setsidChild starts a grandchild in a session of its own that writes its
// pid to pids and then lives for five minutes, writing got-term if
// SIGTERM reaches it (and exiting then unless ignoreTerm).
func setsidChild(ignoreTerm bool) string {
	onTerm := `echo term >> got-term; exit 0`
	if ignoreTerm {
		onTerm = `echo term >> got-term`
	}
	return `setsid sh -c 'trap "` + onTerm + `" TERM; echo $$ >> pids; i=0; while [ $i -lt 3000 ]; do sleep 0.1; i=$((i+1)); done' &
while [ ! -s pids ]; do sleep 0.01; done
`
}

// A trial that leaves a setsid grandchild behind and exits 0 takes it
// along: once the run is recorded, the grandchild is gone.
func TestSetsidGrandchildEndsWithTrial(t *testing.T) {
	needSetsid(t)
	for name, sup := range supervisors {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			run, pids, _ := runOne(t, sup, trial("leaves", setsidChild(false)+"echo leaving"), time.Second)
			if run.Result.Status != runner.StatusSucceeded || len(pids) != 1 {
				t.Fatalf("status %s, pids %v", run.Result.Status, pids)
			}
			if alive(pids[0]) {
				t.Errorf("the setsid grandchild %d outlived the trial", pids[0])
			}
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("the trial took %s: the supervisor waited for the grandchild instead of ending it", took)
			}
		})
	}
	// Without a supervisor, the same grandchild escapes: what the
	// supervisor is for.
	t.Run("unsupervised", func(t *testing.T) {
		run, pids, _ := runOne(t, nil, trial("leaves", setsidChild(false)+"echo leaving"), time.Second)
		if run.Result.Status != runner.StatusSucceeded || len(pids) != 1 {
			t.Fatalf("status %s, pids %v", run.Result.Status, pids)
		}
		if !alive(pids[0]) {
			t.Skip("the setsid grandchild died without a supervisor too (nothing to compare against here)")
		}
	})
}

// At a timeout, SIGTERM reaches a grandchild in another session: it
// writes got-term. One that exits then needs no SIGKILL; one that ignores
// SIGTERM is killed after the grace. Either way it is gone when the run is
// recorded.
func TestTimeoutSIGTERMReachesSetsidGrandchild(t *testing.T) {
	needSetsid(t)
	for name, sup := range supervisors {
		for _, ignore := range []bool{false, true} {
			t.Run(name+"/ignores-TERM="+strconv.FormatBool(ignore), func(t *testing.T) {
				j := trial("slow", setsidChild(ignore)+"echo started; sleep 300")
				j.Trial.Runner.Timeout = time.Second
				grace := 10 * time.Second
				if ignore {
					grace = time.Second
				}
				run, pids, root := runOne(t, sup, j, grace)
				res := run.Result
				want := "stopped with SIGTERM"
				if ignore {
					want = "ignored SIGTERM and was killed with SIGKILL after 1s"
				}
				if res.Status != runner.StatusTimedOut || !strings.Contains(res.Error, want) {
					t.Errorf("status %s error %q, want timed_out %q", res.Status, res.Error, want)
				}
				if len(pids) != 1 || alive(pids[0]) {
					t.Fatalf("grandchild %v still alive", pids)
				}
				if b, err := os.ReadFile(filepath.Join(root, "got-term")); err != nil || string(b) != "term\n" {
					t.Errorf("got-term = %q, %v: SIGTERM did not reach the setsid grandchild", b, err)
				}
				if !ignore && res.DurationS > 8 {
					t.Errorf("took %.1fs: the grandchild was not stopped by SIGTERM", res.DurationS)
				}
			})
		}
	}
}

// Where the machine allows a cgroup (cgroup v2, writable), the trial runs
// in one of its own from its first instruction, and the cgroup is removed
// with the trial; with --cgroup=off it stays in assay's.
func TestSupervisorCgroup(t *testing.T) {
	parent := writableCgroup(t)
	probe, fd := makeCgroup()
	if probe == "" {
		t.Fatalf("no cgroup made, though %s takes one", parent)
	}
	syscall.Close(fd)
	syscall.Rmdir(probe)
	if filepath.Dir(probe) != parent {
		t.Fatalf("cgroup made at %s, want one under this process's own, %s", probe, parent)
	}
	for name, sup := range supervisors {
		t.Run(name, func(t *testing.T) {
			run, _, root := runOne(t, sup, trial("where", `grep '^0::' /proc/self/cgroup > cgroup; sh -c 'grep "^0::" /proc/self/cgroup > grandchild-cgroup'`), time.Second)
			if run.Result.Status != runner.StatusSucceeded {
				t.Fatalf("status %s: %s", run.Result.Status, run.Result.Error)
			}
			own, _ := os.ReadFile(filepath.Join(root, "cgroup"))
			grand, _ := os.ReadFile(filepath.Join(root, "grandchild-cgroup"))
			inOwn := strings.Contains(string(own), "/assay-trial-")
			if inOwn != (name == "cgroup") || string(own) != string(grand) {
				t.Errorf("%s: the trial ran in %q, its child in %q", name, own, grand)
			}
			if inOwn {
				dir := filepath.Join(parent, filepath.Base(strings.TrimSpace(string(own))))
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					t.Errorf("the trial's cgroup %s is left behind (%v)", dir, err)
				}
			}
		})
	}
}

// writableCgroup finds, without makeCgroup's code, this process's own
// cgroup v2 directory (findmnt for where the hierarchy is mounted), and
// skips the test where a cgroup cannot be made below it.
func writableCgroup(t *testing.T) string {
	t.Helper()
	const lacks = "; trials are held by the subreaper alone"
	mnt := func(col string) string {
		out, err := exec.Command("findmnt", "-n", "-f", "-t", "cgroup2", "-o", col).Output()
		if err != nil {
			t.Skipf("findmnt (util-linux) finds no cgroup v2 mount here (%v)%s", err, lacks)
		}
		return strings.TrimSpace(string(out))
	}
	target, fsroot := mnt("TARGET"), mnt("FSROOT")
	b, _ := os.ReadFile("/proc/self/cgroup")
	var own string
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			own = p
		}
	}
	rel, ok := strings.CutPrefix(own, fsroot)
	if own == "" || !ok {
		t.Skipf("this process's cgroup v2 %q is not below the mount's root %q%s", own, fsroot, lacks)
	}
	parent := filepath.Join(target, rel)
	dir, err := os.MkdirTemp(parent, "probe-")
	if err != nil {
		t.Skipf("no writable cgroup v2 here (%v: mount one, or run as a user with a delegated subtree)%s", err, lacks)
	}
	os.Remove(dir)
	return parent
}

// With trials side by side under one supervisor, what one trial leaves
// behind dies with it and nothing of another trial does: in a cgroup by
// the cgroup, without one by the ASSAY_RUN_ID in the leftovers'
// environment. A leftover that cleared its environment cannot be told
// apart, so it lives until the batch ends, and no longer.
func TestLeftoversBelongToTheirTrial(t *testing.T) {
	needSetsid(t)
	for name, sup := range supervisors {
		t.Run(name, func(t *testing.T) {
			root, state := t.TempDir(), t.TempDir()
			sp, _ := spool.Open(filepath.Join(state, "spool"))
			// a leaves a grandchild and exits; b waits until a's
			// grandchild is gone, then says whether its own still lives.
			a := trial("a", `setsid sh -c 'echo $$ > a-pid; exec sleep 300' &
env -i /bin/sh -c 'setsid sh -c "echo \$\$ > anon-pid; exec sleep 300" &'
while [ ! -s a-pid ] || [ ! -s anon-pid ]; do sleep 0.01; done`)
			b := trial("b", `setsid sh -c 'echo $$ > b-pid; exec sleep 300' &
while [ ! -s b-pid ] || [ ! -s a-pid ]; do sleep 0.01; done
i=0; while kill -0 "$(cat a-pid)" 2>/dev/null && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
if kill -0 "$(cat a-pid)" 2>/dev/null; then echo "a's leftover lives" > verdict
elif kill -0 "$(cat b-pid)" 2>/dev/null; then echo "b's own lives" > verdict
else echo "b's own died with a" > verdict; fi`)
			x := New(Config{Parallel: 2, Environ: os.Environ(), KillGrace: time.Second, Supervisor: sup})
			if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{a, b}, Root: root, StateDir: state}, sp, nil); err != nil {
				t.Fatal(err)
			}
			read := func(name string) string {
				b, _ := os.ReadFile(filepath.Join(root, name))
				return strings.TrimSpace(string(b))
			}
			var pids []int
			for _, f := range []string{"a-pid", "b-pid", "anon-pid"} {
				pid, _ := strconv.Atoi(read(f))
				if pid > 1 {
					pids = append(pids, pid)
					t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
				}
			}
			if v := read("verdict"); v != "b's own lives" {
				t.Errorf("verdict %q, want a's leftover gone while b's own still lived", v)
			}
			for _, pid := range pids {
				if alive(pid) {
					t.Errorf("process %d outlived the batch", pid)
				}
			}
		})
	}
}

// The supervisor holds none of assay's environment: a trial that reads
// its parent's (the supervisor's) finds nothing, no token among it.
func TestSupervisorHoldsNoEnvironment(t *testing.T) {
	t.Setenv("GITHUB_TOKEN", "ghs-never-in-the-supervisor")
	run, _, root := runOne(t, SupervisorCommand(), trial("peek", `tr '\0' '\n' < /proc/$PPID/environ | wc -l > parent-env`), time.Second)
	if run.Result.Status != runner.StatusSucceeded {
		t.Fatalf("status %s: %s", run.Result.Status, run.Result.Error)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "parent-env")); strings.TrimSpace(string(b)) != "0" {
		t.Errorf("the supervisor's environment has %s variables, want none", b)
	}
}

// A trial the kernel will not run (an executable file in no format it
// knows: exec fails, in a cgroup and again without) fails saying so, and
// turns no cgroup off: the trial after it still runs in one of its own.
func TestATrialThatCannotExecKeepsTheCgroupsOn(t *testing.T) {
	writableCgroup(t)
	root, state := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "no-format"), []byte("neither ELF nor #!\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	sp, _ := spool.Open(filepath.Join(state, "spool"))
	bad := &spec.Trial{Experiment: "bad", Command: []string{"./no-format"}, Workdir: ".", ParamsJSON: "{}"}
	bad.ComputeKey()
	jobs := []*runner.Job{{Trial: bad}, trial("after", `grep '^0::' /proc/self/cgroup > cgroup`)}
	x := New(Config{Parallel: 1, Environ: os.Environ(), KillGrace: time.Second, Supervisor: SupervisorCommand()})
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: jobs, Root: root, StateDir: state}, sp, nil); err != nil {
		t.Fatal(err)
	}
	ids, _ := sp.List()
	status := map[string]*runner.Result{}
	for _, id := range ids {
		run, err := sp.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		status[run.Result.Experiment] = run.Result
	}
	if r := status["bad"]; r == nil || r.Status != runner.StatusFailed || r.ExitCode != -1 || !strings.Contains(r.Error, "exec format error") {
		t.Errorf("the trial that cannot exec: %+v, want failed, exit code -1, exec format error", r)
	}
	if r := status["after"]; r == nil || r.Status != runner.StatusSucceeded {
		t.Fatalf("the trial after it: %+v", r)
	}
	if own, _ := os.ReadFile(filepath.Join(root, "cgroup")); !strings.Contains(string(own), "/assay-trial-") {
		t.Errorf("the trial after it ran in %q, not in a cgroup of its own", own)
	}
}
