package fakegithub

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Fault is a failure answered instead of a route's real response.
type Fault struct {
	status int
	header http.Header
	body   any
	// reset and retryAfter are resolved against the clock when answered.
	reset      time.Time
	resetIn    time.Duration
	retryAfter time.Duration
	primary    bool
}

// ServerError answers code (500, 502, 503, 504) with the HTML page
// GitHub's edge serves for it.
func ServerError(code int) Fault {
	page := fmt.Sprintf("<html><body><h1>%d %s</h1><p>GitHub is having trouble.</p></body></html>", code, http.StatusText(code))
	return Fault{status: code, header: http.Header{"Content-Type": {"text/html"}}, body: []byte(page)}
}

// NotFound answers 404 as GitHub does for what it does not know or the
// token cannot see: a deleted account, a comment already deleted.
func NotFound() Fault {
	return Fault{status: http.StatusNotFound, body: apiError("Not Found")}
}

// Forbidden answers 403 with msg and no rate-limit headers: a permission
// the token lacks.
func Forbidden(msg string) Fault {
	return Fault{status: http.StatusForbidden, body: apiError(msg)}
}

// SecondaryRateLimit answers 403 with GitHub's secondary-limit message and
// a Retry-After of d (whole seconds, at least 1).
func SecondaryRateLimit(d time.Duration) Fault {
	return Fault{status: http.StatusForbidden, retryAfter: d, body: map[string]any{
		"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
		"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
	}}
}

// TooManyRequests answers 429 with a Retry-After of d, as GitHub does for
// some secondary limits.
func TooManyRequests(d time.Duration) Fault {
	return Fault{status: http.StatusTooManyRequests, retryAfter: d, body: apiError("Too Many Requests")}
}

// PrimaryRateLimit answers 403 with X-RateLimit-Remaining: 0 and a reset
// d from now: the hourly quota is spent.
func PrimaryRateLimit(d time.Duration) Fault {
	return Fault{status: http.StatusForbidden, resetIn: d, primary: true, body: map[string]any{
		"message":           "API rate limit exceeded for user ID 1.",
		"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit",
	}}
}

// PrimaryRateLimitUntil is PrimaryRateLimit with an absolute reset time.
func PrimaryRateLimitUntil(reset time.Time) Fault {
	f := PrimaryRateLimit(0)
	f.reset = reset
	return f
}

func (f Fault) response(now time.Time) response {
	h := http.Header{}
	for k, vs := range f.header {
		h[k] = vs
	}
	if f.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int(math.Max(1, math.Ceil(f.retryAfter.Seconds())))))
	}
	if f.primary {
		reset := f.reset
		if reset.IsZero() {
			reset = now.Add(f.resetIn)
		}
		h.Set("X-RateLimit-Limit", "5000")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Used", "5000")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(reset), 10))
		h.Set("X-RateLimit-Resource", "core")
	}
	return response{status: f.status, header: h, body: f.body}
}

// ceilUnix rounds a time up to whole seconds, as GitHub's reset header
// never names a moment before the real reset.
func ceilUnix(t time.Time) int64 {
	u := t.Unix()
	if t.Nanosecond() > 0 {
		u++
	}
	return u
}

// rateState is the quota every ordinary response reports.
type rateState struct {
	limit, remaining int
	reset            time.Time
}

func (r *rateState) spend(now time.Time) {
	if !now.Before(r.reset) {
		r.remaining, r.reset = r.limit, now.Add(time.Hour)
	}
	if r.remaining > 1 {
		// Never reach 0 on an ordinary answer: only a PrimaryRateLimit
		// fault says the quota is spent.
		r.remaining--
	}
}

func (r *rateState) headers(h http.Header) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(r.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(r.remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(r.limit-r.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(r.reset), 10))
	h.Set("X-RateLimit-Resource", "core")
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
