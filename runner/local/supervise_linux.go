package local

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER of prctl(2).
const prSetChildSubreaper = 36

// orphanGrace bounds the time a trial's tree gets between SIGTERM and
// SIGKILL once assay itself is gone: nobody can record the trial any
// more, so the GPUs it holds are freed soon.
const orphanGrace = 2 * time.Second

// SupervisorCommand is the command that starts a trial's supervisor: this
// executable with SupervisorArg. The executable must hand that argument
// to Supervise (cmd/assay does; a test binary does in its TestMain).
func SupervisorCommand() []string {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	return []string{exe, SupervisorArg}
}

func directAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// Supervise is the supervisor of one trial, started by the local executor
// as "assay __supervise-trial [--grace=D] [--cgroup=off] -- ARGV...", with
// the control socket as file descriptor 3. It starts ARGV (already
// resolved to a path) in its own process group, and inside a cgroup of its
// own where the machine allows (cgroup v2, writable); it is the
// subreaper of everything the trial starts, so a process that double-forks
// or calls setsid is still its descendant. It ends when the trial's whole
// tree has ended:
//
//   - the trial's own process exits: whatever is left is killed at once;
//   - "T" on the socket, or SIGTERM: SIGTERM to every process of the tree;
//     then the tree gets until assay's "K" to end;
//   - "K": SIGKILL to every process of the tree;
//   - the socket closes (assay died, even by kill -9): SIGTERM to the
//     tree, SIGKILL after the kill grace, at most orphanGrace.
//
// Its last word on the socket is "exit N" or "signal N" for the trial's
// own process, and it exits with N (128+N for a signal). It returns the
// exit code.
func Supervise(args []string) int {
	ctl := os.NewFile(3, "control")
	syscall.CloseOnExec(3)
	grace, useCgroup, argv, err := parseSupervisorArgs(args)
	if err != nil {
		fmt.Fprintf(ctl, "failed %v\n", err)
		return 2
	}
	// Terminal signals are assay's to handle; it asks for what it wants.
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGPIPE)
	terms := make(chan os.Signal, 1)
	signal.Notify(terms, syscall.SIGTERM)
	chld := make(chan os.Signal, 1)
	signal.Notify(chld, syscall.SIGCHLD)
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		fmt.Fprintf(ctl, "failed cannot become the trial's subreaper: %v\n", errno)
		return 2
	}

	t := newTree(useCgroup)
	pid, err := t.start(argv)
	if err != nil {
		t.close()
		fmt.Fprintf(ctl, "failed %v\n", err)
		return 127
	}
	fmt.Fprintf(ctl, "started %d %s\n", pid, t.mode())

	reqs := make(chan byte)
	go readRequests(ctl, reqs)
	var (
		leader            syscall.WaitStatus
		leaderDone        bool
		stopping, killing bool
		deadline          <-chan time.Time
		tick              *time.Ticker
	)
	term := func() {
		if !stopping {
			stopping = true
			t.signal(syscall.SIGTERM)
		}
	}
	for {
		noChildren := false
		for {
			var ws syscall.WaitStatus
			wpid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if err == syscall.EINTR {
				continue
			}
			if err == syscall.ECHILD {
				noChildren = true
			}
			if wpid <= 0 {
				break
			}
			if wpid == pid {
				leader, leaderDone = ws, true
			}
		}
		if leaderDone && noChildren {
			break
		}
		if leaderDone && !stopping {
			killing = true // what the trial left behind dies with it
		}
		if killing {
			t.kill()
			if tick == nil {
				// Processes forked while the tree was being killed are
				// found by the next pass.
				tick = time.NewTicker(50 * time.Millisecond)
			}
		}
		var ticks <-chan time.Time
		if tick != nil {
			ticks = tick.C
		}
		select {
		case <-chld:
		case <-ticks:
		case <-terms:
			term()
		case r, ok := <-reqs:
			switch {
			case !ok:
				reqs = nil
				term()
				deadline = time.After(min(grace, orphanGrace))
			case r == 'T':
				term()
			case r == 'K':
				killing = true
			}
		case <-deadline:
			killing = true
		}
	}
	t.close()
	if leader.Signaled() {
		fmt.Fprintf(ctl, "signal %d\n", leader.Signal())
		return 128 + int(leader.Signal())
	}
	fmt.Fprintf(ctl, "exit %d\n", leader.ExitStatus())
	return leader.ExitStatus()
}

func parseSupervisorArgs(args []string) (grace time.Duration, useCgroup bool, argv []string, err error) {
	grace, useCgroup = DefaultKillGrace, true
	for i, a := range args {
		switch {
		case a == "--":
			if i+1 >= len(args) {
				return 0, false, nil, fmt.Errorf("no command to supervise")
			}
			return grace, useCgroup, args[i+1:], nil
		case strings.HasPrefix(a, "--grace="):
			if grace, err = time.ParseDuration(strings.TrimPrefix(a, "--grace=")); err != nil {
				return 0, false, nil, err
			}
		case a == "--cgroup=off":
			useCgroup = false
		case a == "--cgroup=auto":
			useCgroup = true
		default:
			return 0, false, nil, fmt.Errorf("unknown supervisor argument %q", a)
		}
	}
	return 0, false, nil, fmt.Errorf("no command to supervise")
}

// readRequests passes on the letters assay writes, and closes reqs when
// the socket closes.
func readRequests(r io.Reader, reqs chan<- byte) {
	defer close(reqs)
	buf := make([]byte, 64)
	for {
		n, err := r.Read(buf)
		for _, b := range buf[:n] {
			if b == 'T' || b == 'K' {
				reqs <- b
			}
		}
		if err != nil {
			return
		}
	}
}
