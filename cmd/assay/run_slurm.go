package main

import (
	"path/filepath"

	"github.com/assaylab/assay/runner/slurm"
	"github.com/assaylab/assay/spec"
)

// useSlurm reports whether assay run submits to Slurm: --executor slurm,
// or no --executor and an assay.hcl that declares executor "slurm" and no
// executor "local".
func useSlurm(opts *runOptions, project *spec.Project) bool {
	if opts.executorSet {
		return opts.executor == "slurm"
	}
	return project.Executor("slurm") != nil && project.Executor("local") == nil
}

// newSlurmExecutor sets up the slurm executor from executor "slurm" in
// assay.hcl and the flags, and checks that Slurm answers. A relative
// spool_dir is relative to the project, like every path in assay.hcl.
func newSlurmExecutor(opts *runOptions, project *spec.Project, root string) (*slurm.Executor, error) {
	var cfg slurm.Config
	if ex := project.Executor("slurm"); ex != nil {
		cfg = slurm.FromSpec(ex)
	}
	if cfg.SpoolDir != "" && !filepath.IsAbs(cfg.SpoolDir) {
		cfg.SpoolDir = filepath.Join(root, cfg.SpoolDir)
	}
	cfg.KillGrace, cfg.Parallel, cfg.Environ = opts.killGrace, opts.parallel, opts.f.Environ()
	x := slurm.New(cfg)
	if err := x.Probe(opts.f.Context); err != nil {
		return nil, err
	}
	return x, nil
}
