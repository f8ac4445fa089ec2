package local

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// supervisor is assay's handle on the supervisor of one batch's trials: a
// second assay process, started once per batch, that starts each trial,
// is the subreaper of everything the trials start, and ends a trial's
// whole tree with it (see Supervise). Assay holds one end of a socket;
// when assay dies, even by kill -9, the supervisor sees the socket close
// and stops every trial.
type supervisor struct {
	cmd  *exec.Cmd
	conn *net.UnixConn
	wmu  sync.Mutex
	mu   sync.Mutex
	next int
	// trials are the trials started and not yet ended, by id.
	trials map[int]*supTrial
	// gone is closed when the connection ends; err says why.
	gone chan struct{}
	err  error
}

// supTrial is one trial's replies.
type supTrial struct {
	started chan supMsg
	exited  chan exitStatus
}

// exitStatus is how a trial's own process ended.
type exitStatus struct {
	code      int
	signalled bool
	// lost says the supervisor went away before it could tell.
	lost bool
}

// startSupervisor starts the supervisor command (SupervisorCommand); grace
// bounds how long it lets trials handle SIGTERM once assay is gone.
func startSupervisor(command []string, grace time.Duration) (*supervisor, error) {
	syscall.ForkLock.RLock()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fds[0])
		syscall.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("cannot create the supervisor's socket: %w", err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "supervisor"), os.NewFile(uintptr(fds[1]), "supervisor")
	defer theirs.Close()
	args := append([]string{"assay"}, command[1:]...)
	// An empty environment: each trial's comes with its start, and the
	// supervisor needs none of assay's (its credentials least of all).
	cmd := &exec.Cmd{Path: command[0], Args: append(args, "--grace="+grace.String()), Env: []string{}, Stderr: os.Stderr,
		ExtraFiles: []*os.File{theirs}}
	// Its own process group: a signal to assay's group (Ctrl-C, a CI
	// runner stopping the step) reaches assay, which stops the trials in
	// order, and never the supervisor, which must outlive assay.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		mine.Close()
		return nil, err
	}
	fc, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, err
	}
	s := &supervisor{cmd: cmd, conn: fc.(*net.UnixConn), trials: map[int]*supTrial{}, gone: make(chan struct{})}
	go s.read()
	return s, nil
}

// read dispatches the supervisor's replies until the connection ends.
func (s *supervisor) read() {
	r := &msgReader{c: s.conn}
	var err error
	for {
		var m supMsg
		if m, err = r.next(); err != nil {
			break
		}
		s.mu.Lock()
		t := s.trials[m.ID]
		if m.Op == "exit" || m.Op == "failed" {
			delete(s.trials, m.ID)
		}
		s.mu.Unlock()
		if t == nil {
			continue
		}
		switch m.Op {
		case "started", "failed":
			t.started <- m
		case "exit":
			st := exitStatus{code: m.Code, signalled: m.Signalled}
			if m.Signalled {
				st.code = 128 + m.Code // the shell's convention, as for a direct child
			}
			t.exited <- st
		}
	}
	s.mu.Lock()
	s.err = err
	for id, t := range s.trials {
		select {
		case t.started <- supMsg{Op: "failed", Error: "the trials' supervisor went away"}:
		default:
		}
		t.exited <- exitStatus{code: -1, lost: true}
		delete(s.trials, id)
	}
	s.mu.Unlock()
	close(s.gone)
}

// start asks the supervisor to start argv in dir with env, writing to
// stdout and stderr; marker is the trial's ASSAY_RUN_ID, by which the
// supervisor recognises what the trial left behind where it has no
// cgroup. It returns the trial's id and a channel that gets its exit once
// its whole tree has ended.
func (s *supervisor) start(argv []string, dir string, env []string, stdout, stderr *os.File, marker string) (int, <-chan exitStatus, error) {
	s.mu.Lock()
	if s.err != nil || isClosed(s.gone) {
		s.mu.Unlock()
		return 0, nil, errors.New("the trials' supervisor went away")
	}
	s.next++
	id := s.next
	t := &supTrial{started: make(chan supMsg, 1), exited: make(chan exitStatus, 1)}
	s.trials[id] = t
	s.mu.Unlock()
	err := s.send(supMsg{Op: "start", ID: id, Argv: argv, Env: env, Dir: dir, Marker: marker}, stdout, stderr)
	if err != nil {
		s.mu.Lock()
		delete(s.trials, id)
		s.mu.Unlock()
		return 0, nil, fmt.Errorf("cannot reach the trials' supervisor: %w", err)
	}
	m := <-t.started
	if m.Op != "started" {
		return 0, nil, errors.New(m.Error)
	}
	return id, t.exited, nil
}

// signal asks for SIGTERM or SIGKILL to the trial's whole tree.
func (s *supervisor) signal(id int, sig syscall.Signal) {
	op := "term"
	if sig == syscall.SIGKILL {
		op = "kill"
	}
	s.send(supMsg{Op: op, ID: id})
}

func (s *supervisor) send(m supMsg, files ...*os.File) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return sendMsg(s.conn, m, files...)
}

// close ends the batch: the supervisor kills whatever is left and exits.
func (s *supervisor) close() {
	s.conn.CloseWrite()
	select {
	case <-s.gone:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
	}
	s.conn.Close()
	s.cmd.Wait()
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
