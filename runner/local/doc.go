// Package local is the local executor: it runs trials as processes on
// this machine.
//
// # Scheduling
//
// Trials are queued largest GPU need first (ties keep plan order). Each
// time a trial ends, the first queued trial that fits what is free starts:
// a trial needing n GPUs takes the n lowest free device ids, and no GPU is
// ever shared by two trials; a CPU-only trial takes one of Parallel CPU
// slots. GPU trials do not use CPU slots. So every slot stays busy while
// work remains, and a small trial may pass a large one that does not fit
// yet. A retried attempt goes to the front of the queue.
//
// # Processes
//
// On Linux a batch's trials are started by one supervisor (Supervise):
// assay started again as "assay __supervise-trials", the child subreaper
// of everything the trials start, which reports a trial ended only when
// its whole process tree has ended. Each trial runs in its workdir, in
// its own process group and, where the machine lets the supervisor write
// cgroup v2, in a cgroup of its own; otherwise the supervisor tells a
// trial's leftovers from another's by the ASSAY_RUN_ID in their
// environment. One supervisor per batch rather than per trial: starting
// assay costs far more than starting a small trial.
//
// A timeout, or cancellation of the batch (Ctrl-C or SIGTERM to assay),
// sends SIGTERM to every process of the trial (setsid or not), then
// SIGKILL after KillGrace to whatever is left. When the trial's own
// process exits, whatever it left behind is killed at once. When assay
// dies, even by kill -9, the supervisor sees its socket close, sends
// SIGTERM to every trial, SIGKILL after KillGrace (at most 2 s), and
// exits. Without a supervisor (Config.Supervisor nil, or not Linux) a
// trial is assay's direct child: the same signals go to its process
// group, and its own process dies with assay (PR_SET_PDEATHSIG), but a
// process that left the group can outlive it.
//
// Stdout and stderr are appended to one log file. When the experiment has
// pattern metrics, or secrets are to be masked, they pass through pipes
// that assay copies in fixed-size chunks (scanning stdout line by line,
// masking both); otherwise the trial writes to the log file directly.
// Either way assay's memory does not grow with the log.
//
// # Environment (the run contract)
//
// A trial inherits assay's environment except assay's own ASSAY_*
// settings, variables whose names look like credentials
// (runner.CredentialName: TOKEN, SECRET, PASSWORD, KEY, ... anywhere in
// the name) unless the experiment names them in secret_env or pass_env,
// and never assay's own credentials (runner.OwnCredentials). A secret_env
// variable comes from assay's environment, else from ASSAY_SECRETS
// (Batch.Secrets). Then come the spec's env, then the contract:
// ASSAY_RUN_ID, ASSAY_TRIAL_KEY, ASSAY_EXPERIMENT, ASSAY_SEED,
// ASSAY_PARAMS, ASSAY_ATTEMPT, ASSAY_METRICS_FILE, ASSAY_ARTIFACTS_DIR,
// CUDA_VISIBLE_DEVICES (empty for a CPU trial, so it cannot take a GPU by
// accident) and CUDA_DEVICE_ORDER=PCI_BUS_ID (so device ids mean what
// nvidia-smi says).
//
// # Secrets
//
// Batch.Mask is applied at the source: to both output streams on their
// way into the log (so a log read while the trial runs is clean), to the
// metric names of progress events, and to the run before it reaches the
// sink (runner.Mask.Run).
//
// # Workdir
//
// The trial runs in its workdir with symlinks resolved
// (runner.ResolveWorkdir); a workdir that leads outside the repository
// is refused and the trial fails without starting.
//
// # Files
//
// An attempt's working files live in <StateDir>/runs/<run-id>/: log,
// metrics.jsonl and artifacts/. Once the sink holds the run (the spool
// links the log and artifacts in, so this costs no copy), the directory
// is removed. Files matching the
// experiment's artifacts globs are copied into artifacts/ after the trial,
// unless the trial already wrote a file of that name there.
//
// # Outcomes
//
// Exit 0 is succeeded, any other exit failed; a timeout is timed_out, a
// cancellation cancelled. A trial of a search whose job carries an
// early-stopping judge (runner.EarlyStop) has every point of the judged
// metric shown to the judge as it is collected; when the judge gives a
// reason, the trial is stopped as on a timeout and recorded stopped, with
// the series it reported so far. A stopped trial is not retried. A trial that cannot start (workdir missing,
// command not found) is failed with exit code -1 and an Error saying so,
// and is not retried, since the same spec would fail the same way.
// Otherwise failed and timed_out attempts are retried up to the trial's
// retries; every attempt is its own record.
package local
