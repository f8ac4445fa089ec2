package local

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER of prctl(2).
const prSetChildSubreaper = 36

// orphanGrace bounds the time trials get between SIGTERM and SIGKILL once
// assay itself is gone: nobody can record them any more, so the GPUs they
// hold are freed soon.
const orphanGrace = 2 * time.Second

// SupervisorCommand is the command that starts the supervisor of a
// batch's trials: this executable with SupervisorArg. The executable must
// hand that argument to Supervise (cmd/assay does; a test binary does in
// its TestMain).
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

// Supervise is the supervisor of one batch's trials, started once per
// batch by the local executor as "assay __supervise-trials [--grace=D]
// [--cgroup=off]", with its socket to assay as file descriptor 3. It
// starts each trial it is asked to, in the trial's own process group and,
// where the machine allows (cgroup v2 it may write), in a cgroup of the
// trial's own from its first instruction. It is the child subreaper of
// everything the trials start, so a process that double-forks or calls
// setsid stays its descendant. A trial ends, and its exit is reported,
// only when its whole tree has ended:
//
//   - the trial's own process exits: whatever it left is killed at once;
//   - "term": SIGTERM to every process of the trial, which then has until
//     "kill" to end;
//   - "kill": SIGKILL to every process of the trial;
//   - the socket closes (assay is gone, even by kill -9) or SIGTERM: every
//     trial gets SIGTERM, then SIGKILL after the kill grace (at most
//     orphanGrace), and the supervisor exits when nothing is left.
//
// Without a cgroup, what a trial left behind is recognised by the trial's
// ASSAY_RUN_ID in its environment (the supervisor's descendants are all
// from some trial); a process that cleared its environment is killed when
// the batch ends. It returns the exit code.
func Supervise(args []string) int {
	grace, useCgroup, err := parseSupervisorArgs(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "assay supervisor: %v\n", err)
		return 2
	}
	f := os.NewFile(3, "control")
	fc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "assay supervisor: no socket to assay on descriptor 3: %v\n", err)
		return 2
	}
	// Terminal signals are assay's to handle; it asks for what it wants.
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGPIPE)
	terms := make(chan os.Signal, 1)
	signal.Notify(terms, syscall.SIGTERM)
	chld := make(chan os.Signal, 1)
	signal.Notify(chld, syscall.SIGCHLD)
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		fmt.Fprintf(os.Stderr, "assay supervisor: cannot become the trials' subreaper: %v\n", errno)
		return 2
	}
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		fmt.Fprintf(os.Stderr, "assay supervisor: %v\n", err)
		return 2
	}
	s := &supervision{conn: fc.(*net.UnixConn), devnull: devnull, useCgroup: useCgroup,
		trials: map[int]*supervised{}, leaders: map[int]*supervised{}}
	reqs := make(chan supMsg)
	go func() {
		defer close(reqs)
		r := &msgReader{c: s.conn}
		for {
			m, err := r.next()
			if err != nil {
				return
			}
			reqs <- m
		}
	}()
	var (
		deadline <-chan time.Time
		tick     = time.NewTicker(50 * time.Millisecond)
	)
	defer tick.Stop()
	abandon := func() {
		if deadline == nil {
			deadline = time.After(min(grace, orphanGrace))
			for _, t := range s.trials {
				s.term(t)
			}
		}
	}
	for {
		noChildren := s.reap()
		s.settle()
		if s.closed && len(s.trials) == 0 {
			if noChildren {
				return 0
			}
			// Only processes no trial claims are left: the batch is over.
			s.killAll()
		}
		var ticks <-chan time.Time
		if s.busy() {
			ticks = tick.C
		}
		select {
		case <-chld:
		case <-ticks:
		case <-terms:
			abandon()
		case m, ok := <-reqs:
			if !ok {
				reqs, s.closed = nil, true
				abandon()
				continue
			}
			s.handle(m)
		case <-deadline:
			for _, t := range s.trials {
				t.killing = true
			}
		}
	}
}

func parseSupervisorArgs(args []string) (grace time.Duration, useCgroup bool, err error) {
	grace, useCgroup = DefaultKillGrace, true
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "--grace="):
			if grace, err = time.ParseDuration(strings.TrimPrefix(a, "--grace=")); err != nil {
				return 0, false, err
			}
		case a == "--cgroup=off":
			useCgroup = false
		case a == "--cgroup=auto":
			useCgroup = true
		default:
			return 0, false, fmt.Errorf("unknown argument %q", a)
		}
	}
	return grace, useCgroup, nil
}

// supervision is the supervisor's state.
type supervision struct {
	conn      *net.UnixConn
	devnull   *os.File
	useCgroup bool
	// trials are the trials not yet reported ended, by id; leaders the
	// live ones by the pid of their own process.
	trials  map[int]*supervised
	leaders map[int]*supervised
	// closed says assay closed the socket.
	closed bool
	// pids bounds the pids a scan of /proc has to read.
	pids pidFloor
}

