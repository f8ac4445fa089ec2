package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/assaylab/assay/runner"
)

// scanLimit bounds the part of one stdout line that pattern metrics see;
// the log still gets every byte.
const scanLimit = 64 << 10

// process is one started trial: the trial's own process (started by the
// supervisor, or as assay's direct child) and the streams copied into its
// log.
type process struct {
	// cmd is the trial as assay's direct child, in its own process group
	// pgid; nil when the supervisor started it.
	cmd  *exec.Cmd
	pgid int
	// sup and id name a supervised trial; status is its exit, read once
	// exited is closed.
	sup    *supervisor
	id     int
	status exitStatus
	// exited is closed when the trial has ended: its own process reaped
	// and, when supervised, its whole tree gone.
	exited chan struct{}
	// copied is closed when stdout and stderr have been fully copied to
	// the log.
	copied  chan struct{}
	waitErr error
	pipes   []*os.File
}

// output says where a trial's stdout and stderr go.
type output struct {
	log *os.File
	// scan, when set, gets each line of stdout.
	scan func([]byte)
	// mask, when not empty, is applied to both streams on their way to
	// the log.
	mask *runner.Mask
}

// startProcess runs argv in dir with env, its stdout and stderr going to
// out.log. Without a scan or a mask the trial writes to the log directly;
// otherwise its streams pass through pipes that assay copies in
// fixed-size chunks. With a supervisor (sup, and marker the trial's run
// id) the supervisor starts the trial; without one it runs as assay's
// direct child.
func startProcess(argv []string, dir string, env []string, out output, sup *supervisor, marker string) (*process, error) {
	p := &process{exited: make(chan struct{}), copied: make(chan struct{})}
	stdout, stderr := out.log, out.log
	var copiers []func()
	var childEnds []*os.File
	pipe := func(scan func([]byte)) (*os.File, error) {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		p.pipes = append(p.pipes, r)
		childEnds = append(childEnds, w)
		copiers = append(copiers, func() { copyStream(r, out.log, out.mask, scan) })
		return w, nil
	}
	closeAll := func() {
		for _, f := range append(p.pipes, childEnds...) {
			f.Close()
		}
	}
	if out.scan != nil || !out.mask.Empty() {
		w, err := pipe(out.scan)
		if err != nil {
			return nil, err
		}
		stdout = w
	}
	if !out.mask.Empty() {
		w, err := pipe(nil)
		if err != nil {
			closeAll()
			return nil, err
		}
		stderr = w
	}
	var err error
	if sup != nil {
		var exits <-chan exitStatus
		p.sup = sup
		if p.id, exits, err = sup.start(argv, dir, env, stdout, stderr, marker); err == nil {
			go func() {
				p.status = <-exits
				close(p.exited)
			}()
		}
	} else {
		p.cmd = &exec.Cmd{Path: argv[0], Args: argv, Dir: dir, Env: env, Stdout: stdout, Stderr: stderr}
		p.cmd.SysProcAttr = directAttr()
		if err = p.cmd.Start(); err == nil {
			p.pgid = p.cmd.Process.Pid
			go func() {
				p.waitErr = p.cmd.Wait()
				close(p.exited)
			}()
		}
	}
	for _, w := range childEnds {
		w.Close() // the trial holds its own copies
	}
	if err != nil {
		for _, r := range p.pipes {
			r.Close()
		}
		return nil, err
	}
	var wg sync.WaitGroup
	for _, c := range copiers {
		wg.Add(1)
		go func() { defer wg.Done(); c() }()
	}
	go func() { wg.Wait(); close(p.copied) }()
	return p, nil
}

// copyStream streams r into log in fixed-size chunks, masked, handing
// complete lines of what the trial wrote (cut at scanLimit) to scan.
func copyStream(r *os.File, log io.Writer, mask *runner.Mask, scan func([]byte)) {
	defer r.Close()
	var mw *runner.MaskWriter
	if !mask.Empty() {
		mw = mask.Writer(log)
		log = mw
	}
	buf := make([]byte, 64<<10)
	var line []byte
	if scan != nil {
		line = make([]byte, 0, 4096)
	}
	overlong := false
	for {
		n, err := r.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			log.Write(chunk)
			for scan != nil && len(chunk) > 0 {
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
			if mw != nil {
				mw.Flush()
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
	// lost is set when the supervisor went away before the trial ended.
	lost bool
}

// wait returns when the trial and everything it started have ended,
// stopping them first on timeout (timeout 0 means none), cancellation of
// ctx, or a reason on stop (nil for none).
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
	if p.cmd != nil {
		// Whatever the trial left running in its group dies with it; this
		// is also what closes a pipe that a leftover grandchild holds.
		_ = syscall.Kill(-p.pgid, syscall.SIGKILL)
	}
	select {
	case <-p.copied:
	case <-time.After(5 * time.Second):
		// Without a supervisor, a process that left the group (setsid)
		// may still hold the pipes.
		for _, r := range p.pipes {
			r.Close()
		}
		<-p.copied
	}
	if p.cmd == nil {
		e.exitCode, e.signalled, e.lost = p.status.code, p.status.signalled, p.status.lost
		return e
	}
	e.exitCode = exitCode(p.cmd.ProcessState, p.waitErr)
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		e.signalled = true
	}
	return e
}

// stop sends SIGTERM to the trial's whole tree, then SIGKILL after grace
// if it has not ended; it reports whether SIGKILL was needed.
func (p *process) stop(grace time.Duration) bool {
	p.signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.exited:
	case <-t.C:
		p.signal(syscall.SIGKILL)
		return true
	}
	if p.cmd == nil {
		return false // the supervisor reports the end of the whole tree
	}
	// The trial's own process has ended; the rest of its group gets the
	// rest of the grace to handle SIGTERM too.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for groupLive(p.pgid) {
		select {
		case <-t.C:
			p.signal(syscall.SIGKILL)
			return true
		case <-tick.C:
		}
	}
	return false
}

func (p *process) signal(sig syscall.Signal) {
	if p.cmd == nil {
		p.sup.signal(p.id, sig)
		return
	}
	_ = syscall.Kill(-p.pgid, sig)
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
