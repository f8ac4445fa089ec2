package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pass_env reaches the trial, through a template too, and stays out of its
// key: it un-filters a variable of the machine, whose value is never keyed.
func TestPassEnvReachesTrialsOutsideTheKey(t *testing.T) {
	src := `
template "tokens" {
  pass_env = ["MAX_TOKEN_LENGTH", "PAD_TOKEN_ID", "MAX_TOKEN_LENGTH"]
}
experiment "e" {
  extends = template.tokens
  command = ["train"]
}`
	with := trialsOf(t, src, LoadOptions{})
	without := trialsOf(t, `experiment "e" { command = ["train"] }`, LoadOptions{})
	if diff := cmp.Diff([]string{"MAX_TOKEN_LENGTH", "PAD_TOKEN_ID"}, with[0].PassEnv); diff != "" {
		t.Errorf("PassEnv (-want +got):\n%s", diff)
	}
	if with[0].Key != without[0].Key {
		t.Errorf("pass_env changed the key: %s vs %s", with[0].Key, without[0].Key)
	}
}
