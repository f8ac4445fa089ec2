package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults of RetryPolicy.
const (
	// DefaultRetryTimeout is how long assay keeps retrying GitHub in one
	// command before it gives up and says when to try again.
	DefaultRetryTimeout = 5 * time.Minute
	// DefaultMaxAttempts bounds the tries of one request that meets
	// server errors or a broken connection.
	DefaultMaxAttempts = 6
	// secondaryDefaultWait is what GitHub asks for after a secondary limit
	// that names no Retry-After: "wait at least one minute".
	secondaryDefaultWait = time.Minute
)

// RetryPolicy is how Transport retries. The zero value retries with the
// defaults against the real clock.
type RetryPolicy struct {
	// Deadline is when retrying stops; zero means DefaultRetryTimeout
	// after NewTransport. A context deadline that comes sooner wins.
	Deadline time.Time
	// MaxAttempts bounds tries of one request after 5xx answers or
	// connection failures; DefaultMaxAttempts when zero. Rate limits do not
	// count: they say when to come back.
	MaxAttempts int
	// BaseDelay is the first backoff after a 5xx (1s when zero); each
	// retry doubles it, with ±20% jitter, up to MaxDelay (30s when zero).
	BaseDelay, MaxDelay time.Duration
	// Now and Sleep are the clock, replaced in tests so no test waits.
	// Sleep must return early with ctx's error when ctx ends.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Notify, when set, hears of every wait: a line for the user's log.
	Notify func(msg string)
}

// Transport retries GitHub requests that GitHub asks to retry: server
// errors (500, 502, 503, 504), broken connections, secondary rate limits
// (403 or 429 with Retry-After, or with GitHub's secondary-limit message)
// and a spent primary quota (X-RateLimit-Remaining: 0) whose reset comes
// before the deadline. It honours Retry-After and X-RateLimit-Reset, and
// backs off exponentially otherwise.
//
// A POST that met a 502 may have taken effect; retrying it can create a
// second comment or issue. The callers that create things tidy such
// duplicates on their next run (see UpsertComment and SyncDrift).
type Transport struct {
	Base   http.RoundTripper
	Policy RetryPolicy

	deadline time.Time
}

