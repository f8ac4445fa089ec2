package slurmtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Only a configuration setup.sh wrote is used: a missing one and a real
// cluster's are refused, each with what to do.
func TestConfIsOnlySetupsCluster(t *testing.T) {
	dir := t.TempDir()
	ours, theirs := filepath.Join(dir, "ours.conf"), filepath.Join(dir, "theirs.conf")
	os.WriteFile(ours, []byte("# Test cluster for assay, written by .ci/slurm/setup.sh\nClusterName=assaytest\n"), 0o644)
	os.WriteFile(theirs, []byte("ClusterName=production\n"), 0o644)
	for _, tc := range []struct {
		path, want, why string
	}{
		{ours, ours, ""},
		{theirs, "", "was not written by .ci/slurm/setup.sh, so it may be a real cluster's"},
		{filepath.Join(dir, "none.conf"), "", "no test Slurm cluster: " + filepath.Join(dir, "none.conf") + ": no such file or directory; .ci/slurm/setup.sh starts one"},
	} {
		t.Setenv(ConfEnv, tc.path)
		got, why := conf()
		if got != tc.want || !strings.Contains(why, tc.why) || (tc.why == "") != (why == "") {
			t.Errorf("%s: conf() = %q, %q; want %q and a reason containing %q", filepath.Base(tc.path), got, why, tc.want, tc.why)
		}
	}
}
