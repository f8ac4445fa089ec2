package spec

// Trial is one run of an experiment: params ⊕ a sweep point ⊕ a seed, with
// its command, env and workdir resolved.
type Trial struct {
	Experiment string
	// Index is the trial's position in its experiment's deterministic
	// order: param points in sweep order (the first sweep param varies
	// slowest), seeds within each point.
	Index int
	// Config numbers the trial's param point within its experiment; the
	// trials of one config differ only in their seed.
	Config int
	// Params are the trial's param values, decoded from ParamsJSON.
	// Trials of one config share the map: treat it as read-only.
	Params map[string]any
	// ParamsJSON is the canonical JSON object of the params (sorted keys,
	// numbers in shortest exact decimal form); it is what ASSAY_PARAMS
	// carries and what pairs configs across commits.
	ParamsJSON string
	Seed       int64
	Command    []string
	// Env holds the spec's env values (never secrets).
	Env map[string]string
	// SecretEnv names variables passed through from assay's environment.
	SecretEnv []string
	// PassEnv names credential-looking variables the trial inherits all
	// the same (see Experiment.PassEnv). Not in the key: like the values
	// of the inherited environment, they describe the machine.
	PassEnv []string
	// Workdir is relative to the repository root ("." for the root).
	Workdir string
	Runner  Runner
	// Inputs is the fingerprint of what the trial reads at its commit
	// (see the runner); "" until the runner fills it.
	Inputs string
	// Key is the trial key: see trial_key.go.
	Key string
}

// ShortKey is the first 12 hex digits of the key, as tables show it.
func (t *Trial) ShortKey() string {
	if len(t.Key) < 12 {
		return t.Key
	}
	return t.Key[:12]
}
