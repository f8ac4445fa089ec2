// Package spec understands assay's HCL: the project file (assay.hcl) and the
// experiment files it points at.
//
// Loading is one pass that keeps going after errors, so a user sees every
// problem at once: each file is parsed, then variables, locals (ordered by
// their references), templates and experiments are decoded in one evaluation
// context (see eval_context.go). Every problem is an hcl.Diagnostic with the
// narrowest source range that explains it; nothing here prints.
//
// All experiment files of a project share one namespace, as the files of a
// Terraform module do: a template or local declared in one file can be used
// from another, and a name declared twice is an error that points at both.
// Paths given to file(), fileset(), inputs and the experiments globs are
// relative to the repository root and may never leave it.
//
// Files are read through an fs.FS rooted at the repository, so the same code
// reads a working tree (os.Root) or a git commit (the runner's tree FS).
//
// Specs are read before anyone reviews them (assay plan runs on a fork's
// pull request), so loading costs time in proportion to what a spec says,
// never more (limits.go): chains of extends and of locals are linear, and
// what a few bytes can multiply is capped, each cap with an error that
// names it: trials per experiment (sweep { max_trials }), trials in all
// (project { max_trials }, DefaultMaxTotalTrials), metric blocks per
// experiment (MaxMetrics), the size of a local's value (MaxValueSize),
// plus the file size and nesting limits of files.go. A reference to an undeclared var.X or local.X is reported as
// such, naming the block to add (undeclared.go).
//
// Expansion turns an experiment into trials: params ⊕ each sweep point ⊕ each
// seed. A trial's key (trial_key.go) is the SHA-256 of a canonical encoding of
// everything that decides its result.
package spec
