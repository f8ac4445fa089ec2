package results

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// silentRemote accepts connections and never says a word, like a
// server whose git process hangs or a firewall that swallows packets
// after the handshake. It returns host:port.
func silentRemote(t *testing.T) string {
	t.Helper()
	srv, err := gittest.StartSilent()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv.Addr
}

// hangGuard is far beyond any deadline a test sets: a call still running
// then is hanging, which is the defect these tests look for.
const hangGuard = 60 * time.Second

func TestSilentRemoteEndsAtTheConnectDeadline(t *testing.T) {
	requireGit(t)
	for _, scheme := range []string{"git", "http"} {
		t.Run(scheme, func(t *testing.T) {
			dir := newCodeRepo(t)
			setOrigin(t, dir, scheme+"://"+silentRemote(t)+"/team.git")
			s := openStore(t, dir, Options{ConnectTimeout: 300 * time.Millisecond})
			start := time.Now()
			done := make(chan error, 1)
			go func() { done <- s.Fetch(context.Background()) }()
			var err error
			select {
			case err = <-done:
			case <-time.After(hangGuard):
				t.Fatalf("Fetch from a silent %s:// remote still waits after %s", scheme, hangGuard)
			}
			took := time.Since(start)
			if err == nil || !IsDeadline(err) {
				t.Fatalf("Fetch from a silent remote: %v, want a deadline error", err)
			}
			if !strings.Contains(err.Error(), "no answer within 300ms (ASSAY_CONNECT_TIMEOUT") {
				t.Errorf("the error does not say which deadline ran out: %v", err)
			}
			if took < 300*time.Millisecond {
				t.Errorf("Fetch gave up after %s, before the 300ms deadline", took)
			}
			t.Logf("%s:// silent remote: Fetch gave up after %s", scheme, took.Round(time.Millisecond))
		})
	}
}

func TestSilentRemoteKeepsResultsInTheOutboxUntilARealOneAnswers(t *testing.T) {
	requireGit(t)
	for _, scheme := range []string{"git", "http"} {
		t.Run(scheme, func(t *testing.T) {
			dir := newCodeRepo(t)
			setOrigin(t, dir, scheme+"://"+silentRemote(t)+"/team.git")
			s := openStore(t, dir, Options{ConnectTimeout: 300 * time.Millisecond})
			sp := putRuns(t, s, testRun("r1", "exp", 1), testRun("r2", "exp", 2))
			rep, err := s.Deliver(context.Background(), sp)
			var ob *OutboxError
			if !errors.As(err, &ob) || !IsDeadline(err) {
				t.Fatalf("Deliver to a silent remote: %v, want an *OutboxError for a deadline", err)
			}
			if rep.Recorded != 2 || ob.Pending != 2 {
				t.Fatalf("recorded %d, pending %d; want both runs recorded locally and waiting", rep.Recorded, ob.Pending)
			}
			if rep.Sync.Attempts != 1 {
				t.Errorf("a silent remote was tried %d times; one deadline is enough", rep.Sync.Attempts)
			}
			if n := countRecords(branchFiles(t, dir, "assay/results")); n != 2 {
				t.Fatalf("git sees %d records on the local branch, want 2 in the outbox", n)
			}

			// The team's real remote answers now.
			base := t.TempDir()
			bare := newBareRemote(t, base, "team.git")
			setOrigin(t, dir, gitDaemon(t, base, 0)+"team.git")
			s = openStore(t, dir, Options{})
			sync, err := s.Sync(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if sync.Delivered != 2 {
				t.Errorf("delivered %d, want the 2 runs of the outbox", sync.Delivered)
			}
			if n := countRecords(branchFiles(t, bare, "assay/results")); n != 2 {
				t.Errorf("git sees %d records on the remote, want 2", n)
			}
			if n, _ := s.Pending(); n != 0 {
				t.Errorf("%d runs still pending after the sync", n)
			}
		})
	}
}

// stallingProxy stands between assay and a git daemon. It passes the
// daemon's first answer (the ref advertisement) on and then, when stall
// is set, nothing more: a remote that answered and went quiet. With a
// trickle it passes everything, a few bytes at a time with a pause
// between: a slow link that keeps moving.
type stallingProxy struct {
	target string
	stall  bool
	chunk  int
	pause  time.Duration
	l      net.Listener
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

func newStallingProxy(t *testing.T, target string, p *stallingProxy) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.target, p.l = target, l
	go p.serve()
	t.Cleanup(func() {
		l.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return l.Addr().String()
}

func (p *stallingProxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			io.Copy(up, c)
		}()
		go func() {
			defer p.wg.Done()
			p.down(c, up)
		}()
	}
}

// down copies the daemon's answer to the client: the advertisement
// whole, then the rest as the mode says.
func (p *stallingProxy) down(c, up net.Conn) {
	r := bufio.NewReader(up)
	// The advertisement is pkt-lines up to the first flush (0000).
	for {
		head := make([]byte, 4)
		if _, err := io.ReadFull(r, head); err != nil {
			return
		}
		n, err := strconv.ParseUint(string(head), 16, 16)
		if err != nil {
			return
		}
		line := head
		if n > 4 {
			body := make([]byte, n-4)
			if _, err := io.ReadFull(r, body); err != nil {
				return
			}
			line = append(line, body...)
		}
		if _, err := c.Write(line); err != nil {
			return
		}
		if n == 0 {
			break
		}
	}
	if p.stall {
		io.Copy(io.Discard, r)
		return
	}
	buf := make([]byte, p.chunk)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
			time.Sleep(p.pause)
		}
		if err != nil {
			c.(*net.TCPConn).CloseWrite()
			return
		}
	}
}

