package slurm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/collect"
)

// outcome is how an attempt ended, before it becomes a record.
type outcome struct {
	status   runner.Status
	exitCode int
	err      string
	finished time.Time
}

// outcome decides how an attempt ended. The exit file is the truth about
// the command (it ran, and exited so); Slurm's job state is the truth
// about what stopped it (CANCELLED, TIMEOUT, OUT_OF_MEMORY).
func (x *execution) outcome(a *attempt, end *ending, st jobState, stateKnown bool) outcome {
	if a.start == nil {
		a.start, _ = readStarted(a.dir)
	}
	o := outcome{exitCode: -1, finished: x.cfg.Now()}
	if end != nil {
		o.exitCode = end.ExitCode
		if !end.Finished.IsZero() {
			o.finished = end.Finished
		}
	}
	state := ""
	if stateKnown {
		state = st.State
	}
	job := "job " + a.jobID
	switch {
	case end != nil && end.NotStarted != "":
		o.status, o.exitCode, o.err = runner.StatusFailed, -1, notStartedReason(a, end.NotStarted)
	case a.cancelled && !(end != nil && !end.Term && end.ExitCode == 0):
		// (A trial that succeeded on its own as assay was stopping keeps
		// its success. Any other ending is the cancellation's: Slurm
		// signals a job's processes one by one, so the wrapper may see the
		// trial die of SIGTERM before it hears of the signal itself.)
		o.status, o.err = runner.StatusCancelled, fmt.Sprintf("cancelled: assay was interrupted; scancel stopped %s", job)
		if a.start == nil {
			o.err += " before it started"
		}
	case state == "CANCELLED":
		o.status, o.err = runner.StatusCancelled, fmt.Sprintf("cancelled in Slurm: %s was scancelled from outside assay", job)
		if a.start == nil {
			o.err += " before it started"
		}
	case state == "TIMEOUT":
		o.status = runner.StatusTimedOut
		o.err = fmt.Sprintf("timed out: Slurm stopped %s at its time limit (--time=%s minutes)", job, timeLimit(a.job.Trial.Runner.Timeout, x.cfg.KillGrace))
	case end != nil && end.TimedOut:
		o.status = runner.StatusTimedOut
		o.err = fmt.Sprintf("timed out after %s (the runner's timeout)%s", a.job.Trial.Runner.Timeout, stoppedHow(end.Killed, x.cfg.KillGrace))
	case state == "OUT_OF_MEMORY":
		o.status = runner.StatusFailed
		o.err = fmt.Sprintf("out of memory: Slurm stopped %s for using more memory than it was given; ask for more with extra_args = [\"--mem=...\"] in executor \"slurm\"", job)
	case state == "DEADLINE":
		o.status, o.err = runner.StatusFailed, fmt.Sprintf("Slurm stopped %s at its deadline", job)
	case end == nil:
		o.status = runner.StatusFailed
		how := "is gone from Slurm"
		if state != "" {
			how = "ended (" + describeState(st) + ")"
		}
		o.err = fmt.Sprintf("%s %s without writing %s; the node may not see spool directory %s (spool_dir must be shared with the compute nodes), or the job was killed before the trial ended; see its log",
			job, how, filepath.Join(a.dir, exitName), x.dir)
	case end.Term:
		o.status = runner.StatusCancelled
		o.err = fmt.Sprintf("stopped by Slurm: %s got SIGTERM (scancel, preemption or its time limit) and its final state was not seen", job)
	case end.ExitCode == 0:
		o.status = runner.StatusSucceeded
	default:
		o.status = runner.StatusFailed
		if end.ExitCode > 128 && end.ExitCode <= 128+64 {
			o.err = fmt.Sprintf("killed by signal (%s)", syscall.Signal(end.ExitCode-128))
		}
	}
	return o
}

func notStartedReason(a *attempt, kind string) string {
	name := ""
	if len(a.job.Trial.Command) > 0 {
		name = a.job.Trial.Command[0]
	}
	host := "its node"
	if a.start != nil && a.start.Host != "" {
		host = "node " + a.start.Host
	}
	switch kind {
	case "workdir":
		return workdirMissing(a) + " (as " + host + " sees it)"
	case "notexec":
		return fmt.Sprintf("command %q is not executable; run chmod +x on it, or put its interpreter first, as in [\"python3\", %q]", name, name)
	case "isdir":
		return fmt.Sprintf("command %q is a directory", name)
	}
	if strings.Contains(name, "/") {
		return fmt.Sprintf("command %q not found in the workdir on %s", name, host)
	}
	return fmt.Sprintf("command %q not found on PATH on %s; install it there, or fix command in the spec", name, host)
}

