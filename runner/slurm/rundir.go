package slurm

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// File names inside an attempt's spool directory.
const (
	scriptName    = "job.sh"
	attemptName   = "attempt.json"
	logName       = "log"
	metricsName   = "metrics.jsonl"
	artifactsName = "artifacts"
	startedName   = "started"
	exitName      = "exit"
	gpusName      = "gpus.csv"
	samplesName   = "gpu-samples.csv"
)

// attemptFile is attempt.json: who the directory belongs to, so that a
// later assay can adopt a job an earlier one submitted.
type attemptFile struct {
	RunID      string    `json:"run_id"`
	TrialKey   string    `json:"trial_key"`
	Experiment string    `json:"experiment"`
	Attempt    int       `json:"attempt"`
	JobID      string    `json:"job_id,omitempty"`
	Submitted  time.Time `json:"submitted"`
}

func writeAttempt(dir string, a *attemptFile) error {
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, attemptName), append(b, '\n'), 0o644)
}

func readAttempt(dir string) (*attemptFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, attemptName))
	if err != nil {
		return nil, err
	}
	var a attemptFile
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, attemptName), err)
	}
	return &a, nil
}

// writeAtomic writes a file by rename, so a reader sees all of it or
// none.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// started is the wrapper's started file: when and where the trial began.
type started struct {
	At   time.Time
	Host string
	// OS is the node's, as GOOS/GOARCH would name it.
	OS string
	// GPUs are the devices Slurm gave the job (CUDA_VISIBLE_DEVICES).
	GPUs []string
}

// readStarted returns nil while the file is not there yet.
func readStarted(dir string) (*started, error) {
	b, err := os.ReadFile(filepath.Join(dir, startedName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s := &started{}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "at":
			s.At = epoch(v)
		case "host":
			s.Host = v
		case "os":
			s.OS = goOS(v)
		case "gpus":
			if v != "" {
				s.GPUs = strings.Split(v, ",")
			}
		}
	}
	if s.At.IsZero() {
		return nil, fmt.Errorf("%s: no start time in %q", filepath.Join(dir, startedName), b)
	}
	return s, nil
}

// goOS turns uname's "Linux/x86_64" into "linux/amd64", as records from
// the local executor say it.
func goOS(uname string) string {
	sys, arch, _ := strings.Cut(strings.ToLower(uname), "/")
	switch arch {
	case "x86_64":
		arch = "amd64"
	case "aarch64":
		arch = "arm64"
	case "ppc64le":
		arch = "ppc64le"
	}
	return sys + "/" + arch
}

// ending is the wrapper's exit file: how the command ended.
type ending struct {
	ExitCode int
	Finished time.Time
	// Term: Slurm sent the wrapper SIGTERM (scancel, its time limit,
	// preemption).
	Term bool
	// TimedOut: the wrapper's own timer stopped the trial; Killed: it
	// needed SIGKILL to.
	TimedOut, Killed bool
	// NotStarted says why the command never ran: "workdir", "notfound",
	// "notexec" or "isdir".
	NotStarted string
}

// readEnding returns nil while the file is not there yet.
func readEnding(dir string) (*ending, error) {
	f, err := os.Open(filepath.Join(dir, exitName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	e := &ending{ExitCode: -1}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "exit":
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("%s: exit=%q is not a number", filepath.Join(dir, exitName), v)
			}
			e.ExitCode = n
		case "finished":
			e.Finished = epoch(v)
		case "term":
			e.Term = true
		case "timedout":
			e.TimedOut = true
		case "killed":
			e.Killed = true
		case "notstarted":
			e.NotStarted = v
		}
	}
	return e, sc.Err()
}

// epoch reads date +%s.%N.
func epoch(s string) time.Time {
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}
	}
	var ns int64
	if frac != "" {
		frac = (frac + "000000000")[:9]
		ns, _ = strconv.ParseInt(frac, 10, 64)
	}
	return time.Unix(n, ns)
}