// supervised is one trial.
type supervised struct {
	id     int
	pid    int
	marker string
	cg     *cgroup
	status syscall.WaitStatus
	// ended says the trial's own process has been reaped.
	ended             bool
	stopping, killing bool
}

func (s *supervision) reply(m supMsg) { sendMsg(s.conn, m) }

func (s *supervision) handle(m supMsg) {
	t := s.trials[m.ID]
	switch m.Op {
	case "start":
		s.start(m)
	case "term":
		if t != nil {
			s.term(t)
		}
	case "kill":
		if t != nil {
			t.killing = true
		}
	}
}

// start starts a trial: in a cgroup of its own when it can, else as a
// plain child.
func (s *supervision) start(m supMsg) {
	defer func() {
		for _, fd := range m.fds {
			syscall.Close(fd)
		}
	}()
	if len(m.Argv) == 0 {
		s.reply(supMsg{Op: "failed", ID: m.ID, Error: "no command"})
		return
	}
	sys := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	attr := &syscall.ProcAttr{Dir: m.Dir, Env: m.Env, Files: []uintptr{s.devnull.Fd(), uintptr(m.fds[0]), uintptr(m.fds[1])}, Sys: sys}
	t := &supervised{id: m.ID, marker: m.Marker}
	var pid int
	var err error
	if s.useCgroup {
		t.cg = newCgroup()
	}
	if t.cg != nil {
		sys.UseCgroupFD, sys.CgroupFD = true, t.cg.fd
		pid, err = syscall.ForkExec(m.Argv[0], m.Argv, attr)
		if err != nil {
			t.cg.remove()
			t.cg = nil
			sys.UseCgroupFD, sys.CgroupFD = false, 0
			pid, err = syscall.ForkExec(m.Argv[0], m.Argv, attr)
			if err == nil {
				// The cgroup was what failed (a kernel without clone3 into
				// a cgroup, a hierarchy that refuses it): do without.
				s.useCgroup = false
			}
		}
	} else {
		s.useCgroup = false
		pid, err = syscall.ForkExec(m.Argv[0], m.Argv, attr)
	}
	if err != nil {
		s.reply(supMsg{Op: "failed", ID: m.ID, Error: err.Error()})
		return
	}
	t.pid = pid
	s.pids.started(pid)
	s.trials[t.id], s.leaders[pid] = t, t
	mode := "subreaper"
	if t.cg != nil {
		mode = "cgroup"
	}
	s.reply(supMsg{Op: "started", ID: t.id, PID: pid, Mode: mode})
}

// reap collects every child that has exited, noting the trials' own
// processes; it reports whether no child is left at all.
func (s *supervision) reap() bool {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.ECHILD:
			return true
		case pid <= 0:
			return false
		}
		if t := s.leaders[pid]; t != nil {
			delete(s.leaders, pid)
			t.status, t.ended = ws, true
		}
	}
}

// settle ends what has to end: a trial whose own process exited loses
// whatever it left behind, and is reported once nothing of it is left.
func (s *supervision) settle() {
	var scan *procScan
	for id, t := range s.trials {
		if !t.ended && !t.killing {
			continue
		}
		members := s.members(t, &scan)
		if t.ended && len(members) == 0 {
			t.cg.remove()
			delete(s.trials, id)
			m := supMsg{Op: "exit", ID: id, Code: t.status.ExitStatus()}
			if t.status.Signaled() {
				m.Code, m.Signalled = int(t.status.Signal()), true
			}
			s.reply(m)
			continue
		}
		if t.ended && !t.stopping {
			t.killing = true // what the trial left behind dies with it
		}
		if t.killing {
			if t.cg == nil || !t.cg.kill() {
				for _, pid := range members {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
	}
}

// busy says a trial is being killed or waited for, so the state is
// looked at again soon even if no signal comes.
func (s *supervision) busy() bool {
	if s.closed {
		return true
	}
	for _, t := range s.trials {
		if t.ended || t.killing {
			return true
		}
	}
	return false
}

// term sends SIGTERM to every process of t, once.
func (s *supervision) term(t *supervised) {
	if t.stopping {
		return
	}
	t.stopping = true
	var scan *procScan
	for _, pid := range s.members(t, &scan) {
		syscall.Kill(pid, syscall.SIGTERM)
	}
}

// members lists the live processes of t: its cgroup's, or else those
// the scan of /proc (made once per pass, in *scan) gives it.
func (s *supervision) members(t *supervised, scan **procScan) []int {
	if t.cg != nil {
		return t.cg.procs()
	}
	if *scan == nil {
		floor := s.pids.get()
		if s.closed {
			floor = 0 // the end: leave nothing to chance, whatever it costs
		}
		*scan = scanProcs(os.Getpid(), s.leaders, floor)
	}
	return (*scan).of(t.pid, t.ended, t.marker)
}

// killAll kills every descendant: the batch is over.
func (s *supervision) killAll() {
	for _, pid := range scanProcs(os.Getpid(), nil, 0).all() {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}
