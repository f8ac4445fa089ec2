package slurm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/metrics"
)

// attempt is one submission of one job, followed until it is recorded.
type attempt struct {
	job       *runner.Job
	n         int
	runID     string
	dir       string
	jobID     string
	submitted time.Time
	// start is the wrapper's started file, once it exists.
	start *started
	coll  *metrics.Collector
	// scan feeds the log to pattern metrics, when there are any.
	scan *logScanner
	// endSeen is when the job was first seen ended without its exit file.
	endSeen time.Time
	// cancelled is set once assay has scancelled the job.
	cancelled bool
	warnings  []string
	// lastShown is the metric value progress last saw.
	shown     bool
	lastShown float64
}

func (a *attempt) logPath() string { return filepath.Join(a.dir, logName) }

// gpus are the devices Slurm gave a GPU trial.
func (a *attempt) gpus() []string {
	if a.start == nil || a.job.Trial.Runner.GPUs == 0 {
		return nil
	}
	return a.start.GPUs
}

// waited is how long the job has been seen ended without a result.
func (a *attempt) waited(now time.Time) time.Duration {
	if a.endSeen.IsZero() {
		a.endSeen = now
	}
	return now.Sub(a.endSeen)
}

func (a *attempt) close() {
	if a.scan != nil {
		a.scan.close()
	}
}

// openCollector starts reading the attempt's metrics file and, for
// pattern metrics, its log.
func (a *attempt) openCollector() error {
	coll, err := metrics.NewCollector(a.job.Metrics, filepath.Join(a.dir, metricsName))
	if err != nil {
		return err
	}
	a.coll = coll
	if coll.HasPatterns() {
		a.scan = newLogScanner(a.logPath(), coll.ScanLine)
	}
	return nil
}

// newResult is the record's identity part, as far as it is known.
func (a *attempt) newResult(x *execution) *runner.Result {
	t := a.job.Trial
	labels := t.Runner.Labels
	if labels == nil {
		labels = []string{}
	}
	params := t.Params
	if params == nil {
		params = map[string]any{}
	}
	res := &runner.Result{
		Schema:       runner.ResultSchema,
		RunID:        a.runID,
		TrialKey:     t.Key,
		Experiment:   t.Experiment,
		Params:       params,
		Seed:         t.Seed,
		Attempt:      a.n,
		Metrics:      map[string]float64{},
		Started:      a.submitted,
		Command:      t.Command,
		Workdir:      t.Workdir,
		Labels:       labels,
		GPUs:         a.gpus(),
		Executor:     "slurm",
		SourceCommit: x.batch.SourceCommit,
		Trigger:      x.batch.Trigger,
		PR:           x.batch.PR,
		Warnings:     append([]string(nil), a.warnings...),
	}
	if a.start != nil {
		res.Started = a.start.At
		res.System.Host = a.start.Host
		res.System.OS = a.start.OS
	}
	return res
}

// submit prepares an attempt's spool directory and hands it to sbatch.
// A trial that cannot be submitted is recorded as failed to start.
func (x *execution) submit(ctx context.Context, p *pending) {
	t := p.job.Trial
	now := x.cfg.Now()
	a := &attempt{job: p.job, n: p.n, runID: runner.NewRunID(now), submitted: now}
	a.dir = filepath.Join(x.dir, a.runID)
	x.flight = append(x.flight, a)
	if t.Runner.GPUs == 0 {
		x.cpuBusy++
	}
	notStarted := func(why string) {
		o := x.outcome(a, nil, jobState{}, false)
		o.status, o.exitCode, o.err = runner.StatusFailed, -1, why
		x.finish(a, o)
	}
	if err := os.MkdirAll(filepath.Join(a.dir, artifactsName), 0o755); err != nil {
		notStarted(fmt.Sprintf("cannot create the run's spool directory: %v", err))
		return
	}
	for _, name := range []string{logName, metricsName} {
		if err := os.WriteFile(filepath.Join(a.dir, name), nil, 0o644); err != nil {
			notStarted(fmt.Sprintf("cannot create the run's %s: %v", name, err))
			return
		}
	}
	workdir := filepath.Join(x.root, filepath.FromSlash(t.Workdir))
	if info, err := os.Stat(workdir); err != nil || !info.IsDir() {
		notStarted(workdirMissing(a))
		return
	}
	if len(t.Command) == 0 {
		notStarted("the trial has an empty command")
		return
	}
	if err := a.openCollector(); err != nil {
		notStarted(err.Error())
		return
	}
	env, missing := inheritedEnv(x.cfg.Environ, t)
	for _, k := range missing {
		a.warnings = append(a.warnings, fmt.Sprintf("secret_env %s is not set in assay's environment, so the trial did not get it", k))
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
		notStarted(fmt.Sprintf("cannot write the job script: %v", err))
		return
	}
	af := &attemptFile{RunID: a.runID, TrialKey: t.Key, Experiment: t.Experiment, Attempt: a.n, Submitted: now}
	if err := writeAttempt(a.dir, af); err != nil {
		notStarted(fmt.Sprintf("cannot write %s: %v", attemptName, err))
		return
	}
	id, err := x.sbatch(ctx, env, x.sbatchArgs(a, script))
	switch {
	case err != nil && transient(err):
		x.remove(a)
		os.RemoveAll(a.dir)
		if x.fatal == nil {
			x.fatal = fmt.Errorf("cannot submit %s: %v; is slurmctld up? (scontrol ping)", a.job.Name(), err)
		}
		return
	case err != nil:
		notStarted(fmt.Sprintf("sbatch refused the job: %v; fix executor \"slurm\" in assay.hcl (partition, account, qos, extra_args) or the trial's runner block", err))
		return
	}
	a.jobID = id
	af.JobID = id
	if err := writeAttempt(a.dir, af); err != nil {
		a.warnings = append(a.warnings, fmt.Sprintf("cannot record the job id in %s: %v; a later assay run could not adopt it", attemptName, err))
	}
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
		"--output=" + a.logPath(),
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

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// pollMetrics reads what the trial added to its metrics file and log, and
// reports the metric progress shows.
func (x *execution) pollMetrics(a *attempt) {
	if a.coll == nil {
		return
	}
	if a.scan != nil {
		a.scan.read()
	}
	updated := a.coll.Poll()
	if x.obs == nil {
		return
	}
	name := displayMetric(a.job)
	if name == "" && len(updated) > 0 {
		name = updated[0]
	}
	if name == "" {
		return
	}
	if v, ok := a.coll.Latest(name); ok && (!a.shown || v != a.lastShown || contains(updated, name)) {
		a.shown, a.lastShown = true, v
		x.observe(runner.Event{Kind: runner.EventMetric, Job: a.job, Attempt: a.n, RunID: a.runID, Time: x.cfg.Now(), GPUs: a.gpus(), Metric: name, Value: v})
	}
}

// displayMetric is the metric progress shows for a job, chosen as the
// local executor chooses it: the primary one, else the first with a goal,
// else the first declared.
func displayMetric(j *runner.Job) string {
	for _, m := range j.Metrics {
		if m.Primary {
			return m.Name
		}
	}
	for _, m := range j.Metrics {
		if m.Goal != "" {
			return m.Name
		}
	}
	if len(j.Metrics) > 0 {
		return j.Metrics[0].Name
	}
	return ""
}
