package slurm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/assaylab/assay/runner"
)

// submitWorkers bounds the sbatch calls in flight at once. Each is one
// round trip to slurmctld; a few at a time submit a sweep several times
// faster than one by one, without crowding the controller.
const submitWorkers = 8

// submission is one attempt on its way to sbatch.
type submission struct {
	a    *attempt
	af   *attemptFile
	env  []string
	args []string
	id   string
	err  error
}

// submitReady submits what the CPU bound allows, for at most one poll
// interval, so that a long queue does not keep finished jobs waiting; it
// reports whether it stopped with more it could submit. Jobs go in queue
// order (largest GPU need first), several at a time among jobs of the
// same need: Slurm orders jobs by submission, and within a group the
// order does not matter.
func (x *execution) submitReady(ctx context.Context) bool {
	defer x.flush()
	start := time.Now()
	var ready, left []*pending
	budget := x.cpuBusy
	for _, p := range x.queue {
		if p.job.Trial.Runner.GPUs == 0 && x.cfg.Parallel > 0 {
			if budget >= x.cfg.Parallel {
				left = append(left, p)
				continue
			}
			budget++
		}
		ready = append(ready, p)
	}
	for len(ready) > 0 {
		if ctx.Err() != nil || x.fatal != nil || time.Since(start) > x.cfg.PollInterval {
			break
		}
		n := 1
		for n < len(ready) && n < submitWorkers && ready[n].job.Trial.Runner.GPUs == ready[0].job.Trial.Runner.GPUs {
			n++
		}
		x.submitGroup(ctx, ready[:n])
		ready = ready[n:]
	}
	// What was not submitted keeps its place at the front.
	x.queue = append(append([]*pending(nil), ready...), left...)
	return len(ready) > 0 && ctx.Err() == nil && x.fatal == nil
}

// submitGroup prepares each job's spool directory, runs their sbatch
// calls concurrently, and takes the answers in order.
func (x *execution) submitGroup(ctx context.Context, ps []*pending) {
	var subs []*submission
	for _, p := range ps {
		if s := x.prepare(p); s != nil {
			subs = append(subs, s)
		}
	}
	var wg sync.WaitGroup
	for _, s := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.id, s.err = x.sbatch(ctx, s.env, s.args)
		}()
	}
	wg.Wait()
	for _, s := range subs {
		x.submitted(s)
	}
}

// prepare writes an attempt's spool directory and wrapper script. It
// returns nil when the trial cannot start (no workdir, no command), which
// is recorded at once.
func (x *execution) prepare(p *pending) *submission {
	t := p.job.Trial
	now := x.cfg.Now()
	a := &attempt{job: p.job, n: p.n, runID: runner.NewRunID(now), submitted: now}
	a.dir = filepath.Join(x.dir, a.runID)
	x.flight = append(x.flight, a)
	if t.Runner.GPUs == 0 {
		x.cpuBusy++
	}
	notStarted := func(why string) *submission {
		x.notStarted(a, why)
		return nil
	}
	// The directory is the user's alone: the log in it is the job's output
	// as printed, secrets and all, until the run is recorded masked.
	err := os.MkdirAll(x.dir, 0o755)
	if err == nil {
		err = os.Mkdir(a.dir, 0o700)
	}
	if err == nil {
		err = os.Mkdir(filepath.Join(a.dir, artifactsName), 0o755)
	}
	if err != nil {
		return notStarted(fmt.Sprintf("cannot create the run's spool directory: %v", err))
	}
	for _, name := range []string{logName, metricsName} {
		if err := os.WriteFile(filepath.Join(a.dir, name), nil, 0o644); err != nil {
			return notStarted(fmt.Sprintf("cannot create the run's %s: %v", name, err))
		}
	}
	workdir := filepath.Join(x.root, filepath.FromSlash(t.Workdir))
	if info, err := os.Stat(workdir); err != nil || !info.IsDir() {
		return notStarted(workdirMissing(a))
	}
	if len(t.Command) == 0 {
		return notStarted("the trial has an empty command")
	}
	if err := a.openCollector(); err != nil {
		return notStarted(err.Error())
	}
	env, missing, withheld := inheritedEnv(x.cfg.Environ, t, x.batch.Secrets, x.batch.Withheld)
	for _, k := range missing {
		a.warnings = append(a.warnings, fmt.Sprintf("secret_env %s is not set in assay's environment (nor in %s), so the trial did not get it", k, runner.SecretsEnv))
	}
	for _, k := range withheld {
		a.warnings = append(a.warnings, fmt.Sprintf("secret_env %s holds assay's own credentials (for its artifact store), which never reach a trial; give the trial a key of its own under another name", k))
	}
	var exports [][2]string
	for _, kv := range specEnv(t) {
		if !shellName(kv[0]) {
			a.warnings = append(a.warnings, fmt.Sprintf("env %q is not a name a shell can export, so the trial did not get it", kv[0]))
			continue
		}
		exports = append(exports, kv)
	}
	params := t.ParamsJSON
	if params == "" {
		params = "{}"
	}
	exports = append(exports,
		[2]string{"ASSAY_RUN_ID", a.runID},
		[2]string{"ASSAY_TRIAL_KEY", t.Key},
		[2]string{"ASSAY_EXPERIMENT", t.Experiment},
		[2]string{"ASSAY_SEED", strconv.FormatInt(t.Seed, 10)},
		[2]string{"ASSAY_PARAMS", params},
		[2]string{"ASSAY_ATTEMPT", strconv.Itoa(a.n)},
		[2]string{"ASSAY_METRICS_FILE", filepath.Join(a.dir, metricsName)},
		[2]string{"ASSAY_ARTIFACTS_DIR", filepath.Join(a.dir, artifactsName)},
	)
	w := &wrapper{
		Title:       fmt.Sprintf("%s, run %s, attempt %d", a.job.Name(), a.runID, a.n),
		Dir:         a.dir,
		Workdir:     workdir,
		Argv:        t.Command,
		Exports:     exports,
		CPUOnly:     t.Runner.GPUs == 0,
		Timeout:     t.Runner.Timeout,
		Grace:       x.cfg.KillGrace,
		SampleEvery: x.cfg.GPUSampleInterval,
	}
	script := filepath.Join(a.dir, scriptName)
	if err := os.WriteFile(script, []byte(w.script()), 0o755); err != nil {
		return notStarted(fmt.Sprintf("cannot write the job script: %v", err))
	}
	af := &attemptFile{RunID: a.runID, TrialKey: t.Key, Experiment: t.Experiment, Attempt: a.n, Submitted: now}
	if err := writeAttempt(a.dir, af); err != nil {
		return notStarted(fmt.Sprintf("cannot write %s: %v", attemptName, err))
	}
	return &submission{a: a, af: af, env: env, args: x.sbatchArgs(a, script)}
}