func TestRemoteThatGoesQuietEndsAtTheIdleDeadline(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	newBareRemote(t, base, "team.git")
	daemon := gitDaemon(t, base, 0)
	// Someone else's results are on the remote.
	other := newCodeRepo(t)
	setOrigin(t, other, daemon+"team.git")
	so := openStore(t, other, Options{})
	if _, err := so.Deliver(context.Background(), putRuns(t, so, testRun("o1", "exp", 1))); err != nil {
		t.Fatal(err)
	}

	target := strings.TrimSuffix(strings.TrimPrefix(daemon, "git://"), "/")
	proxy := newStallingProxy(t, target, &stallingProxy{stall: true})
	dir := newCodeRepo(t)
	setOrigin(t, dir, "git://"+proxy+"/team.git")
	s := openStore(t, dir, Options{IdleTimeout: 300 * time.Millisecond})
	done := make(chan error, 1)
	go func() { done <- s.Fetch(context.Background()) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(hangGuard):
		t.Fatalf("Fetch from a remote that went quiet still waits after %s", hangGuard)
	}
	if err == nil || !IsDeadline(err) || !strings.Contains(err.Error(), "no data for 300ms (ASSAY_IDLE_TIMEOUT") {
		t.Fatalf("Fetch from a remote that answered and went quiet: %v, want the idle deadline", err)
	}
}

func TestSlowTransferThatKeepsMovingIsNotCut(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	newBareRemote(t, base, "team.git")
	daemon := gitDaemon(t, base, 0)
	other := newCodeRepo(t)
	setOrigin(t, other, daemon+"team.git")
	so := openStore(t, other, Options{})
	var runs []*runner.Run
	for i := 0; i < 40; i++ {
		runs = append(runs, testRun(fmt.Sprintf("o%02d", i), "exp", int64(i)))
	}
	if _, err := so.Deliver(context.Background(), putRuns(t, so, runs...)); err != nil {
		t.Fatal(err)
	}

	// 64 bytes every 20ms: the pack takes several times the idle
	// deadline, but the link is never quiet for long. The deadline leaves
	// a busy machine seconds to start sending the pack.
	target := strings.TrimSuffix(strings.TrimPrefix(daemon, "git://"), "/")
	proxy := newStallingProxy(t, target, &stallingProxy{chunk: 64, pause: 20 * time.Millisecond})
	dir := newCodeRepo(t)
	setOrigin(t, dir, "git://"+proxy+"/team.git")
	const idle = 3 * time.Second
	s := openStore(t, dir, Options{IdleTimeout: idle})
	start := time.Now()
	if err := s.Fetch(context.Background()); err != nil {
		t.Fatalf("a slow transfer that keeps moving was cut: %v", err)
	}
	took := time.Since(start)
	idx, err := s.Index()
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Entries) != 40 {
		t.Fatalf("fetched %d runs, want 40", len(idx.Entries))
	}
	if took < 2*idle {
		t.Errorf("the transfer took %s, under twice the idle deadline: the test no longer shows that a long transfer is not cut", took)
	}
	t.Logf("a %s transfer with a %s idle deadline", took.Round(time.Millisecond), idle)
}

