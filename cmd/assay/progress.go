package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/assaylab/assay/runner"
)

// progress shows a batch as it runs: a live view on a terminal, one line
// per state change elsewhere, and in GitHub Actions each finished trial's
// log tail folded in a ::group::. It is a runner.Observer.
type progress interface {
	runner.Observer
	// Close stops a live view and leaves the screen with the final lines.
	Close()
}

// progressState counts what the views show; the executor never calls
// Observe concurrently, and the live view's ticker takes mu.
type progressState struct {
	mu        sync.Mutex
	total     int
	started   time.Time
	running   map[*runner.Job]*runningTrial
	done      int
	failed    int
	durations []time.Duration
	now       func() time.Time
	// logDir finds a finished run's log once it is in the spool.
	logDir func(runID string) string
}

type runningTrial struct {
	job     *runner.Job
	attempt int
	since   time.Time
	gpus    []string
	metric  string
	value   float64
	hasVal  bool
}

func newProgressState(total int, now func() time.Time, logDir func(string) string) *progressState {
	return &progressState{total: total, started: now(), running: map[*runner.Job]*runningTrial{}, now: now, logDir: logDir}
}

// apply updates the counts for ev; mu is held.
func (s *progressState) apply(ev runner.Event) {
	switch ev.Kind {
	case runner.EventStarted:
		s.running[ev.Job] = &runningTrial{job: ev.Job, attempt: ev.Attempt, since: ev.Time, gpus: ev.GPUs}
	case runner.EventMetric:
		if r := s.running[ev.Job]; r != nil {
			r.metric, r.value, r.hasVal = ev.Metric, ev.Value, true
		}
	case runner.EventFinished:
		delete(s.running, ev.Job)
		s.durations = append(s.durations, time.Duration(ev.Result.DurationS*float64(time.Second)))
		switch st := ev.Result.Status; {
		case willRetry(ev):
			// Not over yet: the counter counts trials, each once, when they
			// end for good, so it never goes back.
		case st == runner.StatusSucceeded || st == runner.StatusStopped:
			s.done++
		default:
			s.failed++
		}
	case runner.EventRetrying:
		// A lost Slurm job is retried without a finished attempt.
		delete(s.running, ev.Job)
	}
}

// willRetry reports whether the executors run the trial of a finished
// attempt again: the rule both apply (a failure or timeout that got as far
// as starting its command, with retries left), unless the batch is being
// cancelled, which the counter cannot see and which ends the view anyway.
func willRetry(ev runner.Event) bool {
	r := ev.Result
	return r.Status.Retryable() && r.ExitCode != -1 && ev.Attempt <= ev.Job.Trial.Runner.Retries
}

func (s *progressState) queued() int { return s.total - s.done - s.failed - len(s.running) }

// eta guesses the time left from the mean duration of finished attempts
// and how many run side by side; "" until something has finished.
func (s *progressState) eta() string {
	if len(s.durations) == 0 || s.queued()+len(s.running) == 0 {
		return ""
	}
	var sum time.Duration
	for _, d := range s.durations {
		sum += d
	}
	mean := sum / time.Duration(len(s.durations))
	width := max(len(s.running), 1)
	left := time.Duration((s.queued()+len(s.running)+width-1)/width) * mean
	return "ETA ~" + shortDuration(left)
}

func (s *progressState) counts() string {
	parts := []string{fmt.Sprintf("%d running", len(s.running)), fmt.Sprintf("%d queued", s.queued()), fmt.Sprintf("%d done", s.done)}
	if s.failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", s.failed))
	}
	if eta := s.eta(); eta != "" {
		parts = append(parts, eta)
	}
	return strings.Join(parts, " · ")
}

