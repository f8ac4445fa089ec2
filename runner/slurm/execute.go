package slurm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/assaylab/assay/runner"
)

// squeueGiveUp is how long squeue may keep failing before the batch stops
// following its jobs (which keep running; the next assay run adopts them).
const squeueGiveUp = 5 * time.Minute

// execution is one Execute call.
type execution struct {
	cfg   Config
	x     *Executor
	batch *runner.Batch
	sink  runner.Sink
	obs   runner.Observer
	obsMu sync.Mutex
	part  *partition
	// dir is the spool directory; root the repository root, absolute.
	dir, root string

	queue  []*pending
	flight []*attempt
	// cpuBusy counts CPU-only attempts in flight, against cfg.Parallel.
	cpuBusy int
	fatal   error
	// cancelling is set once the batch is being stopped: nothing more is
	// submitted, every job in flight has been scancelled.
	cancelling     bool
	cancelDeadline time.Time
	squeueFailing  time.Time
	// lastStates is when squeue was last asked: at most once per poll
	// interval, however often the spool is read.
	lastStates time.Time
	// finishing are attempts decided but not yet recorded; see flush.
	finishing []finishing
}

// pending is a job waiting to be submitted, and which attempt it will be.
type pending struct {
	job *runner.Job
	n   int
}

func (x *execution) observe(ev runner.Event) {
	if x.obs == nil {
		return
	}
	x.obsMu.Lock()
	defer x.obsMu.Unlock()
	x.obs.Observe(ev)
}

// Execute submits the batch and follows it; see runner.Executor. Jobs
// Check would refuse are not run. Jobs an earlier assay submitted for the
// same trials, and left running or unrecorded, are adopted, not submitted
// again.
func (e *Executor) Execute(ctx context.Context, b *runner.Batch, sink runner.Sink, obs runner.Observer) error {
	dir := e.cfg.SpoolDir
	if dir == "" {
		if b.StateDir == "" {
			return errors.New("slurm executor: the batch has no state directory and executor \"slurm\" has no spool_dir")
		}
		dir = filepath.Join(b.StateDir, "slurm")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create the slurm spool directory: %w; set spool_dir in executor \"slurm\" to a directory the compute nodes share", err)
	}
	root, err := filepath.Abs(b.Root)
	if err != nil {
		return err
	}
	part, err := e.partition(ctx)
	if err != nil {
		return err
	}
	refused := map[*runner.Job]bool{}
	for _, r := range e.Check(b.Jobs) {
		refused[r.Job] = true
	}
	x := &execution{cfg: e.cfg, x: e, batch: b, sink: sink, obs: obs, part: part, dir: dir, root: root}
	var jobs []*runner.Job
	for _, j := range b.Jobs {
		if !refused[j] {
			jobs = append(jobs, j)
		}
	}
	// Largest GPU need first: Slurm schedules in submission order, and a
	// big trial submitted last could wait behind every small one.
	sort.SliceStable(jobs, func(i, k int) bool { return jobs[i].Trial.Runner.GPUs > jobs[k].Trial.Runner.GPUs })
	for _, j := range jobs {
		x.queue = append(x.queue, &pending{job: j, n: 1})
	}
	if err := x.adopt(ctx); err != nil {
		return err
	}
	x.loop(ctx)
	return x.fatal
}

func (x *execution) loop(ctx context.Context) {
	tick := time.NewTicker(x.cfg.PollInterval)
	defer tick.Stop()
	for {
		if !x.cancelling && (ctx.Err() != nil || x.fatal != nil) {
			x.cancelAll()
		}
		more := false
		if !x.cancelling {
			more = x.submitReady(ctx)
		}
		if len(x.flight) == 0 && (x.cancelling || len(x.queue) == 0) {
			return
		}
		// With more to submit, look at the jobs in flight and go on
		// submitting; otherwise wait for the next poll.
		if !more {
			done := ctx.Done()
			if x.cancelling {
				done = nil
			}
			select {
			case <-tick.C:
			case <-done:
			}
		}
		x.poll()
	}
}

