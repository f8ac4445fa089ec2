package slurmtest

import (
	"os"
	"os/exec"
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

// A job a test left looping in the cluster is found by its script's
// directory, scancelled, and named; nothing of it is left.
func TestCancelUnderStopsLeftJobs(t *testing.T) {
	path, why := conf()
	if why != "" {
		t.Skip(why)
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		t.Skip("sbatch not on PATH; .ci/slurm/setup.sh installs Slurm")
	}
	t.Setenv("SLURM_CONF", path)
	dir := t.TempDir()
	script := filepath.Join(dir, "loop.sh")
	os.WriteFile(script, []byte("#!/bin/sh\nwhile :; do sleep 1; done\n"), 0o755)
	out, err := exec.Command("sbatch", "--parsable", "--job-name=assay-left", "--output=/dev/null", script).Output()
	if err != nil {
		t.Fatalf("sbatch: %v", err)
	}
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	t.Cleanup(func() { exec.Command("scancel", id).Run() })

	jobs, err := CancelUnder(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].ID != id || jobs[0].Name != "assay-left" || jobs[0].Script != script {
		t.Errorf("CancelUnder found %v, want job %s (assay-left, %s)", jobs, id, script)
	}
	if left, err := JobsUnder(dir); err != nil || len(left) != 0 {
		t.Errorf("after CancelUnder, still in Slurm: %v (%v)", left, err)
	}
	if again, err := CancelUnder(dir, 0); err != nil || len(again) != 0 {
		t.Errorf("a second CancelUnder found %v (%v), want nothing", again, err)
	}
}
