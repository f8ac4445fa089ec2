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
// Each attempt runs in its own process group, in its workdir (relative to
// the repository root), with stdout and stderr appended to one log file.
// When the experiment has pattern metrics, stdout passes through a pipe
// that assay scans line by line in fixed-size buffers; otherwise the
// trial writes to the log file directly. Either way assay's memory does
// not grow with the log.
//
// A timeout, or cancellation of the batch (Ctrl-C or SIGTERM to assay),
// sends SIGTERM to the whole group, then SIGKILL after KillGrace. When the
// trial's own process exits, whatever it left behind in its group is
// killed too. The direct child also dies with assay (PR_SET_PDEATHSIG),
// so a kill -9 of assay does not leave trials running unrecorded.
//
// # Environment (the run contract)
//
// A trial inherits assay's environment except variables whose names look
// like credentials (TOKEN, SECRET, PASSWORD, API_KEY, CREDENTIALS, ...)
// and assay's own ASSAY_* settings; a credential it needs is passed by
// naming it in the experiment's secret_env. Then come the spec's env, then
// the contract: ASSAY_RUN_ID, ASSAY_TRIAL_KEY, ASSAY_EXPERIMENT,
// ASSAY_SEED, ASSAY_PARAMS, ASSAY_ATTEMPT, ASSAY_METRICS_FILE,
// ASSAY_ARTIFACTS_DIR, CUDA_VISIBLE_DEVICES (empty for a CPU trial, so it
// cannot take a GPU by accident) and CUDA_DEVICE_ORDER=PCI_BUS_ID (so
// device ids mean what nvidia-smi says).
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
