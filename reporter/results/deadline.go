package results

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Network deadlines. A remote that accepts a connection and then says
// nothing would otherwise hold assay forever: every talk with the remote
// (fetch, push) has a connect deadline, for the connection and the
// remote's first answer, and an idle deadline, for any silence after
// that. A transfer that keeps moving is never cut, however long it takes.
const (
	DefaultConnectTimeout = 15 * time.Second
	DefaultIdleTimeout    = 60 * time.Second
)

// The environment variables that set the deadlines: a Go duration (10s,
// 2m) or a number of seconds; 0 means no deadline.
const (
	EnvConnectTimeout = "ASSAY_CONNECT_TIMEOUT"
	EnvIdleTimeout    = "ASSAY_IDLE_TIMEOUT"
)

// deadlineError is a remote that went quiet for longer than a deadline.
type deadlineError struct {
	// idle is true for silence after the first answer, false for no
	// first answer at all.
	idle bool
	d    time.Duration
}

func (e deadlineError) Error() string {
	if e.idle {
		return fmt.Sprintf("the transfer stalled: no data for %s (%s sets this deadline)", e.d, EnvIdleTimeout)
	}
	return fmt.Sprintf("no answer within %s (%s sets this deadline)", e.d, EnvConnectTimeout)
}

// IsDeadline reports whether err is a remote that did not answer in time.
func IsDeadline(err error) bool {
	var d deadlineError
	return errors.As(err, &d)
}

// timeoutSetting resolves one deadline: the option when set (negative
// for none), else the environment variable, else the default. Zero in
// the result means no deadline.
func timeoutSetting(opt time.Duration, env, name string, def time.Duration) (time.Duration, error) {
	switch {
	case opt < 0:
		return 0, nil
	case opt > 0:
		return opt, nil
	}
	env = strings.TrimSpace(env)
	if env == "" {
		return def, nil
	}
	if n, err := strconv.ParseFloat(env, 64); err == nil && n >= 0 {
		return time.Duration(n * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(env)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s=%q is not a duration: write it like 10s or 2m (or 0 for no deadline)", name, env)
	}
	return d, nil
}

// watchdog is a context that ends when the remote is quiet too long:
// first for the connect deadline, then, once the remote has answered,
// for the idle deadline after the last sign of life.
type watchdog struct {
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu       sync.Mutex
	timer    *time.Timer
	answered bool
	connect  time.Duration
	idle     time.Duration
}

func (s *Store) watch(parent context.Context) *watchdog {
	ctx, cancel := context.WithCancelCause(parent)
	w := &watchdog{ctx: ctx, cancel: cancel, connect: s.connectTimeout, idle: s.idleTimeout}
	if w.connect > 0 {
		w.timer = time.AfterFunc(w.connect, w.expire)
	}
	return w
}

func (w *watchdog) expire() {
	w.mu.Lock()
	err := deadlineError{idle: w.answered, d: w.connect}
	if w.answered {
		err.d = w.idle
	}
	w.mu.Unlock()
	w.cancel(err)
}

// alive notes a sign of life from the remote: the idle deadline starts
// over.
func (w *watchdog) alive() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.answered = true
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	if w.idle > 0 && w.ctx.Err() == nil {
		w.timer = time.AfterFunc(w.idle, w.expire)
	}
}

func (w *watchdog) stop() {
	w.mu.Lock()
	if w.timer != nil {
		w.timer.Stop()
	}
	w.mu.Unlock()
	w.cancel(context.Canceled)
}

// unreachable explains err: the deadline that ended the talk when one
// did, so the user reads why rather than "context canceled".
func (w *watchdog) unreachable(err error) error {
	var d deadlineError
	if cause := context.Cause(w.ctx); errors.As(cause, &d) {
		return unreachableError{d}
	}
	return unreachableError{err}
}

// reader passes r on, each read a sign of life.
func (w *watchdog) reader(r io.Reader) io.Reader { return aliveReader{r: r, w: w} }

type aliveReader struct {
	r io.Reader
	w *watchdog
}

func (a aliveReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.w.alive()
	}
	return n, err
}

// progress is where the remote's progress messages go: a remote busy
// counting objects says so, and that counts as a sign of life.
func (w *watchdog) progress() io.Writer { return aliveWriter{w} }

type aliveWriter struct{ w *watchdog }

func (a aliveWriter) Write(p []byte) (int, error) {
	a.w.alive()
	return len(p), nil
}

// openSession opens a session with the remote within ctx. go-git dials
// git:// and ssh remotes without a context, so the dial runs aside: when
// ctx ends first the session is given up, and closed if it ever opens.
func openSession[S io.Closer](ctx context.Context, open func() (S, error)) (S, error) {
	type opened struct {
		s   S
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		s, err := open()
		ch <- opened{s, err}
	}()
	select {
	case o := <-ch:
		return o.s, o.err
	case <-ctx.Done():
		go func() {
			if o := <-ch; o.err == nil {
				o.s.Close()
			}
		}()
		var zero S
		return zero, ctx.Err()
	}
}
