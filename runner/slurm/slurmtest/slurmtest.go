// Package slurmtest points tests at the Slurm cluster .ci/slurm/setup.sh
// starts for them, and at no other: not the machine's own Slurm, not one
// that SBATCH_* or SLURM_* settings in the environment name. A test binary
// that submits jobs starts a Session in its TestMain:
//
//	s := slurmtest.Start()
//	os.Exit(proctest.Main(m, s.Stop))
//
// and skips its Slurm tests with s.Skip when that is not empty.
//
// The cluster's slurm.conf is found at ASSAY_TEST_SLURM_CONF (.ci/run
// exports it), else at DefaultConf, where setup.sh writes it by default;
// it must carry setup.sh's header, so that tests never submit their
// looping jobs to a real cluster. Start sets SLURM_CONF to it, which every
// Slurm client command the tests run (and the jobs themselves) reads.
//
// A Session also knows which jobs are its own: Start gives the binary a
// temporary directory of its own as TMPDIR, so every t.TempDir, and with
// it every job script the tests submit, lies under it. Stop scancels
// whatever of those is still in the cluster and fails the binary naming
// them; CancelUnder does the same for one test's directory, from its
// t.Cleanup.
package slurmtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

const (
	// ConfEnv names the test cluster's slurm.conf.
	ConfEnv = "ASSAY_TEST_SLURM_CONF"
	// DefaultConf is where .ci/slurm/setup.sh writes slurm.conf when
	// ASSAY_SLURM_STATE is not set.
	DefaultConf = "/var/lib/assay-slurm/etc/slurm.conf"
	// header is what setup.sh writes at the top of the configuration.
	header = "written by .ci/slurm/setup.sh"
)

// Session is one test binary's use of the test cluster.
type Session struct {
	// Conf is the cluster's slurm.conf; "" when Skip is set.
	Conf string
	// Skip says why the Slurm tests cannot run here; "" when they can.
	Skip string
	// Root is the binary's TMPDIR, under which its jobs' scripts lie.
	Root string
}

// Start makes this process and its children use the test cluster only,
// and gives the binary its TMPDIR. Call it from TestMain, before the
// tests run.
func Start() *Session {
	s := &Session{}
	// Slurm's clients take defaults from these; the tests say what they
	// mean instead, to the one cluster.
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		for _, p := range []string{"SLURM_", "SBATCH_", "SQUEUE_", "SCANCEL_", "SINFO_", "SCONTROL_", "SALLOC_", "SRUN_"} {
			if strings.HasPrefix(k, p) {
				os.Unsetenv(k)
			}
		}
	}
	s.Conf, s.Skip = conf()
	if s.Conf != "" {
		os.Setenv("SLURM_CONF", s.Conf)
	} else {
		// A client with no SLURM_CONF reads /etc/slurm: some other cluster.
		os.Setenv("SLURM_CONF", filepath.Join(os.TempDir(), "no-test-cluster.conf"))
	}
	if root, err := os.MkdirTemp("", "assay-slurm-test-"); err == nil {
		s.Root = root
		os.Setenv("TMPDIR", root)
	} else if s.Skip == "" {
		s.Skip = "cannot make a temporary directory for the jobs: " + err.Error()
	}
	return s
}

// conf finds the test cluster's slurm.conf, or says why there is none.
func conf() (path, why string) {
	path = os.Getenv(ConfEnv)
	if path == "" {
		path = DefaultConf
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Sprintf("no test Slurm cluster: %s: %v; .ci/slurm/setup.sh starts one, %s names another", path, shortErr(err), ConfEnv)
	}
	if !bytes.Contains(b, []byte(header)) {
		return "", fmt.Sprintf("%s was not %s, so it may be a real cluster's; the Slurm tests submit jobs that loop, and run only on the cluster setup.sh starts", path, header)
	}
	return path, ""
}

func shortErr(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// Job is a job of the test cluster.
type Job struct {
	ID, Name, State string
	// Script is the batch script's path.
	Script string
}

func (j Job) String() string { return fmt.Sprintf("%s %s (%s, %s)", j.ID, j.Name, j.State, j.Script) }

// JobsUnder lists the cluster's jobs that have not ended whose batch
// script lies under dir.
func JobsUnder(dir string) ([]Job, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Without --states, squeue lists the jobs that have not ended.
	out, err := exec.CommandContext(ctx, "squeue", "--noheader", "--Format=JobID:|,Name:|,State:|,Command:").Output()
	if err != nil {
		return nil, fmt.Errorf("squeue: %w", err)
	}
	prefix := filepath.Clean(dir) + string(filepath.Separator)
	var jobs []Job
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.SplitN(strings.TrimSpace(line), "|", 4)
		if len(f) != 4 {
			continue
		}
		j := Job{ID: strings.TrimSpace(f[0]), Name: strings.TrimSpace(f[1]), State: strings.TrimSpace(f[2]), Script: strings.TrimSpace(f[3])}
		if strings.HasPrefix(j.Script, prefix) {
			jobs = append(jobs, j)
		}
	}
	return jobs, nil
}

// CancelUnder gives the jobs under dir up to grace to end by themselves
// (a job whose script has just ended is still RUNNING or COMPLETING for a
// moment), then scancels those that have not, waits up to a minute for
// Slurm to end them, and returns them.
func CancelUnder(dir string, grace time.Duration) ([]Job, error) {
	var jobs []Job
	for deadline := time.Now().Add(grace); ; time.Sleep(100 * time.Millisecond) {
		var err error
		if jobs, err = JobsUnder(dir); err != nil || len(jobs) == 0 {
			return nil, err
		}
		if !time.Now().Before(deadline) {
			break
		}
	}
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	if out, err := exec.Command("scancel", ids...).CombinedOutput(); err != nil {
		return jobs, fmt.Errorf("scancel %s: %v: %s", strings.Join(ids, " "), err, bytes.TrimSpace(out))
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		left, err := JobsUnder(dir)
		if err != nil {
			return jobs, err
		}
		if len(left) == 0 {
			return jobs, nil
		}
	}
	return jobs, fmt.Errorf("jobs %s still in Slurm a minute after scancel", strings.Join(ids, ","))
}

// Stop cancels the jobs the binary's tests left in the cluster (those
// still there ten seconds after the tests) and removes its TMPDIR. It
// returns an error naming them, since a test stops what it starts.
func (s *Session) Stop() error {
	if s.Root == "" {
		return nil
	}
	defer os.RemoveAll(s.Root)
	if s.Skip != "" {
		return nil
	}
	jobs, err := CancelUnder(s.Root, 10*time.Second)
	if len(jobs) == 0 && err == nil {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "slurmtest: %d Slurm job(s) of these tests were still there 10s after they ended; scancelled now:", len(jobs))
	for _, j := range jobs {
		b.WriteString("\n  " + j.String())
	}
	if err != nil {
		b.WriteString("\n" + err.Error())
	}
	return fmt.Errorf("%s", b.String())
}
