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

// process is one started trial: its process (the supervisor, when there
// is one, else the trial itself) and the streams copied into its log.
type process struct {
	cmd *exec.Cmd
	// sup talks to the trial's supervisor; nil when the trial runs as
	// assay's direct child in its own process group pgid.
	sup  *supervisorConn
	pgid int
	// exited is closed when the process has been reaped.
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
// fixed-size chunks. supervisor is the command that starts a trial's
// supervisor (SupervisorCommand); nil runs the trial as a direct child.
func startProcess(argv []string, dir string, env []string, out output, supervisor []string, grace time.Duration) (*process, error) {
	p := &process{exited: make(chan struct{}), copied: make(chan struct{})}
	stdout, stderr := io.Writer(out.log), io.Writer(out.log)
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
	if supervisor != nil {
		p.cmd, p.sup, err = startSupervised(supervisor, argv, dir, env, stdout, stderr, grace)
	} else {
		p.cmd, err = startDirect(argv, dir, env, stdout, stderr)
	}
	for _, w := range childEnds {
		w.Close() // the child holds its own copies
	}
	if err != nil {
		for _, r := range p.pipes {
			r.Close()
		}
		return nil, err
	}
	p.pgid = p.cmd.Process.Pid
	var wg sync.WaitGroup
	for _, c := range copiers {
		wg.Add(1)
		go func() { defer wg.Done(); c() }()
	}
	go func() { wg.Wait(); close(p.copied) }()
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// startDirect starts argv as assay's child, leading its own process group.
func startDirect(argv []string, dir string, env []string, stdout, stderr io.Writer) (*exec.Cmd, error) {
	cmd := &exec.Cmd{Path: argv[0], Args: argv, Dir: dir, Env: env, Stdout: stdout, Stderr: stderr}
	cmd.SysProcAttr = directAttr()
	return cmd, cmd.Start()
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
	// killed is set when SIGTERM was not enough and SIGKILL followed.
	killed bool
}

// wait returns when the trial and everything it started have ended,
// stopping them first on timeout (timeout 0 means none) or cancellation
// of ctx.
func (p *process) wait(ctx context.Context, timeout, grace time.Duration) ending {
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
	}
	<-p.exited
	if p.sup == nil {
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
	e.exitCode = exitCode(p.cmd.ProcessState, p.waitErr)
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		e.signalled = true
	}
	if p.sup != nil {
		if st, ok := p.sup.finish(); ok {
			e.exitCode, e.signalled = st.code, st.signalled
		}
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
		return false
	case <-t.C:
		p.signal(syscall.SIGKILL)
		return true
	}
}

func (p *process) signal(sig syscall.Signal) {
	if p.sup != nil {
		p.sup.signal(sig)
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
