package main

import (
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/assaylab/assay/runner/gpu"
	"github.com/assaylab/assay/runner/local"
	"github.com/assaylab/assay/spec"
)

// newLocalExecutor sets up the local executor from assay.hcl, the
// environment (ASSAY_GPUS, ASSAY_LABELS) and the flags.
func newLocalExecutor(opts *runOptions, project *spec.Project) (*local.Executor, gpu.Inventory, error) {
	f := opts.f
	cfg := local.Config{KillGrace: opts.killGrace, Environ: f.Environ(), Supervisor: local.SupervisorCommand()}
	var configured []string
	if ex := project.Executor("local"); ex != nil {
		cfg.Labels, cfg.Parallel, configured = ex.Labels, ex.Parallel, ex.GPUs
	}
	if v, ok := lookupEnv(f, "ASSAY_LABELS"); ok {
		cfg.Labels = nil
		for _, l := range strings.Split(v, ",") {
			if l = strings.TrimSpace(l); l != "" {
				cfg.Labels = append(cfg.Labels, l)
			}
		}
	}
	if opts.parallel > 0 {
		cfg.Parallel = opts.parallel
	}
	env, envSet := lookupEnv(f, "ASSAY_GPUS")
	smi, _ := exec.LookPath("nvidia-smi")
	inv, err := gpu.Resolve(f.Context, gpu.Options{Env: env, EnvSet: envSet, Config: configured, NvidiaSMI: smi})
	if err != nil {
		if strings.HasPrefix(err.Error(), "nvidia-smi") {
			fmt.Fprintf(f.IO.ErrOut, "warning: %s; running with no GPUs (set ASSAY_GPUS to hand out GPUs anyway)\n", err)
		} else {
			return nil, inv, usageError{err}
		}
	}
	cfg.GPUs = inv
	if len(inv.Devices) > 0 {
		cfg.Sampler = gpu.NewSampler(smi, 2*time.Second)
	}
	return local.New(cfg), inv, nil
}

func lookupEnv(f *Factory, key string) (string, bool) {
	for _, kv := range f.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// slotsText says what the local executor runs trials on.
func slotsText(x *local.Executor, inv gpu.Inventory) string {
	gpus := "no GPUs"
	if len(inv.Devices) > 0 {
		gpus = fmt.Sprintf("GPUs %s (from %s)", strings.Join(inv.IDs(), ","), inv.Source)
	}
	return fmt.Sprintf("%s and %d CPU slots", gpus, x.Parallel())
}
