package github

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/github/fakegithub"
)

func okStatus() CommitStatus {
	return CommitStatus{State: StateFailure, Description: "val_acc fell 2.1% (p=0.003)"}
}

func TestBadGatewayTwiceThenSuccess(t *testing.T) {
	env := newTestEnv(t)
	env.gh.Expect(fakegithub.CreateStatus).Times(3).Fail(fakegithub.ServerError(502), fakegithub.ServerError(502))
	if err := env.client.SetStatus(context.Background(), sha('b'), okStatus()); err != nil {
		t.Fatal(err)
	}
	st := env.repo.Statuses(sha('b'))
	if len(st) != 1 || st[0].State != StateFailure || st[0].Description != okStatus().Description {
		t.Errorf("statuses = %+v, want the one status, body intact on the third try", st)
	}
	calls := env.gh.CallsTo(fakegithub.CreateStatus)
	for i, c := range calls {
		if string(c.Body) != string(calls[0].Body) {
			t.Errorf("attempt %d sent %q, the first %q", i+1, c.Body, calls[0].Body)
		}
	}
	sleeps := env.clock.Sleeps()
	if len(sleeps) != 2 || sleeps[0] < 800*time.Millisecond || sleeps[1] < 1600*time.Millisecond || sleeps[1] > 2400*time.Millisecond {
		t.Errorf("backoff = %v, want about 1s then 2s", sleeps)
	}
}

func TestSecondaryRateLimitThenRecovered(t *testing.T) {
	env := newTestEnv(t)
	env.gh.Expect(fakegithub.CreateStatus).Times(3).Fail(
		fakegithub.SecondaryRateLimit(45*time.Second),
		fakegithub.TooManyRequests(3*time.Second),
	)
	var notes []string
	client := env.newClient(t, RetryPolicy{Notify: func(s string) { notes = append(notes, s) }})
	if err := client.SetStatus(context.Background(), sha('b'), okStatus()); err != nil {
		t.Fatal(err)
	}
	if got := env.clock.Sleeps(); len(got) != 2 || got[0] != 45*time.Second || got[1] != 3*time.Second {
		t.Errorf("waits = %v, want exactly the Retry-After values 45s and 3s", got)
	}
	if len(notes) != 2 || !strings.Contains(notes[0], "secondary rate limit") || !strings.Contains(notes[0], "retrying in 45s") {
		t.Errorf("notes = %q", notes)
	}
	if n := len(env.repo.Statuses(sha('b'))); n != 1 {
		t.Errorf("%d statuses, want 1", n)
	}
}

func TestSecondaryLimitWithoutRetryAfterWaitsAMinute(t *testing.T) {
	env := newTestEnv(t)
	limited := fakegithub.SecondaryRateLimit(0)
	env.gh.Expect(fakegithub.CreateStatus).Times(2).Fail(limited)
	if err := env.client.SetStatus(context.Background(), sha('b'), okStatus()); err != nil {
		t.Fatal(err)
	}
	if got := env.clock.Sleeps(); len(got) != 1 || got[0] != time.Minute {
		t.Errorf("waits = %v, want one minute, as GitHub asks", got)
	}
}

func TestPrimaryRateLimitWaitsForTheReset(t *testing.T) {
	env := newTestEnv(t)
	env.gh.Expect(fakegithub.CreateStatus).Times(2).Fail(fakegithub.PrimaryRateLimit(3 * time.Minute))
	if err := env.client.SetStatus(context.Background(), sha('b'), okStatus()); err != nil {
		t.Fatal(err)
	}
	got := env.clock.Sleeps()
	if len(got) != 1 || got[0] < 3*time.Minute || got[0] > 3*time.Minute+2*time.Second {
		t.Errorf("waits = %v, want until the reset 3m on, plus a second", got)
	}
}

