// Package slurm is the slurm executor: one assay, on a login node or a
// tagged CI runner, in front of a whole Slurm cluster. Each trial attempt
// is one sbatch job; its results are recorded exactly as the local
// executor records them, through the same sink and the same metrics
// collection.
//
// # Submission
//
// Every attempt gets a directory in the spool (spool_dir, by default
// <git dir>/assay/slurm), which must be on a filesystem the compute nodes
// share, as the repository itself must be:
//
//	job.sh         the generated wrapper script sbatch runs
//	attempt.json   run id, trial key, attempt and job id, for adoption
//	log            the job's output: the trial's stdout and stderr, and
//	               Slurm's own messages ("CANCELLED AT ... DUE TO TIME LIMIT")
//	metrics.jsonl  ASSAY_METRICS_FILE
//	artifacts/     ASSAY_ARTIFACTS_DIR
//	started        written by the wrapper as the trial starts: node, OS
//	               and the GPUs Slurm gave it; its mtime is the start time
//	exit           written by the wrapper last: exit code, and whether its
//	               timer or Slurm stopped the trial; its mtime is the end
//	gpus.csv, gpu-samples.csv
//	               the node's nvidia-smi on a GPU trial's devices
//
// One sbatch --parsable per attempt, with --gres=gpu[:type]:N for the
// trial's GPUs (the type from gres_types when one of its labels has one),
// --constraint with its labels that are node features (a label the
// executor offers but no node has as a feature, such as "slurm", only
// routes), --time from its timeout, the configured partition, account,
// qos and extra_args. Trials are submitted largest GPU need first, since
// Slurm schedules in submission order. CPU-only trials are bounded by
// Config.Parallel when set; otherwise the cluster's queue is the bound.
//
// # Environment
//
// sbatch runs in the environment the trial inherits (assay's own, less
// ASSAY_* settings, credentials not named in secret_env, assay's own
// credentials and SLURM_* variables of an allocation assay may itself run
// in) and exports it to the job. A secret_env variable comes from assay's
// environment, else from ASSAY_SECRETS (Batch.Secrets), as locally;
// secrets travel only that way, never in a file. The wrapper then exports
// the spec's env and the run contract, so job.sh alone shows what the
// trial was given. Slurm, not assay, sets CUDA_VISIBLE_DEVICES for GPU
// trials; CPU-only trials get it empty, as locally.
//
// # Secrets
//
// Slurm writes the job's output to the log itself, so the log in the
// attempt's directory is what the trial printed, secrets included, while
// the job runs; the directory is made readable by its owner alone
// (0700). The run is masked (Batch.Mask, runner.Mask.Run) before it
// reaches the sink, the log rewritten with it, and so are the metric
// names of progress events; the directory is removed once the run is
// recorded.
//
// # Timeouts
//
// Slurm's time limits are whole minutes, enforced every half minute or
// so, and a killed job cannot tell its wrapper it timed out. So the
// wrapper enforces the trial's timeout itself, exactly as the local
// executor does (SIGTERM to the trial's process group, SIGKILL KillGrace
// later; when the trial's own process dies of SIGTERM first, the rest of
// its group keeps the rest of the grace to act on it), and --time is set
// a minute beyond it as a backstop: a job that Slurm itself stops at its
// limit is recorded timed_out too.
//
// # Following
//
// Every PollInterval, one squeue call covers every job in flight, and
// each job's spool directory is read. The exit file is the truth about
// the command (its exit code); the job state is the truth about what
// stopped it: CANCELLED is recorded cancelled, TIMEOUT timed_out,
// OUT_OF_MEMORY failed. Slurm signals a job's processes one by one, so a
// trial can die of Slurm's SIGTERM before its wrapper hears of it; an exit
// by a signal (128+N) therefore waits for the job's final state, as one
// the wrapper knows Slurm stopped does. A job that Slurm requeues (scontrol requeue, a
// node failure or preemption with requeue) or that ends NODE_FAIL,
// PREEMPTED or BOOT_FAIL is lost, not finished: assay scancels it, so it
// cannot run twice under one run id, and submits the trial again as its
// next attempt while its retries allow (a lost attempt counts against
// them and leaves no record of its own); with no retries left it is
// recorded failed. sacct is never needed. A job that ended without an exit
// file (its node could not write the spool, or it was killed outright) is
// recorded failed with exit code -1 after a grace period, since on NFS the
// file may appear late.
//
// # Cancellation and adoption
//
// When the batch is cancelled (Ctrl-C or SIGTERM to assay), every job in
// flight is scancelled at once; Slurm stops them (SIGTERM, then SIGKILL
// after the cluster's KillWait). Jobs that had started are recorded
// cancelled; jobs still queued leave no record, like the local executor's
// queue. If assay itself is killed (kill -9), its jobs run on. The next
// assay run with the same trials finds their directories by trial key,
// asks squeue about their job ids (or, when assay died between sbatch and
// writing the id down, finds the job by its script path), and follows the
// running ones and records the finished ones instead of submitting again.
package slurm
