package slurm

import (
	"context"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/executortest"
	"github.com/assaylab/assay/runner/slurm/slurmtest"
)

// testPoll is the poll interval of every test: short, so that a test of a
// few one-second trials takes seconds.
const testPoll = 200 * time.Millisecond

var (
	// session is the test cluster, as TestMain found it.
	session     *slurmtest.Session
	clusterOnce sync.Once
	clusterErr  string
	partitions  map[int]string
)

// needCluster skips the test unless the test cluster answers, and
// returns the partitions it has by the GPUs of their largest node. .ci/run
// starts it (.ci/slurm/setup.sh), so in CI these tests always run; any
// other Slurm on the machine is left alone (slurmtest).
func needCluster(t *testing.T) map[int]string {
	t.Helper()
	clusterOnce.Do(func() {
		if session.Skip != "" {
			clusterErr = session.Skip
			return
		}
		for _, c := range []string{"sbatch", "squeue", "scancel", "sinfo"} {
			if _, err := exec.LookPath(c); err != nil {
				clusterErr = c + " not on PATH; .ci/run starts a single-node Slurm (.ci/slurm/setup.sh)"
				return
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "sinfo", "--noheader", "--format=%P").Output()
		if err != nil {
			clusterErr = "sinfo fails, so the test cluster's controller does not answer (" + err.Error() + "); .ci/slurm/setup.sh starts it"
			return
		}
		partitions = map[int]string{}
		c := &commands{sinfo: "sinfo"}
		for _, p := range splitLines(string(out)) {
			isDefault := p[len(p)-1] == '*'
			if isDefault {
				p = p[:len(p)-1]
			}
			info, err := c.partitionInfo(ctx, p)
			if err != nil {
				continue
			}
			if _, ok := partitions[info.MaxGPUs]; !ok || isDefault {
				partitions[info.MaxGPUs] = p
			}
			if isDefault {
				partitions[-1] = p
			}
		}
	})
	if clusterErr != "" {
		t.Skip(clusterErr)
	}
	return partitions
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '\n' {
			if line := s[start:i]; line != "" {
				out = append(out, line)
			}
			start = i + 1
		}
	}
	return out
}

// forMachine builds an executor for the machine a suite test describes:
// the partition whose nodes have that many GPUs (the default one for a
// CPU-only machine), the CPU bound, labels and kill grace as given.
func forMachine(t *testing.T, m executortest.Machine) *Executor {
	parts := needCluster(t)
	p, ok := parts[len(m.GPUs)]
	if len(m.GPUs) == 0 {
		p, ok = parts[-1]
	}
	if !ok {
		t.Skipf("no Slurm partition has nodes with %d GPUs; .ci/slurm/setup.sh makes partitions of 2 and 3", len(m.GPUs))
	}
	return New(Config{
		Partition: p,
		Labels:    m.Labels,
		Parallel:  m.Parallel,
		KillGrace: m.KillGrace,
		Environ:   m.Environ,
		// A short poll and cancel wait keep each test to seconds.
		PollInterval: testPoll,
		CancelWait:   20 * time.Second,
	})
}

// TestSuite runs the shared executor suite against the real cluster.
func TestSuite(t *testing.T) {
	needCluster(t)
	executortest.Run(t, executortest.Harness{
		New: func(t *testing.T, m executortest.Machine) runner.Executor { return forMachine(t, m) },
		// A job takes Slurm 0.1-0.3 s to start on a busy 2-core machine:
		// trials of about a second keep the slot tests' overlaps clear of
		// that skew.
		SpanScale: 4,
	})
}