// cancelAll stops the batch: nothing more is submitted, and every job in
// flight is scancelled. They are recorded as Slurm reports them ended.
func (x *execution) cancelAll() {
	x.cancelling = true
	x.cancelDeadline = x.cfg.Now().Add(x.cfg.CancelWait)
	var ids []string
	for _, a := range x.flight {
		a.cancelled = true
		if a.jobID != "" {
			ids = append(ids, a.jobID)
		}
	}
	if len(ids) == 0 {
		return
	}
	if err := x.x.cmds.cancel(context.Background(), ids); err != nil {
		for _, a := range x.flight {
			a.warnings = append(a.warnings, fmt.Sprintf("scancel failed (%v); the job may still be running in Slurm as job %s", err, a.jobID))
		}
	}
}

// poll looks at every job in flight once: one squeue call for all of
// them, and each one's spool directory.
func (x *execution) poll() {
	defer x.flush()
	if time.Since(x.lastStates) < x.cfg.PollInterval {
		// squeue was asked a moment ago: only the spool, for the attempts
		// that ended on their own.
		for _, a := range append([]*attempt(nil), x.flight...) {
			x.followFiles(a)
		}
		return
	}
	x.lastStates = time.Now()
	var ids []string
	for _, a := range x.flight {
		if a.jobID != "" {
			ids = append(ids, a.jobID)
		}
	}
	states, err := x.x.cmds.states(context.Background(), ids)
	known := err == nil
	if err != nil {
		if x.squeueFailing.IsZero() {
			x.squeueFailing = x.cfg.Now()
		}
		if x.cfg.Now().Sub(x.squeueFailing) > squeueGiveUp && x.fatal == nil {
			x.fatal = fmt.Errorf("squeue has failed for %s (%v); the jobs go on in Slurm: run assay run again to adopt them once squeue answers", squeueGiveUp, err)
		}
	} else {
		x.squeueFailing = time.Time{}
	}
	for _, a := range append([]*attempt(nil), x.flight...) {
		x.follow(a, states, known)
	}
}

// endGrace is how long a job Slurm reports ended may take to show its
// exit file: on NFS a new file can take seconds to appear on another
// machine.
func (x *execution) endGrace() time.Duration {
	return max(2*x.cfg.PollInterval, 5*time.Second)
}

// followFiles is follow without Slurm's word: it notices a start, and
// finishes an attempt whose command ended by itself (not by a signal,
// which may be Slurm's).
func (x *execution) followFiles(a *attempt) {
	x.noticeStart(a)
	if end, err := readEnding(a.dir); err == nil && end != nil && !end.signalled() {
		x.finish(a, x.outcome(a, end, jobState{}, false))
	}
}

func (x *execution) noticeStart(a *attempt) {
	if a.start == nil {
		if s, err := readStarted(a.dir); err == nil && s != nil {
			a.start = s
			x.observe(runner.Event{Kind: runner.EventStarted, Job: a.job, Attempt: a.n, RunID: a.runID, Time: s.At, GPUs: a.gpus(), LogPath: a.logPath()})
		}
	}
}

