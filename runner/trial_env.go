package runner

import (
	"regexp"
	"slices"
	"strings"

	"github.com/assaylab/assay/spec"
)

// credentialName matches variables a trial does not inherit unless its
// experiment names them in secret_env.
var credentialName = regexp.MustCompile(`(?i)(^|_)(TOKEN|SECRET|SECRETS|PASSWORD|PASSWD|PASSPHRASE|CREDENTIALS?|API_?KEY|ACCESS_KEY|PRIVATE_KEY|AUTH)($|_)`)

// Inherits reports whether a trial inherits the variable k from assay's
// own environment. Every executor applies this one rule, so a trial sees
// the same environment wherever it runs: not assay's ASSAY_* settings, not
// the GPU variables assay (or Slurm) sets per trial, and no credential
// (TOKEN, SECRET, PASSWORD, API_KEY, ...) unless secret_env names it.
func Inherits(k string, t *spec.Trial) bool {
	switch {
	case strings.HasPrefix(k, "ASSAY_"), k == "CUDA_VISIBLE_DEVICES", k == "CUDA_DEVICE_ORDER":
		return false
	case credentialName.MatchString(k):
		return slices.Contains(t.SecretEnv, k)
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