func TestPrimaryRateLimitBeyondTheDeadlineNamesTheReset(t *testing.T) {
	env := newTestEnv(t)
	reset := env.clock.Now().Add(40 * time.Minute)
	env.gh.Expect(fakegithub.CreateStatus).Times(1).Fail(fakegithub.PrimaryRateLimitUntil(reset))
	client := env.newClient(t, RetryPolicy{Deadline: env.clock.Now().Add(5 * time.Minute)})
	err := client.SetStatus(context.Background(), sha('b'), okStatus())
	var rl *RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %v, want a RateLimitError", err)
	}
	if !rl.Reset.After(reset.Add(-time.Second)) || rl.Reset.After(reset.Add(2*time.Second)) {
		t.Errorf("reset = %v, want %v", rl.Reset, reset)
	}
	for _, want := range []string{"12:40:", "UTC", "rate limit", "try again after 12:40 UTC"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if len(env.clock.Sleeps()) != 0 {
		t.Errorf("waited %v before giving up; a wait past the deadline is pointless", env.clock.Sleeps())
	}
}

func TestServerErrorsUntilTheAttemptsRunOut(t *testing.T) {
	env := newTestEnv(t)
	faults := make([]fakegithub.Fault, 3)
	for i := range faults {
		faults[i] = fakegithub.ServerError(503)
	}
	env.gh.Expect(fakegithub.CreateStatus).Times(3).Fail(faults...)
	client := env.newClient(t, RetryPolicy{MaxAttempts: 3})
	err := client.SetStatus(context.Background(), sha('b'), okStatus())
	var gu *GaveUpError
	if !errors.As(err, &gu) || gu.Status != 503 || gu.Attempts != 3 {
		t.Fatalf("err = %v, want GaveUpError after 3 attempts of 503", err)
	}
	if !strings.Contains(err.Error(), "503 Service Unavailable") || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Errorf("error = %q", err)
	}
}

func TestRetriesStopAtTheDeadline(t *testing.T) {
	env := newTestEnv(t)
	env.gh.Expect(fakegithub.CreateStatus).Times(2).Fail(fakegithub.SecondaryRateLimit(2*time.Minute), fakegithub.SecondaryRateLimit(2*time.Minute))
	client := env.newClient(t, RetryPolicy{Deadline: env.clock.Now().Add(3 * time.Minute)})
	err := client.SetStatus(context.Background(), sha('b'), okStatus())
	var gu *GaveUpError
	if !errors.As(err, &gu) || !gu.Deadline || gu.Status != 403 {
		t.Fatalf("err = %v, want GaveUpError at the deadline", err)
	}
}

func TestUnreachableGitHubIsRetriedThenReported(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	clock := newFakeClock()
	c, err := NewClient(Config{APIURL: "http://" + addr + "/", Token: "t", Owner: "acme", Repo: "models"},
		RetryPolicy{Now: clock.Now, Sleep: clock.Sleep, MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	err = c.SetStatus(context.Background(), sha('b'), okStatus())
	var gu *GaveUpError
	if !errors.As(err, &gu) || gu.Status != 0 || gu.Attempts != 3 {
		t.Fatalf("err = %v, want GaveUpError with no status after 3 attempts", err)
	}
	if !strings.Contains(err.Error(), "could not be reached") {
		t.Errorf("error = %q", err)
	}
}

func TestCancelledContextStopsTheWait(t *testing.T) {
	env := newTestEnv(t)
	env.gh.Expect(fakegithub.CreateStatus).Times(1).Fail(fakegithub.ServerError(502))
	ctx, cancel := context.WithCancel(context.Background())
	client := env.newClient(t, RetryPolicy{Sleep: func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}})
	err := client.SetStatus(ctx, sha('b'), okStatus())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestPermissionDeniedIsNotRetried(t *testing.T) {
	env := newTestEnv(t)
	env.gh.AddActionsToken("ghs_x")
	env.cfg.Token = "ghs_x"
	client := env.newClient(t, RetryPolicy{})
	// The Actions token's 403 on /user is final: no retry, and the
	// identity falls back to the bot.
	env.gh.Expect(fakegithub.GetUser).Times(1)
	login, err := client.Identity(context.Background())
	if err != nil || login != ActionsBot {
		t.Fatalf("login = %q, err = %v", login, err)
	}
	if len(env.clock.Sleeps()) != 0 {
		t.Errorf("slept %v on a final 403", env.clock.Sleeps())
	}
}

func TestRetryAfterAsAnHTTPDate(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	h := http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}
	if d, ok := retryAfter(h, now); !ok || d != 90*time.Second {
		t.Errorf("retryAfter = %v, %v", d, ok)
	}
	if _, ok := retryAfter(http.Header{"Retry-After": {"soon"}}, now); ok {
		t.Error("a Retry-After of words was read")
	}
}