// eventLine is the one line a state change prints.
func (s *progressState) eventLine(ev runner.Event) string {
	n := s.done + s.failed
	prefix := fmt.Sprintf("[%*d/%d]", len(fmt.Sprint(s.total)), n, s.total)
	switch ev.Kind {
	case runner.EventStarted:
		where := ""
		if len(ev.GPUs) > 0 {
			where = " on GPU " + strings.Join(ev.GPUs, ",")
		}
		return fmt.Sprintf("%s started   %s%s%s", prefix, ev.Job.Name(), attemptText(ev.Attempt), where)
	case runner.EventFinished:
		r := ev.Result
		line := fmt.Sprintf("%s %-9s %s%s in %s", prefix, r.Status, ev.Job.Name(), attemptText(ev.Attempt), shortDuration(time.Duration(r.DurationS*float64(time.Second))))
		if m := metricsText(r.Metrics, 3); m != "" {
			line += "  " + m
		}
		if r.Status != runner.StatusSucceeded {
			if r.Error != "" {
				line += "\n    " + r.Error
			} else {
				line += fmt.Sprintf("\n    exit code %d", r.ExitCode)
			}
			line += "\n    log: " + s.logDir(r.RunID)
		}
		return line
	case runner.EventRetrying:
		return fmt.Sprintf("%s retrying  %s (attempt %d of %d)", prefix, ev.Job.Name(), ev.Attempt, ev.Job.Trial.Runner.Retries+1)
	}
	return ""
}

func attemptText(n int) string {
	if n <= 1 {
		return ""
	}
	return fmt.Sprintf(" (attempt %d)", n)
}

// metricsText renders up to n metrics as name=value in name order.
func metricsText(m map[string]float64, n int) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for i, k := range names {
		if i == n {
			parts = append(parts, fmt.Sprintf("(+%d)", len(names)-n))
			break
		}
		parts = append(parts, fmt.Sprintf("%s=%.4g", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func shortDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

// lineProgress prints one line per state change: for CI logs and pipes.
// Inside GitHub Actions it also folds each finished trial's log tail into
// a group, and marks failures as error annotations.
type lineProgress struct {
	st      *progressState
	w       io.Writer
	actions bool
}

func (p *lineProgress) Observe(ev runner.Event) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.apply(ev)
	if ev.Kind == runner.EventMetric {
		return
	}
	if p.actions && ev.Kind == runner.EventFinished {
		p.group(ev)
		return
	}
	fmt.Fprintln(p.w, p.st.eventLine(ev))
}

// actionsTail is how much of a log a group shows: enough to see why a
// trial failed, little enough to keep the job log readable.
const actionsTail = 8 << 10

func (p *lineProgress) group(ev runner.Event) {
	r := ev.Result
	fmt.Fprintf(p.w, "::group::%s\n", escapeData(p.st.eventLine(ev)))
	if tail := logTail(ev.LogPath, actionsTail); tail != "" {
		// A log line that looks like a workflow command must not act as
		// one: stop command processing for the tail.
		token := "assay-" + r.RunID
		fmt.Fprintf(p.w, "::stop-commands::%s\n%s", token, tail)
		if !strings.HasSuffix(tail, "\n") {
			fmt.Fprintln(p.w)
		}
		fmt.Fprintf(p.w, "::%s::\n", token)
	}
	fmt.Fprintln(p.w, "::endgroup::")
	if r.Status != runner.StatusSucceeded && r.Status != runner.StatusStopped {
		msg := r.Error
		if msg == "" {
			msg = fmt.Sprintf("exit code %d", r.ExitCode)
		}
		// An attempt that will be retried is a warning: the trial may yet
		// succeed.
		level, title := "error", "assay: trial "+string(r.Status)
		if willRetry(ev) {
			level, title = "warning", title+", retrying"
		}
		fmt.Fprintf(p.w, "::%s title=%s::%s\n", level, escapeProperty(title), escapeData(ev.Job.Name()+": "+msg))
	}
}

func (p *lineProgress) Close() {}

// logTail returns the last n bytes of the file at path, from a line start.
func logTail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return ""
	}
	off := max(info.Size()-n, 0)
	buf := make([]byte, info.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
		return ""
	}
	s := string(buf)
	if off > 0 {
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		}
		s = "...\n" + s
	}
	return s
}
