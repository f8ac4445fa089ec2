package runner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/spec"
)

func TestParseSecrets(t *testing.T) {
	s, err := ParseSecrets(`{"github_token": "ghs_abcdef123456", "WANDB_API_KEY": "wandb-0123456789", "EMPTY": "", "N": null}`)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Secrets{"github_token": "ghs_abcdef123456", "WANDB_API_KEY": "wandb-0123456789", "EMPTY": ""}, s); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// GitHub's secret names are case-insensitive.
	if v, ok := s.Lookup("wandb_api_key"); !ok || v != "wandb-0123456789" {
		t.Errorf("Lookup by other case = %q, %v", v, ok)
	}
	if s, err := ParseSecrets("  "); err != nil || s != nil {
		t.Errorf("empty: %v, %v", s, err)
	}
	// A malformed value says where, and never quotes what it holds.
	_, err = ParseSecrets(`{"A": "hunter2-leaked-value"`)
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "toJSON(secrets)") {
		t.Errorf("err = %v", err)
	}
	if _, err := ParseSecrets(`["hunter2-leaked-value"]`); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v", err)
	}
}

func TestSecretEnvPrecedence(t *testing.T) {
	env := EnvMap([]string{"HF_TOKEN=from-env", "GITHUB_TOKEN=ghs_own"})
	secrets := Secrets{"HF_TOKEN": "from-secrets", "WANDB_API_KEY": "wandb-secret", "GITHUB_TOKEN": "ghs_secret"}
	for name, want := range map[string]string{"HF_TOKEN": "from-env", "WANDB_API_KEY": "wandb-secret", "NOPE": "", "GITHUB_TOKEN": ""} {
		got, _ := SecretEnv(name, env, secrets, []string{"GITHUB_TOKEN"})
		if got != want {
			t.Errorf("SecretEnv(%s) = %q, want %q", name, got, want)
		}
	}
}

func TestBatchMask(t *testing.T) {
	// CODE is exactly MinSecretLength long: masked, and not named among
	// the values too short to mask; PIN is one shorter.
	jobs := []*Job{{Trial: &spec.Trial{SecretEnv: []string{"HF_TOKEN", "PIN", "CODE", "UNSET"}}}}
	environ := []string{"HF_TOKEN=hf_0123456789", "PIN=123", "CODE=4567", "GITHUB_TOKEN=ghs_0123456789", "AWS_SECRET_ACCESS_KEY=aws-not-ours-0123", "PATH=/usr/bin"}
	m, short := BatchMask(environ, Secrets{"OTHER": "other-secret-value"}, jobs, []string{"GITHUB_TOKEN"})
	got := m.String("hf_0123456789 ghs_0123456789 other-secret-value 123 4567 aws-not-ours-0123 /usr/bin")
	if got != "*** *** *** 123 *** aws-not-ours-0123 /usr/bin" {
		t.Errorf("masked: %q", got)
	}
	if diff := cmp.Diff([]string{"PIN"}, short); diff != "" {
		t.Errorf("short (-want +got):\n%s", diff)
	}
}
