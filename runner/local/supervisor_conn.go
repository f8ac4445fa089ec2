package local

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// SupervisorArg, as assay's first argument, makes the process a trial's
// supervisor: cmd/assay hands such an invocation to Supervise before
// anything else.
const SupervisorArg = "__supervise-trial"

// supervisorConn is assay's end of the control socket of one trial's
// supervisor. Assay writes one letter per request ("T": SIGTERM the
// tree, "K": SIGKILL it); the supervisor writes "started PID MODE" (or
// "failed MESSAGE") and, last, "exit N" or "signal N" for the trial's own
// process. When assay dies the socket closes, which is how the supervisor
// learns it.
type supervisorConn struct {
	f     *os.File
	mu    sync.Mutex
	final chan exitStatus
	// mode is how the supervisor holds the tree: "cgroup" or "subreaper".
	mode string
}

// exitStatus is how a trial's own process ended.
type exitStatus struct {
	code      int
	signalled bool
}

// startSupervised starts the supervisor (command sup), which starts argv
// in dir with env, and waits until it has.
func startSupervised(sup, argv []string, dir string, env []string, stdout, stderr io.Writer, grace time.Duration) (*exec.Cmd, *supervisorConn, error) {
	syscall.ForkLock.RLock()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fds[0])
		syscall.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, nil, fmt.Errorf("cannot create the supervisor's socket: %w", err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "supervisor"), os.NewFile(uintptr(fds[1]), "supervisor")
	args := append([]string{"assay"}, sup[1:]...)
	args = append(args, "--grace="+grace.String(), "--")
	cmd := &exec.Cmd{Path: sup[0], Args: append(args, argv...), Dir: dir, Env: env, Stdout: stdout, Stderr: stderr,
		ExtraFiles: []*os.File{theirs}}
	// Its own process group: a signal to assay's group (Ctrl-C, a CI
	// runner stopping the step) reaches assay, which stops the trials in
	// order, and never the supervisor, which must outlive assay.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	theirs.Close()
	if err != nil {
		mine.Close()
		return nil, nil, fmt.Errorf("cannot start the trial's supervisor (%s): %w", sup[0], err)
	}
	c := &supervisorConn{f: mine, final: make(chan exitStatus, 1)}
	r := bufio.NewReader(mine)
	line, _ := r.ReadString('\n')
	line = strings.TrimSpace(line)
	switch word, rest, _ := strings.Cut(line, " "); word {
	case "started":
		_, c.mode, _ = strings.Cut(rest, " ")
	case "failed":
		cmd.Wait()
		mine.Close()
		return nil, nil, errors.New(rest)
	default:
		cmd.Process.Kill()
		cmd.Wait()
		mine.Close()
		return nil, nil, fmt.Errorf("the trial's supervisor (%s) did not start it (%s)", sup[0], cmd.ProcessState)
	}
	go c.readFinal(r)
	return cmd, c, nil
}

// readFinal reads the supervisor's last word, up to the socket's end.
func (c *supervisorConn) readFinal(r *bufio.Reader) {
	defer close(c.final)
	for {
		line, err := r.ReadString('\n')
		word, n, _ := strings.Cut(strings.TrimSpace(line), " ")
		if code, cerr := strconv.Atoi(n); cerr == nil {
			switch word {
			case "exit":
				c.final <- exitStatus{code: code}
			case "signal":
				c.final <- exitStatus{code: 128 + code, signalled: true}
			}
		}
		if err != nil {
			return
		}
	}
}

// signal asks the supervisor to send sig (SIGTERM or SIGKILL) to the
// trial's whole tree.
func (c *supervisorConn) signal(sig syscall.Signal) {
	req := "T\n"
	if sig == syscall.SIGKILL {
		req = "K\n"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.f.Write([]byte(req))
}

// finish returns how the trial's own process ended, once the supervisor
// has exited, and closes the socket.
func (c *supervisorConn) finish() (exitStatus, bool) {
	defer c.f.Close()
	select {
	case st, ok := <-c.final:
		return st, ok
	case <-time.After(2 * time.Second):
		return exitStatus{}, false
	}
}