func stoppedHow(killed bool, grace time.Duration) string {
	if killed {
		return fmt.Sprintf("; it ignored SIGTERM and was killed with SIGKILL after %s", grace)
	}
	return "; stopped with SIGTERM"
}

// finishing is an attempt whose outcome is decided, on its way to the
// sink.
type finishing struct {
	a   *attempt
	o   outcome
	run *runner.Run
	err error
}

// collectWorkers bounds the attempts read from the spool at once.
const collectWorkers = 8

// finish takes an attempt out of flight with its outcome; flush records
// it.
func (x *execution) finish(a *attempt, o outcome) {
	x.remove(a)
	x.finishing = append(x.finishing, finishing{a: a, o: o})
}

// flush records the attempts finish took: each one's result, metrics,
// artifacts and GPU use are read from its spool directory (several at
// once), and then, in order, it goes to the sink, is reported, its
// directory removed, and a failure retried while retries allow. The sink
// sees one call at a time.
func (x *execution) flush() {
	if len(x.finishing) == 0 {
		return
	}
	fs := x.finishing
	x.finishing = nil
	sem := make(chan struct{}, collectWorkers)
	var wg sync.WaitGroup
	for i := range fs {
		wg.Add(1)
		sem <- struct{}{}
		go func(f *finishing) {
			defer func() { <-sem; wg.Done() }()
			f.run = x.collect(f.a, f.o)
		}(&fs[i])
	}
	wg.Wait()
	for _, f := range fs {
		a, res := f.a, f.run.Result
		// Recording happens even when the batch was cancelled: that is when
		// the cancelled records are written.
		if x.fatal == nil {
			f.err = x.sink.Record(context.WithoutCancel(context.Background()), f.run)
		} else {
			f.err = x.fatal
		}
		if f.err != nil {
			if x.fatal == nil {
				x.fatal = fmt.Errorf("cannot save the result of %s (run %s): %w; its files are in %s", a.job.Name(), res.RunID, f.err, a.dir)
			}
			continue
		}
		x.observe(runner.Event{Kind: runner.EventFinished, Job: a.job, Attempt: a.n, RunID: res.RunID, Time: res.Finished, GPUs: res.GPUs, LogPath: f.run.LogPath, Result: res})
		os.RemoveAll(a.dir)
		if !x.cancelling && x.fatal == nil && res.Status.Retryable() && res.ExitCode != -1 && a.n <= a.job.Trial.Runner.Retries {
			x.observe(runner.Event{Kind: runner.EventRetrying, Job: a.job, Attempt: a.n + 1, Time: x.cfg.Now(), Result: res})
			x.queue = append([]*pending{{job: a.job, n: a.n + 1}}, x.queue...)
		}
	}
}

// collect builds an attempt's run from its spool directory.
func (x *execution) collect(a *attempt, o outcome) *runner.Run {
	res := a.newResult(x)
	res.Status, res.ExitCode, res.Error = o.status, o.exitCode, o.err
	res.Finished = o.finished
	if res.Finished.Before(res.Started) {
		res.Finished = res.Started
	}
	res.DurationS = res.Finished.Sub(res.Started).Seconds()
	run := &runner.Run{Result: res, Series: map[string][]runner.Point{}, LogPath: a.logPath()}
	if res.Error != "" {
		if f, err := os.OpenFile(a.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
			fmt.Fprintf(f, "\nassay: %s\n", res.Error)
			f.Close()
		}
	}
	if a.coll != nil {
		if a.scan != nil {
			a.scan.finish()
		}
		out := a.coll.Finish()
		res.Metrics = out.Summaries
		res.Warnings = append(res.Warnings, out.Warnings...)
		run.Series = out.Series
	}
	if res.Metrics == nil {
		res.Metrics = map[string]float64{}
	}
	if len(res.GPUs) > 0 {
		readGPUUse(a.dir, res)
	}
	workdir := filepath.Join(x.root, filepath.FromSlash(a.job.Trial.Workdir))
	if info, err := os.Stat(workdir); err != nil || !info.IsDir() || a.start == nil {
		workdir = "" // the trial never ran there: nothing to collect from it
	}
	collect.Finish(run, a.job, workdir, filepath.Join(a.dir, artifactsName))
	// Slurm wrote the log as the job printed it; the run leaves here with
	// every secret value masked, in the log too.
	x.batch.Mask.Run(run)
	return run
}
