package slurm

import (
	"os"
	"time"

	"github.com/assaylab/assay/spec"
)

// Defaults the executor fills in.
const (
	// DefaultPollInterval is how often squeue and the spool are read: often
	// enough to start the next retry promptly, rarely enough that a
	// thousand trials cost the controller one squeue call per interval.
	DefaultPollInterval = 5 * time.Second
	// DefaultKillGrace is how long a timed-out trial has between SIGTERM and
	// SIGKILL, as in the local executor.
	DefaultKillGrace = 10 * time.Second
	// DefaultCancelWait bounds how long a cancelled batch waits for Slurm to
	// report its jobs ended before recording them cancelled anyway.
	DefaultCancelWait = 2 * time.Minute
	// DefaultGPUSampleInterval is how often the wrapper asks nvidia-smi
	// about a GPU trial's devices.
	DefaultGPUSampleInterval = 5 * time.Second
)

// Config is the executor "slurm" block of assay.hcl, and the few settings
// tests and commands add.
type Config struct {
	// Partition, Account and QOS go to sbatch as they are; "" leaves
	// Slurm's default.
	Partition string
	Account   string
	QOS       string
	// Labels are what this executor offers. Empty means the features of
	// the partition's nodes (and the keys of GresTypes).
	Labels []string
	// ExtraArgs are added to every sbatch call, before the script.
	ExtraArgs []string
	// GresTypes maps a label to a GPU gres type: a trial with label a100
	// and gpus = 2 asks for --gres=gpu:a100:2.
	GresTypes map[string]string
	// PollInterval is how often jobs are followed; 0 means
	// DefaultPollInterval.
	PollInterval time.Duration
	// SpoolDir holds each attempt's wrapper script, log, metrics and exit
	// file. It must be on a filesystem the compute nodes share. "" means
	// <StateDir>/slurm, beside the repository, which is shared whenever
	// the repository is (the trials' workdirs must be).
	SpoolDir string
	// Parallel bounds how many CPU-only trials are in Slurm at once
	// (queued or running); 0 means no bound. GPU trials are bounded by the
	// cluster's GPUs, not by this.
	Parallel int
	// KillGrace is the time a timed-out trial has between SIGTERM and
	// SIGKILL; 0 means DefaultKillGrace. (A cancelled job gets the
	// cluster's KillWait instead: scancel is Slurm's to carry out.)
	KillGrace time.Duration
	// CancelWait bounds the wait for cancelled jobs to end; 0 means
	// DefaultCancelWait.
	CancelWait time.Duration
	// GPUSampleInterval is how often a GPU trial's wrapper samples
	// nvidia-smi; 0 means DefaultGPUSampleInterval.
	GPUSampleInterval time.Duration
	// Environ is the environment trials inherit from; nil means assay's.
	Environ []string
	// Sbatch, Squeue, Scancel and Sinfo name Slurm's commands; "" means
	// the command of that name on PATH.
	Sbatch, Squeue, Scancel, Sinfo string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// FromSpec is the Config an executor "slurm" block describes.
func FromSpec(e *spec.Executor) Config {
	return Config{
		Partition:    e.Partition,
		Account:      e.Account,
		QOS:          e.QOS,
		Labels:       e.Labels,
		ExtraArgs:    e.ExtraArgs,
		GresTypes:    e.GresTypes,
		PollInterval: e.PollInterval,
		SpoolDir:     e.SpoolDir,
	}
}

func (c Config) withDefaults() Config {
	if c.PollInterval <= 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.KillGrace <= 0 {
		c.KillGrace = DefaultKillGrace
	}
	if c.CancelWait <= 0 {
		c.CancelWait = DefaultCancelWait
	}
	if c.GPUSampleInterval <= 0 {
		c.GPUSampleInterval = DefaultGPUSampleInterval
	}
	if c.Environ == nil {
		c.Environ = os.Environ()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sbatch == "" {
		c.Sbatch = "sbatch"
	}
	if c.Squeue == "" {
		c.Squeue = "squeue"
	}
	if c.Scancel == "" {
		c.Scancel = "scancel"
	}
	if c.Sinfo == "" {
		c.Sinfo = "sinfo"
	}
	return c
}