func TestDeadlineSettings(t *testing.T) {
	requireGit(t)
	for _, c := range []struct {
		env  string
		want time.Duration
		err  bool
	}{
		{"", DefaultConnectTimeout, false},
		{"30", 30 * time.Second, false},
		{"2.5", 2500 * time.Millisecond, false},
		{"2m", 2 * time.Minute, false},
		{"0", 0, false},
		{"soon", 0, true},
		{"-5s", 0, true},
	} {
		got, err := timeoutSetting(0, c.env, EnvConnectTimeout, DefaultConnectTimeout)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("%s=%q: got %s, %v; want %s, error %t", EnvConnectTimeout, c.env, got, err, c.want, c.err)
		}
		if err != nil && !strings.Contains(err.Error(), "write it like 10s") {
			t.Errorf("the error for %q does not say how to write it: %v", c.env, err)
		}
	}
	if got, _ := timeoutSetting(-1, "5s", EnvConnectTimeout, DefaultConnectTimeout); got != 0 {
		t.Errorf("a negative option means no deadline, got %s", got)
	}
	dir := newCodeRepo(t)
	_, err := Open(dir, Options{Getenv: func(k string) string {
		if k == EnvIdleTimeout {
			return "forever"
		}
		return ""
	}})
	if err == nil || !strings.Contains(err.Error(), EnvIdleTimeout) {
		t.Errorf("Open with %s=forever: %v, want an error naming the variable", EnvIdleTimeout, err)
	}
}

// TestDeadlinesOffOrSpelledZero: "0s" is as much a zero as "0", the
// defaults are the documented 15s and 60s, and with both deadlines off
// (a negative option, or 0 in the environment) a push and a fetch
// over git:// work and are never cut.
func TestDeadlinesOffOrSpelledZero(t *testing.T) {
	requireGit(t)
	for _, env := range []string{"0s", "0m", "0"} {
		if got, err := timeoutSetting(0, env, EnvIdleTimeout, DefaultIdleTimeout); err != nil || got != 0 {
			t.Errorf("%s=%q: got %s, %v; want no deadline", EnvIdleTimeout, env, got, err)
		}
	}
	dir := newCodeRepo(t)
	s, err := Open(dir, Options{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if s.connectTimeout != 15*time.Second || s.idleTimeout != 60*time.Second {
		t.Errorf("the default deadlines are %s and %s, want 15s and 60s as documented", s.connectTimeout, s.idleTimeout)
	}

	for _, c := range []struct {
		name string
		opts Options
	}{
		{"negative options", Options{ConnectTimeout: -1, IdleTimeout: -1}},
		{"zero in the environment", Options{Getenv: func(k string) string {
			switch k {
			case EnvConnectTimeout, EnvIdleTimeout:
				return "0"
			case "GIT_COMMITTER_NAME":
				return "Ada"
			case "GIT_COMMITTER_EMAIL":
				return "ada@example.com"
			}
			return ""
		}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			bare := newBareRemote(t, base, "team.git")
			dir := newCodeRepo(t)
			setOrigin(t, dir, gitDaemon(t, base, 0)+"team.git")
			opts := c.opts
			opts.Sleep = func(time.Duration) {}
			s, err := Open(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			if s.connectTimeout != 0 || s.idleTimeout != 0 {
				t.Fatalf("deadlines %s and %s, want none", s.connectTimeout, s.idleTimeout)
			}
			rep, err := s.Deliver(context.Background(), putRuns(t, s, testRun("r1", "exp", 1)))
			if err != nil || rep.Sync.Delivered != 1 {
				t.Fatalf("Deliver with no deadlines: %+v, %v", rep, err)
			}
			if n := countRecords(branchFiles(t, bare, "assay/results")); n != 1 {
				t.Errorf("git sees %d records on the remote, want 1", n)
			}
			if err := s.Fetch(context.Background()); err != nil {
				t.Errorf("Fetch with no deadlines: %v", err)
			}
		})
	}
}

// closeCounter is a session that counts its closes.
type closeCounter struct{ closed chan struct{} }

func (c *closeCounter) Close() error { close(c.closed); return nil }

// TestASessionThatOpensTooLateIsClosed: when the deadline ends the
// wait for a dial that then succeeds, the connection it opened is
// closed, not left to the remote; one that then fails has nothing to
// close, and nothing is.
func TestASessionThatOpensTooLateIsClosed(t *testing.T) {
	for _, fail := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		release := make(chan struct{})
		late := &closeCounter{closed: make(chan struct{})}
		opened := make(chan struct{})
		go func() {
			defer close(opened)
			_, err := openSession(ctx, func() (*closeCounter, error) {
				<-release
				if fail {
					return nil, errors.New("connection refused")
				}
				return late, nil
			})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("openSession after the deadline: %v", err)
			}
		}()
		cancel()
		<-opened
		close(release)
		if fail {
			// Nothing to wait for: there is no session, and closing the
			// nil one would panic.
			continue
		}
		select {
		case <-late.closed:
		case <-time.After(hangGuard):
			t.Errorf("the session that opened after the deadline was not closed within %s", hangGuard)
		}
	}
}