// follow moves one attempt along: started, metrics, ended, lost.
func (x *execution) follow(a *attempt, states map[string]jobState, known bool) {
	now := x.cfg.Now()
	x.noticeStart(a)
	st, inSlurm := states[a.jobID]
	end, err := readEnding(a.dir)
	if err != nil {
		a.warnings = appendOnce(a.warnings, err.Error())
	}
	if known && inSlurm && st.requeued() && !a.cancelled {
		if end != nil && !end.signalled() {
			// The command had finished before Slurm requeued the job: keep
			// that result, and do not let the job run again.
			_ = x.x.cmds.cancel(context.Background(), []string{a.jobID})
			x.finish(a, x.outcome(a, end, jobState{}, false))
			return
		}
		x.lost(a, fmt.Sprintf("Slurm requeued job %s (%s)", a.jobID, describeState(st)))
		return
	}
	if end != nil {
		// A signal ended the trial, perhaps Slurm's: its final state
		// (CANCELLED, TIMEOUT, PREEMPTED, a requeue) says why, and comes a
		// moment later.
		if end.signalled() && known && inSlurm && !st.terminal() && a.waited(now) < x.endGrace() {
			return
		}
		if known && inSlurm && lostState(st.State) {
			x.lost(a, fmt.Sprintf("job %s ended %s", a.jobID, describeState(st)))
			return
		}
		x.finish(a, x.outcome(a, end, st, known && inSlurm))
		return
	}
	if known && (!inSlurm || st.terminal()) {
		switch {
		case inSlurm && lostState(st.State):
			x.lost(a, fmt.Sprintf("job %s ended %s", a.jobID, describeState(st)))
		case a.cancelled && a.start == nil && (!inSlurm || st.State == "CANCELLED"):
			// Cancelled before it ever ran: like a trial still queued in the
			// local executor, it leaves no record.
			x.drop(a)
		case a.waited(now) >= x.endGrace():
			x.finish(a, x.outcome(a, nil, st, inSlurm))
		}
		return
	}
	if x.cancelling && now.After(x.cancelDeadline) {
		x.finish(a, x.outcome(a, nil, st, known && inSlurm))
		return
	}
	if a.start != nil {
		x.pollMetrics(a)
	}
}

// lostState: the job did not end by itself but was lost with its node.
func lostState(s string) bool {
	switch s {
	case "NODE_FAIL", "PREEMPTED", "BOOT_FAIL":
		return true
	}
	return false
}

func describeState(s jobState) string {
	d := s.State
	if s.Reason != "" && s.Reason != "None" {
		d += ", reason " + s.Reason
	}
	return d
}

func appendOnce(ss []string, s string) []string {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

// remove takes an attempt out of flight.
func (x *execution) remove(a *attempt) {
	for i, f := range x.flight {
		if f == a {
			x.flight = append(x.flight[:i], x.flight[i+1:]...)
			break
		}
	}
	if a.job.Trial.Runner.GPUs == 0 {
		x.cpuBusy--
	}
	a.close()
}

// drop forgets an attempt that never ran.
func (x *execution) drop(a *attempt) {
	x.remove(a)
	os.RemoveAll(a.dir)
}

// lost handles a job that Slurm lost with its node, preempted or
// requeued: the job is cancelled so that it cannot run a second time under
// the same run id, and the trial is submitted afresh as its next attempt
// while its retries allow; otherwise it is recorded as failed.
func (x *execution) lost(a *attempt, why string) {
	if a.jobID != "" {
		_ = x.x.cmds.cancel(context.Background(), []string{a.jobID})
	}
	retries := a.job.Trial.Runner.Retries
	if x.cancelling || a.n > retries {
		o := x.outcome(a, nil, jobState{}, false)
		o.status, o.exitCode = runner.StatusFailed, -1
		o.err = fmt.Sprintf("lost: %s, and no retries are left (retries = %d)", why, retries)
		if x.cancelling {
			o.err = fmt.Sprintf("lost: %s while assay was stopping", why)
		}
		x.finish(a, o)
		return
	}
	res := a.newResult(x)
	res.Status, res.ExitCode = runner.StatusFailed, -1
	res.Error = fmt.Sprintf("lost: %s; submitted again as attempt %d", why, a.n+1)
	res.Finished = x.cfg.Now()
	x.remove(a)
	os.RemoveAll(a.dir)
	x.observe(runner.Event{Kind: runner.EventRetrying, Job: a.job, Attempt: a.n + 1, Time: res.Finished, Result: res})
	x.queue = append([]*pending{{job: a.job, n: a.n + 1}}, x.queue...)
}
