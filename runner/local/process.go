package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// scanLimit bounds the part of one stdout line that pattern metrics see;
// the log still gets every byte.
const scanLimit = 64 << 10

// process is one started trial process and its group.
type process struct {
	cmd  *exec.Cmd
	pgid int
	// exited is closed when the group leader has been reaped.
	exited chan struct{}
	// copied is closed when stdout has been fully copied to the log.
	copied  chan struct{}
	waitErr error
	pipe    *os.File
}

// startProcess runs argv in dir with env, its stdout and stderr going to
// log. When scan is set, stdout passes through a pipe and each line of it
// is handed to scan.
func startProcess(argv []string, dir string, env []string, log *os.File, scan func([]byte)) (*process, error) {
	cmd := &exec.Cmd{Path: argv[0], Args: argv, Dir: dir, Env: env, Stderr: log, Stdout: log}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p := &process{cmd: cmd, exited: make(chan struct{}), copied: make(chan struct{})}
	var w *os.File
	if scan != nil {
		r, pw, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		p.pipe, w = r, pw
		cmd.Stdout = w
	}
	if err := cmd.Start(); err != nil {
		if w != nil {
			w.Close()
			p.pipe.Close()
		}
		return nil, err
	}
	p.pgid = cmd.Process.Pid
	if w != nil {
		w.Close() // the child holds its own copy
		go p.copyStdout(log, scan)
	} else {
		close(p.copied)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// copyStdout streams the pipe into the log in fixed-size chunks, handing
// complete lines (cut at scanLimit) to scan.
func (p *process) copyStdout(log io.Writer, scan func([]byte)) {
	defer close(p.copied)
	defer p.pipe.Close()
	buf := make([]byte, 64<<10)
	line := make([]byte, 0, 4096)
	overlong := false
	for {
		n, err := p.pipe.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			log.Write(chunk)
			for len(chunk) > 0 {
				i := bytes.IndexByte(chunk, '\n')
				part := chunk
				if i >= 0 {
					part = chunk[:i]
				}
				if !overlong {
					room := scanLimit - len(line)
					if len(part) > room {
						part, overlong = part[:room], true
					}
					line = append(line, part...)
				}
				if i < 0 {
					break
				}
				scan(line)
				line, overlong = line[:0], false
				chunk = chunk[i+1:]
			}
		}
		if err != nil {
			if len(line) > 0 {
				scan(line)
			}
			return
		}
	}
}

// ending is how a process ended.
type ending struct {
	exitCode int
	// signalled is set when a signal ended the process.
	signalled bool
	timedOut  bool
	cancelled bool
	// stopped is set when early stopping stopped the trial, for reason.
	stopped bool
	reason  string
	// killed is set when SIGTERM was not enough and SIGKILL followed.
	killed bool
}

// wait returns when the process has exited, stopping it first on timeout
// (timeout 0 means none), cancellation of ctx, or a reason on stop (nil
// for none).
func (p *process) wait(ctx context.Context, timeout, grace time.Duration, stop <-chan string) ending {
	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	var e ending
	select {
	case <-p.exited:
	case <-timer:
		e.timedOut = true
		e.killed = p.stop(grace)
	case <-ctx.Done():
		e.cancelled = true
		e.killed = p.stop(grace)
	case why := <-stop:
		select {
		case <-p.exited:
			// It ended on its own as the judge spoke: it ran to its end.
		default:
			e.stopped, e.reason = true, why
			e.killed = p.stop(grace)
		}
	}
	<-p.exited
	// Whatever the trial left running in its group dies with it; this is
	// also what closes a pipe that a leftover grandchild still holds.
	_ = syscall.Kill(-p.pgid, syscall.SIGKILL)
	select {
	case <-p.copied:
	case <-time.After(5 * time.Second):
		// A process that left the group (setsid) still holds stdout.
		p.pipe.Close()
		<-p.copied
	}
	e.exitCode = exitCode(p.cmd.ProcessState, p.waitErr)
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		e.signalled = true
	}
	return e
}

// stop sends SIGTERM to the group, then SIGKILL after grace if the leader
// is still there; it reports whether SIGKILL was needed.
func (p *process) stop(grace time.Duration) bool {
	_ = syscall.Kill(-p.pgid, syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.exited:
		return false
	case <-t.C:
		_ = syscall.Kill(-p.pgid, syscall.SIGKILL)
		return true
	}
}

// exitCode is the process's exit status, or 128+N for signal N.
func exitCode(ps *os.ProcessState, err error) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return -1
	}
	return ps.ExitCode()
}

// describeSignal names the signal behind an exit code of 128+N.
func describeSignal(code int) string {
	if code > 128 && code < 128+65 {
		return fmt.Sprintf(" (%s)", syscall.Signal(code-128))
	}
	return ""
}
