package github

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// answer is one HTTP answer a test server gives.
type answer struct {
	status int
	header map[string]string
	body   string
}

// serveAnswers answers each request with the next of answers, then 200.
func serveAnswers(t *testing.T, answers []answer) (*httptest.Server, *int) {
	t.Helper()
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if n < len(answers) {
			a := answers[n]
			n++
			for k, v := range a.header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(a.status)
			io.WriteString(w, a.body)
			return
		}
		n++
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestWhatEachAnswerWaitsFor: the wait before a retry, for each answer
// GitHub gives that asks for one, and the answers that are not retried.
func TestWhatEachAnswerWaitsFor(t *testing.T) {
	clock := newFakeClock()
	now := clock.Now()
	for _, c := range []struct {
		name   string
		first  answer
		waits  []time.Duration
		status int
	}{
		{"503 with Retry-After", answer{503, map[string]string{"Retry-After": "7"}, ""}, []time.Duration{7 * time.Second}, 200},
		{"503 with Retry-After 0", answer{503, map[string]string{"Retry-After": "0"}, ""}, []time.Duration{0}, 200},
		{"secondary limit with Retry-After 0", answer{403, map[string]string{"Retry-After": "0"}, ""}, []time.Duration{0}, 200},
		{"secondary limit with a date passed", answer{403, map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, ""}, []time.Duration{0}, 200},
		{"429 without Retry-After", answer{429, nil, `{"message":"Too Many Requests"}`}, []time.Duration{time.Minute}, 200},
		{"abuse detection", answer{403, nil, `{"message":"You have triggered an abuse detection mechanism."}`}, []time.Duration{time.Minute}, 200},
		{"quota spent until 10s on", answer{403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": fmt.Sprint(now.Add(10 * time.Second).Unix())}, ""}, []time.Duration{11 * time.Second}, 200},
		{"quota spent until a reset passed", answer{403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": fmt.Sprint(now.Add(-time.Minute).Unix())}, ""}, []time.Duration{time.Second}, 200},
		{"quota left", answer{403, map[string]string{"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": fmt.Sprint(now.Add(10 * time.Second).Unix())}, `{"message":"Forbidden"}`}, nil, 403},
		{"a plain 403", answer{403, nil, `{"message":"Resource not accessible by integration"}`}, nil, 403},
		{"404", answer{404, map[string]string{"Retry-After": "5"}, ""}, nil, 404},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, calls := serveAnswers(t, []answer{c.first})
			clock := newFakeClock()
			hc := &http.Client{Transport: NewTransport(nil, RetryPolicy{Now: clock.Now, Sleep: clock.Sleep})}
			resp, err := hc.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status || fmt.Sprint(clock.Sleeps()) != fmt.Sprint(c.waits) || *calls != 1+len(c.waits) {
				t.Errorf("%d after %d calls, waits %v; want %d, waits %v", resp.StatusCode, *calls, clock.Sleeps(), c.status, c.waits)
			}
			if c.status != 200 && string(body) != c.first.body {
				t.Errorf("body %q, want the answer's %q", body, c.first.body)
			}
		})
	}
}

// TestSpentAttemptsAreNotTheDeadline: retries that stop because the
// attempts ran out say so, not that the deadline came.
func TestSpentAttemptsAreNotTheDeadline(t *testing.T) {
	srv, calls := serveAnswers(t, []answer{{502, nil, ""}, {502, nil, ""}, {502, nil, ""}})
	clock := newFakeClock()
	hc := &http.Client{Transport: NewTransport(nil, RetryPolicy{Now: clock.Now, Sleep: clock.Sleep, MaxAttempts: 3})}
	_, err := hc.Get(srv.URL + "/x")
	if err == nil || !strings.Contains(err.Error(), "GitHub answered 502 Bad Gateway to GET /x after 3 attempts") || strings.Contains(err.Error(), "deadline") || *calls != 3 {
		t.Errorf("after %d calls: %v; want it to give up after 3 attempts", *calls, err)
	}
}

// TestTheDefaultsRetrySixTimesWithinFiveMinutes: a zero policy tries six
// times, backing off from about a second, doubling, and never waits past
// 30 seconds; the context's own deadline, when sooner, ends it.
func TestTheDefaultsRetrySixTimesWithinFiveMinutes(t *testing.T) {
	var answers []answer
	for range 10 {
		answers = append(answers, answer{500, nil, ""})
	}
	srv, calls := serveAnswers(t, answers)
	clock := newFakeClock()
	hc := &http.Client{Transport: NewTransport(nil, RetryPolicy{Now: clock.Now, Sleep: clock.Sleep, BaseDelay: 20 * time.Second})}
	if _, err := hc.Get(srv.URL); err == nil || *calls != DefaultMaxAttempts {
		t.Fatalf("%d calls, %v; want %d", *calls, err, DefaultMaxAttempts)
	}
	for i, d := range clock.Sleeps() {
		lo := min(16*time.Second<<i, 30*time.Second)
		if d < lo || d > 30*time.Second {
			t.Errorf("wait %d: %v, want between %v and 30s", i+1, d, lo)
		}
	}

	// A context that ends sooner than the policy's deadline ends the
	// retries first: a wait of about two hours is not begun an hour
	// before the context ends.
	srv, calls = serveAnswers(t, []answer{{500, nil, ""}, {500, nil, ""}})
	clock = &fakeClock{t: time.Now()}
	hc = &http.Client{Transport: NewTransport(nil, RetryPolicy{Now: clock.Now, Sleep: clock.Sleep,
		Deadline: clock.Now().Add(3 * time.Hour), BaseDelay: 2 * time.Hour, MaxDelay: 10 * time.Hour})}
	ctx, cancel := context.WithDeadline(context.Background(), clock.Now().Add(time.Hour))
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/x", nil)
	if _, err := hc.Do(req); err == nil || !strings.Contains(err.Error(), "after 1 attempts, at the retry deadline") || *calls != 1 {
		t.Errorf("%d calls, %v; want one, stopped at the deadline", *calls, err)
	}
}

// roundTripFunc is a RoundTripper that answers with a function: the
// network under Transport, for what a server cannot time.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestAnAnswerThatArrivesAsTheContextEndsIsKept: GitHub's answer, once
// it came, is returned even when the command is cancelled right after;
// only a request that failed is reported as cancelled.
func TestAnAnswerThatArrivesAsTheContextEndsIsKept(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		cancel()
		return &http.Response{StatusCode: 201, Body: io.NopCloser(strings.NewReader(`{}`)), Header: http.Header{}, Request: r}, nil
	})
	clock := newFakeClock()
	tr := NewTransport(base, RetryPolicy{Now: clock.Now, Sleep: clock.Sleep})
	req, _ := http.NewRequestWithContext(ctx, "POST", "https://api.github.com/x", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil || resp == nil || resp.StatusCode != 201 {
		t.Errorf("resp %v, err %v; want the 201 that came", resp, err)
	}
}

// TestBackoffJitterSpansTwentyPercent: each backoff lies within ±20% of
// BaseDelay·2^failures, and the jitter reaches both ends of that band.
func TestBackoffJitterSpansTwentyPercent(t *testing.T) {
	tr := NewTransport(nil, RetryPolicy{BaseDelay: time.Second, MaxDelay: time.Hour})
	for failures := range 3 {
		want := time.Second << failures
		lo, hi := 2*want, time.Duration(0)
		for range 2000 {
			d := tr.backoff(failures)
			lo, hi = min(lo, d), max(hi, d)
		}
		if lo < want*8/10 || hi > want*12/10 || lo > want*85/100 || hi < want*115/100 {
			t.Errorf("%d failures: backoffs from %v to %v, want them across %v ± 20%%", failures, lo, hi, want)
		}
	}
}

// TestWaitsAreShownRounded: a wait in the log is shown to the
// millisecond under a second, to the second up to ten minutes, and to
// the minute beyond.
func TestWaitsAreShownRounded(t *testing.T) {
	for d, want := range map[time.Duration]string{
		800400 * time.Microsecond:              "800ms",
		1500 * time.Millisecond:                "2s",
		9*time.Minute + 59600*time.Millisecond: "10m0s",
		10*time.Minute + 29*time.Second:        "10m0s",
		10*time.Minute + 31*time.Second:        "11m0s",
	} {
		if got := roundDuration(d).String(); got != want {
			t.Errorf("roundDuration(%v) = %s, want %s", d, got, want)
		}
	}
}
