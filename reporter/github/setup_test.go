package github

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/github/fakegithub"
)

// fakeClock is a clock whose Sleep only moves time on, so retry tests run
// in microseconds while the fake server sees the same time pass.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// testEnv is a fake GitHub with one repository and a client of it.
type testEnv struct {
	gh     *fakegithub.Server
	repo   *fakegithub.Repo
	clock  *fakeClock
	client *Client
	cfg    Config
}

const (
	testToken = "ghp_test"
	testLogin = "assay-bot"
)

// newTestEnv starts a fake GitHub serving acme/models, with a client
// authenticated as assay-bot and a fake clock shared by both.
func newTestEnv(t *testing.T, opts ...fakegithub.Option) *testEnv {
	t.Helper()
	clock := newFakeClock()
	gh := fakegithub.New(t, append([]fakegithub.Option{fakegithub.WithClock(clock.Now)}, opts...)...)
	gh.AddToken(testToken, testLogin)
	env := &testEnv{gh: gh, repo: gh.Repo("acme/models"), clock: clock}
	env.cfg = Config{APIURL: gh.URL(), Token: testToken, Owner: "acme", Repo: "models"}
	env.client = env.newClient(t, RetryPolicy{})
	return env
}

// newClient returns a client of the fake whose retries sleep on the fake
// clock; p's zero fields take those defaults.
func (e *testEnv) newClient(t *testing.T, p RetryPolicy) *Client {
	t.Helper()
	if p.Now == nil {
		p.Now = e.clock.Now
	}
	if p.Sleep == nil {
		p.Sleep = e.clock.Sleep
	}
	c, err := NewClient(e.cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sha(c byte) string {
	b := make([]byte, 40)
	for i := range b {
		b[i] = c
	}
	return string(b)
}