// submitted takes sbatch's answer for one attempt.
func (x *execution) submitted(s *submission) {
	a := s.a
	switch {
	case s.err != nil && transient(s.err):
		x.remove(a)
		os.RemoveAll(a.dir)
		if x.fatal == nil {
			x.fatal = fmt.Errorf("cannot submit %s: %v; is slurmctld up? (scontrol ping)", a.job.Name(), s.err)
		}
		return
	case s.err != nil:
		x.notStarted(a, fmt.Sprintf("sbatch refused the job: %v; fix executor \"slurm\" in assay.hcl (partition, account, qos, extra_args) or the trial's runner block", s.err))
		return
	}
	a.jobID = s.id
	s.af.JobID = s.id
	if err := writeAttempt(a.dir, s.af); err != nil {
		a.warnings = append(a.warnings, fmt.Sprintf("cannot record the job id in %s: %v; a later assay run could not adopt it", attemptName, err))
	}
}

// notStarted records an attempt that never reached Slurm.
func (x *execution) notStarted(a *attempt, why string) {
	o := x.outcome(a, nil, jobState{}, false)
	o.status, o.exitCode, o.err = runner.StatusFailed, -1, why
	x.finish(a, o)
}

// sbatch submits, trying again while the controller is briefly
// unreachable (sbatch itself waits out a busy one).
func (x *execution) sbatch(ctx context.Context, env, args []string) (string, error) {
	var err error
	for i, wait := 0, time.Second; i < 4; i, wait = i+1, wait*2 {
		var id string
		if id, err = x.x.cmds.submit(ctx, env, args); err == nil || !transient(err) {
			return id, err
		}
		select {
		case <-ctx.Done():
			return "", err
		case <-time.After(wait):
		}
	}
	return "", err
}

// sbatchArgs is the command line for one attempt.
func (x *execution) sbatchArgs(a *attempt, script string) []string {
	t := a.job.Trial
	args := []string{
		"--parsable",
		"--job-name=" + jobName(a),
		// sbatch expands %j and the like in --output; %% is a plain %.
		"--output=" + strings.ReplaceAll(a.logPath(), "%", "%%"),
		"--open-mode=append",
		"--chdir=" + a.dir,
		"--export=ALL",
	}
	for _, fv := range [][2]string{{"--partition", x.cfg.Partition}, {"--account", x.cfg.Account}, {"--qos", x.cfg.QOS}} {
		if fv[1] != "" {
			args = append(args, fv[0]+"="+fv[1])
		}
	}
	if t.Runner.Timeout > 0 {
		args = append(args, "--time="+timeLimit(t.Runner.Timeout, x.cfg.KillGrace))
	}
	if n := t.Runner.GPUs; n > 0 {
		if _, typ := x.x.gresType(a.job); typ != "" {
			args = append(args, fmt.Sprintf("--gres=gpu:%s:%d", typ, n))
		} else {
			args = append(args, fmt.Sprintf("--gres=gpu:%d", n))
		}
	}
	var features []string
	for _, l := range t.Runner.Labels {
		if x.part != nil && contains(x.part.Features, l) && !contains(features, l) {
			features = append(features, l)
		}
	}
	if len(features) > 0 {
		args = append(args, "--constraint="+strings.Join(features, "&"))
	}
	args = append(args, x.cfg.ExtraArgs...)
	return append(args, script)
}

// timeLimit is the job's --time, in whole minutes (Slurm's unit): the
// trial's timeout and the wrapper's kill grace, plus a minute, so that
// the wrapper's own, exact timeout always acts first and Slurm's limit is
// only the backstop.
func timeLimit(timeout, grace time.Duration) string {
	total := timeout + grace + time.Minute
	return strconv.FormatInt(int64((total+time.Minute-1)/time.Minute), 10)
}

// jobName is what squeue shows: assay, the experiment and the trial key.
func jobName(a *attempt) string {
	name := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, a.job.Trial.Experiment)
	key := a.job.Trial.Key
	if len(key) > 8 {
		key = key[:8]
	}
	return "assay-" + name + "-" + key
}

func workdirMissing(a *attempt) string {
	where := ""
	if a.job.SpecFile != "" {
		where = " (set in " + a.job.SpecFile + ")"
	}
	return fmt.Sprintf("workdir %q does not exist%s; create it or fix workdir in the spec", a.job.Trial.Workdir, where)
}
