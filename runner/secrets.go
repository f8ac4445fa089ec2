package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// SecretsEnv is the variable through which a GitHub Actions job hands
// assay its secrets, all at once, as one JSON object of names to values:
//
//	env:
//	  ASSAY_SECRETS: ${{ toJSON(secrets) }}
//
// A trial gets from it only the names its experiment lists in secret_env;
// the variable itself never reaches a trial (no ASSAY_* setting does), and
// every value in it is masked in everything assay writes.
const SecretsEnv = "ASSAY_SECRETS"

// Secrets are values a trial may get through secret_env besides assay's
// own environment, by name.
type Secrets map[string]string

// ParseSecrets decodes the JSON object of SecretsEnv. Non-string values
// (there are none in GitHub's secrets context) are kept as their JSON
// text. Its errors never quote the input.
func ParseSecrets(s string) (Secrets, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		where := ""
		var se *json.SyntaxError
		if errors.As(err, &se) {
			where = fmt.Sprintf(" (invalid JSON at byte %d)", se.Offset)
		}
		return nil, fmt.Errorf("%s is not a JSON object of secret names to values%s; set it to ${{ toJSON(secrets) }} in the workflow, or unset it", SecretsEnv, where)
	}
	out := make(Secrets, len(raw))
	for k, v := range raw {
		var str string
		switch {
		case bytes.Equal(bytes.TrimSpace(v), []byte("null")):
		case json.Unmarshal(v, &str) == nil:
			out[k] = str
		default:
			out[k] = string(v)
		}
	}
	return out, nil
}

// Lookup returns the secret name, matched exactly or else, as GitHub
// matches secret names, regardless of case.
func (s Secrets) Lookup(name string) (string, bool) {
	if v, ok := s[name]; ok {
		return v, true
	}
	for k, v := range s {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// SecretEnv returns the value of the secret_env variable name for a trial:
// assay's environment wins, then secrets. A name among withheld (assay's
// own credentials) is never given.
func SecretEnv(name string, environ map[string]string, secrets Secrets, withheld []string) (string, bool) {
	if slices.Contains(withheld, name) {
		return "", false
	}
	if v, ok := environ[name]; ok {
		return v, true
	}
	return secrets.Lookup(name)
}

// EnvMap indexes an environment list; a later entry wins.
func EnvMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// BatchMask is the mask of a batch run with environ and secrets: every
// value in secrets, the value of every secret_env variable of jobs, and
// the values of assay's own credentials (own) that environ holds. short
// names the variables whose values are too short to mask
// (MinSecretLength).
func BatchMask(environ []string, secrets Secrets, jobs []*Job, own []string) (m *Mask, short []string) {
	env := EnvMap(environ)
	var values []string
	seen := map[string]bool{}
	add := func(name, v string) {
		if v == "" {
			return
		}
		values = append(values, v)
		if len(strings.TrimSpace(v)) < MinSecretLength && !seen[name] {
			seen[name] = true
			short = append(short, name)
		}
	}
	for k, v := range secrets {
		add(k, v)
	}
	for _, j := range jobs {
		for _, k := range j.Trial.SecretEnv {
			if v, ok := SecretEnv(k, env, secrets, nil); ok {
				add(k, v)
			}
		}
	}
	for _, k := range own {
		add(k, env[k])
	}
	sort.Strings(short)
	return NewMask(values...), short
}
