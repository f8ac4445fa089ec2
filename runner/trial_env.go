package runner

import (
	"slices"
	"strings"

	"github.com/assaylab/assay/spec"
)

// Inherits reports whether a trial inherits the variable k from assay's
// own environment. Every executor applies this one rule, so a trial sees
// the same environment wherever it runs: not assay's ASSAY_* settings
// (ASSAY_SECRETS among them), not the GPU variables assay (or Slurm) sets
// per trial, never a GitHub credential of the job (spec.GitHubCredentials),
// and no other credential-looking name (CredentialName) unless its
// experiment names it in secret_env or pass_env.
func Inherits(k string, t *spec.Trial) bool {
	switch {
	case strings.HasPrefix(k, "ASSAY_"), k == "CUDA_VISIBLE_DEVICES", k == "CUDA_DEVICE_ORDER":
		return false
	case spec.GitHubCredential(k):
		return false
	case CredentialName(k):
		return slices.Contains(t.SecretEnv, k) || slices.Contains(t.PassEnv, k)
	}
	return true
}

// DisplayMetric is the metric progress shows for a job: the primary one,
// else the first with a goal, else the first declared, else "".
func (j *Job) DisplayMetric() string {
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
