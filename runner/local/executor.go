package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gpu"
)

// DefaultKillGrace is how long a stopped trial has between SIGTERM and
// SIGKILL: long enough for a training script to save a checkpoint.
const DefaultKillGrace = 10 * time.Second

// Config is what the local executor needs to know about this machine.
type Config struct {
	// GPUs are the devices trials may own.
	GPUs gpu.Inventory
	// Labels are what this machine offers.
	Labels []string
	// Parallel bounds concurrent CPU-only trials; 0 means the number of
	// cores.
	Parallel int
	// KillGrace is the time between SIGTERM and SIGKILL; 0 means
	// DefaultKillGrace.
	KillGrace time.Duration
	// Sampler measures GPU use while trials run; nil measures nothing.
	Sampler *gpu.Sampler
	// PollInterval is how often a running trial's metrics file is read
	// for progress; 0 means every second.
	PollInterval time.Duration
	// Environ is the environment trials inherit from; nil means assay's.
	Environ []string
	// Host names this machine in records; "" means os.Hostname.
	Host string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Supervisor is the command that starts the supervisor of a batch's
	// trials (SupervisorCommand), which ends each trial's whole process
	// tree with it, even when assay is killed; nil runs each trial as
	// assay's direct child in its own process group.
	Supervisor []string
}

// Executor runs trials on this machine.
type Executor struct {
	cfg Config
}

var _ runner.Executor = (*Executor)(nil)

