package local

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// trialEnv builds a trial's environment from assay's own (base), the
// spec's env, the secret_env pass-through (from base, else from secrets)
// and the contract. Names in withheld (assay's own credentials) never
// reach the trial. It also names the secret_env entries it could not
// find, and those it withheld.
func trialEnv(base []string, t *spec.Trial, secrets runner.Secrets, withheld []string, contract [][2]string) (env, missing, held []string) {
	baseVals := runner.EnvMap(base)
	vals := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := vals[k]; !ok {
			order = append(order, k)
		}
		vals[k] = v
	}
	for _, kv := range base {
		k, v, _ := strings.Cut(kv, "=")
		if !runner.Inherits(k, t) || slices.Contains(withheld, k) {
			continue
		}
		set(k, v)
	}
	keys := make([]string, 0, len(t.Env))
	for k := range t.Env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		set(k, t.Env[k])
	}
	for _, k := range t.SecretEnv {
		switch v, ok := runner.SecretEnv(k, baseVals, secrets, withheld); {
		case ok:
			set(k, v)
		case slices.Contains(withheld, k):
			held = append(held, k)
		default:
			missing = append(missing, k)
		}
	}
	for _, kv := range contract {
		set(kv[0], kv[1])
	}
	env = make([]string, 0, len(order))
	for _, k := range order {
		env = append(env, k+"="+vals[k])
	}
	return env, missing, held
}

// lookupEnv reads one variable of an environment list.
func lookupEnv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// resolveCommand finds the executable of argv[0] the way a shell in dir
// would: a name with a slash is a path relative to dir, a bare name is
// looked up in the trial's PATH.
func resolveCommand(name, dir string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		info, err := os.Stat(p)
		switch {
		case err != nil:
			return "", fmt.Errorf("command %q not found in the workdir", name)
		case info.IsDir():
			return "", fmt.Errorf("command %q is a directory", name)
		case info.Mode()&0o111 == 0:
			return "", fmt.Errorf("command %q is not executable; run chmod +x on it, or put its interpreter first, as in [\"python3\", %q]", name, name)
		}
		return p, nil
	}
	path := lookupEnv(env, "PATH")
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			d = "."
		}
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		p := filepath.Join(d, name)
		if info, err := os.Stat(p); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if _, err := exec.LookPath(name); err == nil {
		return "", fmt.Errorf("command %q is not on the trial's PATH (the spec's env sets PATH=%s)", name, path)
	}
	return "", fmt.Errorf("command %q not found on PATH; install it, or fix command in the spec", name)
}
