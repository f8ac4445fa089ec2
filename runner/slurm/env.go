package slurm

import (
	"slices"
	"sort"
	"strings"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// inheritedEnv is the environment sbatch runs in, which Slurm hands on to
// the job (--export=ALL): assay's own, less its ASSAY_* settings, the GPU
// variables Slurm sets itself, credentials the trial did not ask for,
// assay's own credentials (withheld) and the SLURM_* variables of any
// allocation assay itself runs in (which would otherwise steer the new
// job); plus the secret_env pass-through, from assay's environment, else
// from secrets (ASSAY_SECRETS). Secrets travel only this way, never
// through a file. It also names the secret_env entries it could not find,
// and those it withheld.
func inheritedEnv(base []string, t *spec.Trial, secrets runner.Secrets, withheld []string) (env, missing, held []string) {
	vals := runner.EnvMap(base)
	seen := map[string]bool{}
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if seen[k] || skipInherited(k, t) || slices.Contains(withheld, k) {
			continue
		}
		seen[k] = true
		env = append(env, k+"="+vals[k])
	}
	for _, k := range t.SecretEnv {
		v, ok := runner.SecretEnv(k, vals, secrets, withheld)
		switch {
		case !ok && slices.Contains(withheld, k):
			held = append(held, k)
		case !ok:
			missing = append(missing, k)
		case !seen[k]:
			seen[k] = true
			env = append(env, k+"="+v)
		}
	}
	return env, missing, held
}

// skipInherited applies the executors' rule (runner.Inherits), and also
// drops the SLURM_* variables of any allocation assay itself runs in.
func skipInherited(k string, t *spec.Trial) bool {
	if strings.HasPrefix(k, "SLURM_") && k != "SLURM_CONF" {
		return true
	}
	return !runner.Inherits(k, t)
}

// specEnv is the spec's env in name order; the wrapper script exports it,
// so the script alone shows what the trial was given.
func specEnv(t *spec.Trial) [][2]string {
	keys := make([]string, 0, len(t.Env))
	for k := range t.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][2]string, len(keys))
	for i, k := range keys {
		out[i] = [2]string{k, t.Env[k]}
	}
	return out
}

// shellName reports whether s can be exported by a POSIX shell.
func shellName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