// New returns a local executor, filling Config's defaults.
func New(cfg Config) *Executor {
	if cfg.Parallel <= 0 {
		cfg.Parallel = runtime.NumCPU()
	}
	if cfg.KillGrace <= 0 {
		cfg.KillGrace = DefaultKillGrace
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Environ == nil {
		cfg.Environ = os.Environ()
	}
	if cfg.Host == "" {
		cfg.Host, _ = os.Hostname()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.GPUs.Devices == nil {
		cfg.GPUs.Devices = []gpu.Device{}
	}
	return &Executor{cfg: cfg}
}

// Name is "local".
func (e *Executor) Name() string { return "local" }

// Parallel is the number of CPU slots in force.
func (e *Executor) Parallel() int { return e.cfg.Parallel }

// Check refuses jobs that need labels this machine does not offer or more
// GPUs than it has, since waiting would never make them fit.
func (e *Executor) Check(jobs []*runner.Job) []runner.Refusal {
	var out []runner.Refusal
	for _, j := range jobs {
		var reasons []string
		var missing []string
		for _, l := range j.Trial.Runner.Labels {
			if !contains(e.cfg.Labels, l) {
				missing = append(missing, l)
			}
		}
		if len(missing) > 0 {
			offers := "no labels"
			if len(e.cfg.Labels) > 0 {
				offers = strings.Join(e.cfg.Labels, ", ")
			}
			reasons = append(reasons, fmt.Sprintf("needs label%s %s, which this machine does not offer (it offers %s); add %s to executor \"local\" { labels = [...] } in assay.hcl, or set ASSAY_LABELS, if it has them",
				plural(len(missing)), strings.Join(missing, ", "), offers, them(len(missing))))
		}
		if n, have := j.Trial.Runner.GPUs, len(e.cfg.GPUs.Devices); n > have {
			reasons = append(reasons, fmt.Sprintf("needs %d GPU%s but this machine has %s", n, plural(n), e.describeGPUs()))
		}
		if len(reasons) > 0 {
			out = append(out, runner.Refusal{Job: j, Reason: strings.Join(reasons, "; and it ")})
		}
	}
	return out
}

func (e *Executor) describeGPUs() string {
	inv := e.cfg.GPUs
	switch {
	case len(inv.Devices) == 0 && (inv.Source == "none" || inv.Source == ""):
		return `none (nvidia-smi was not found; set ASSAY_GPUS=0,1 or executor "local" { gpus = ["0", "1"] } if it has GPUs)`
	case len(inv.Devices) == 0:
		return fmt.Sprintf("none (from %s)", inv.Source)
	default:
		return fmt.Sprintf("%d (%s, from %s)", len(inv.Devices), strings.Join(inv.IDs(), ", "), inv.Source)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func them(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// execution is one Execute call.
type execution struct {
	cfg   Config
	batch *runner.Batch
	sink  runner.Sink
	obs   runner.Observer
	obsMu sync.Mutex
	// The batch's supervisor, started with the first trial.
	supOnce sync.Once
	sup     *supervisor
	supErr  error
}

// supervisor returns the batch's supervisor, starting it the first time;
// nil without Config.Supervisor.
func (x *execution) supervisor() (*supervisor, error) {
	if x.cfg.Supervisor == nil {
		return nil, nil
	}
	x.supOnce.Do(func() { x.sup, x.supErr = startSupervisor(x.cfg.Supervisor, x.cfg.KillGrace) })
	return x.sup, x.supErr
}

func (x *execution) observe(ev runner.Event) {
	if x.obs == nil {
		return
	}
	x.obsMu.Lock()
	defer x.obsMu.Unlock()
	x.obs.Observe(ev)
}

// done is what an attempt's goroutine sends back.
type done struct {
	p    *pending
	gpus []string
	run  *runner.Run
	err  error
}

// Execute runs the batch; see runner.Executor. Jobs Check would refuse
// are not run.
func (e *Executor) Execute(ctx context.Context, b *runner.Batch, sink runner.Sink, obs runner.Observer) error {
	if b.StateDir == "" {
		return errors.New("local executor: the batch has no state directory")
	}
	if err := os.MkdirAll(filepath.Join(b.StateDir, "runs"), 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", b.StateDir, err)
	}
	refused := map[*runner.Job]bool{}
	for _, r := range e.Check(b.Jobs) {
		refused[r.Job] = true
	}
	var jobs []*runner.Job
	for _, j := range b.Jobs {
		if !refused[j] {
			jobs = append(jobs, j)
		}
	}
	x := &execution{cfg: e.cfg, batch: b, sink: sink, obs: obs}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	samplerCtx, stopSampler := context.WithCancel(context.Background())
	defer stopSampler()
	go e.cfg.Sampler.Run(samplerCtx)

	q := newQueue(jobs)
	s := newSlots(e.cfg.GPUs.IDs(), e.cfg.Parallel)
	results := make(chan done)
	running := 0
	var fatal error
	for {
		for ctx.Err() == nil {
			p, gpus := q.next(s)
			if p == nil {
				break
			}
			running++
			go func() {
				a := &attempt{x: x, job: p.job, n: p.attempt, gpus: gpus}
				run := a.run(ctx)
				err := x.record(run, a)
				results <- done{p: p, gpus: gpus, run: run, err: err}
			}()
		}
		if running == 0 {
			break
		}
		d := <-results
		running--
		s.release(d.gpus)
		if d.err != nil {
			if fatal == nil {
				fatal = d.err
			}
			cancel() // stop everything: a result that cannot be kept must not be followed by more
			continue
		}
		res := d.run.Result
		if ctx.Err() == nil && res.Status.Retryable() && res.ExitCode != -1 && d.p.attempt <= d.p.job.Trial.Runner.Retries {
			x.observe(runner.Event{Kind: runner.EventRetrying, Job: d.p.job, Attempt: d.p.attempt + 1, Time: e.cfg.Now(), Result: res})
			q.pushFront(&pending{job: d.p.job, attempt: d.p.attempt + 1})
		}
	}
	if x.sup != nil {
		x.sup.close()
	}
	return fatal
}

// record hands a finished attempt to the sink, reports it, and removes
// the working files the sink now holds.
func (x *execution) record(run *runner.Run, a *attempt) error {
	// Recording must happen even when the batch was cancelled: that is
	// when the cancelled records are written.
	if err := x.sink.Record(context.WithoutCancel(context.Background()), run); err != nil {
		return fmt.Errorf("cannot save the result of %s (run %s): %w; its log is at %s", a.job.Name(), run.Result.RunID, err, run.LogPath)
	}
	x.observe(runner.Event{Kind: runner.EventFinished, Job: a.job, Attempt: a.n, RunID: run.Result.RunID, Time: run.Result.Finished, GPUs: a.gpus, LogPath: run.LogPath, Result: run.Result})
	if a.dir != "" {
		os.RemoveAll(a.dir)
	}
	return nil
}