// NewTransport wraps base (http.DefaultTransport when nil).
func NewTransport(base http.RoundTripper, p RetryPolicy) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Sleep == nil {
		p.Sleep = sleepContext
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	t := &Transport{Base: base, Policy: p, deadline: p.Deadline}
	if t.deadline.IsZero() {
		t.deadline = p.Now().Add(DefaultRetryTimeout)
	}
	return t
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// RateLimitError is a spent primary quota that resets only after the
// deadline: waiting would outlast the command.
type RateLimitError struct {
	// Reset is when GitHub restores the quota, and Wait how far off that
	// was when the limit was met.
	Reset    time.Time
	Wait     time.Duration
	Deadline time.Time
	// Method and Path name the request that met the limit.
	Method, Path string
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("GitHub's API rate limit for this token is used up until %s (%s from now), beyond the retry deadline at %s; try again after %s",
		e.Reset.UTC().Format("15:04:05 UTC"), roundDuration(e.Wait), e.Deadline.UTC().Format("15:04:05 UTC"), e.Reset.UTC().Format("15:04 UTC"))
}

// GaveUpError is a request that still failed when retries ran out.
type GaveUpError struct {
	Method, Path string
	Attempts     int
	// Status is the last HTTP status, 0 when the connection failed.
	Status int
	Err    error
	// Deadline is set when the deadline, not the attempt count, stopped
	// the retries.
	Deadline bool
}

func (e *GaveUpError) Error() string {
	what := fmt.Sprintf("answered %d %s", e.Status, http.StatusText(e.Status))
	if e.Status == 0 {
		what = fmt.Sprintf("could not be reached (%v)", e.Err)
	}
	why := fmt.Sprintf("after %d attempts", e.Attempts)
	if e.Deadline {
		why = fmt.Sprintf("after %d attempts, at the retry deadline", e.Attempts)
	}
	return fmt.Sprintf("GitHub %s to %s %s %s", what, e.Method, e.Path, why)
}

func (e *GaveUpError) Unwrap() error { return e.Err }

// RoundTrip sends req, retrying as the type describes.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	deadline := t.deadline
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	failures := 0
	for attempt := 1; ; attempt++ {
		try, err := rewind(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.Base.RoundTrip(try)
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		wait, kind := t.classify(resp, err, failures)
		if kind == final {
			return resp, err
		}
		if kind == transient {
			failures++
		}
		now := t.Policy.Now()
		if kind == primaryLimit && now.Add(wait).After(deadline) {
			drain(resp)
			return nil, &RateLimitError{Reset: now.Add(wait), Wait: wait, Deadline: deadline, Method: req.Method, Path: req.URL.Path}
		}
		if failures >= t.Policy.MaxAttempts || now.Add(wait).After(deadline) {
			status := 0
			if resp != nil {
				status = resp.StatusCode
				drain(resp)
			}
			return nil, &GaveUpError{Method: req.Method, Path: req.URL.Path, Attempts: attempt, Status: status, Err: err,
				Deadline: failures < t.Policy.MaxAttempts}
		}
		drain(resp)
		if t.Policy.Notify != nil {
			t.Policy.Notify(fmt.Sprintf("GitHub: %s on %s %s; retrying in %s", describe(resp, err, kind), req.Method, req.URL.Path, roundDuration(wait)))
		}
		if err := t.Policy.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// rewind returns the request for an attempt, with a fresh body for every
// attempt after the first.
func rewind(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 1 || req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	if req.GetBody == nil {
		return nil, fmt.Errorf("retrying %s %s: the request body cannot be sent twice", req.Method, req.URL.Path)
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Body = body
	return r, nil
}

func drain(resp *http.Response) {
	if resp != nil && resp.Body != nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
	}
}

type retryKind int

const (
	final retryKind = iota
	transient
	secondaryLimit
	primaryLimit
)

// classify decides whether an answer is retried, and after how long.
func (t *Transport) classify(resp *http.Response, err error, failures int) (time.Duration, retryKind) {
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return 0, final
		}
		return t.backoff(failures), transient
	}
	now := t.Policy.Now()
	switch resp.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if d, ok := retryAfter(resp.Header, now); ok {
			return d, transient
		}
		return t.backoff(failures), transient
	case http.StatusForbidden, http.StatusTooManyRequests:
	default:
		return 0, final
	}
	if d, ok := retryAfter(resp.Header, now); ok {
		return d, secondaryLimit
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, ok := unixHeader(resp.Header.Get("X-RateLimit-Reset")); ok {
			// A second past the reset, as GitHub's clock and ours may
			// disagree by that much.
			return max(reset.Sub(now), 0) + time.Second, primaryLimit
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests || mentionsSecondaryLimit(resp) {
		return secondaryDefaultWait << min(failures, 4), secondaryLimit
	}
	return 0, final
}

// backoff is BaseDelay·2^failures with ±20% jitter, at most MaxDelay.
func (t *Transport) backoff(failures int) time.Duration {
	d := t.Policy.BaseDelay << min(failures, 16)
	d = time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
	return min(d, t.Policy.MaxDelay)
}

// retryAfter reads Retry-After: seconds, or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func unixHeader(v string) (time.Time, bool) {
	s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(s, 0), true
}

// mentionsSecondaryLimit peeks at a 403's body for GitHub's words, and
// puts the body back for whoever reads the answer.
func mentionsSecondaryLimit(resp *http.Response) bool {
	if resp.Body == nil {
		return false
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	s := strings.ToLower(string(data))
	return strings.Contains(s, "secondary rate limit") || strings.Contains(s, "abuse detection")
}

func describe(resp *http.Response, err error, kind retryKind) string {
	switch {
	case err != nil:
		return err.Error()
	case kind == primaryLimit:
		return "API rate limit used up"
	case kind == secondaryLimit:
		return "secondary rate limit"
	default:
		return fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
}

// roundDuration shows a wait to the second, or to the minute when long.
func roundDuration(d time.Duration) time.Duration {
	if d > 10*time.Minute {
		return d.Round(time.Minute)
	}
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}
