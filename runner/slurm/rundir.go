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

// readStarted returns nil while the file is not there, or not whole, yet.
func readStarted(dir string) (*started, error) {
	kv, mtime, err := readKV(filepath.Join(dir, startedName))
	if kv == nil || err != nil {
		return nil, err
	}
	s := &started{At: mtime, Host: kv["host"], OS: goOS(kv["os"])}
	if g := kv["gpus"]; g != "" {
		s.GPUs = strings.Split(g, ",")
	}
	return s, nil
}

// readKV reads a key=value file the wrapper wrote, and when it was
// written. It returns nil until the file is whole (ends with end=1).
func readKV(path string) (map[string]string, time.Time, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, err
	}
	kv := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		kv[k] = v
	}
	if err := sc.Err(); err != nil || kv["end"] != "1" {
		return nil, time.Time{}, err
	}
	return kv, info.ModTime(), nil
}

// goOS turns uname -sm's "Linux x86_64" into "linux/amd64", as records from
// the local executor say it.
func goOS(uname string) string {
	sys, arch, _ := strings.Cut(strings.ToLower(strings.TrimSpace(uname)), " ")
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

// signalled reports whether a signal may have ended the trial: Slurm's
// SIGTERM reached the wrapper, or the trial died of one (exit 128+N).
// Slurm signals a job's processes one by one, so when it stops a job
// (scancel, requeue, preemption) the trial can die, and the wrapper write
// its exit file, before the wrapper hears of the signal itself. Such an
// ending waits for Slurm's word on the job.
func (e *ending) signalled() bool { return e.Term || e.ExitCode > 128 }

// readEnding returns nil while the file is not there, or not whole, yet.
func readEnding(dir string) (*ending, error) {
	kv, mtime, err := readKV(filepath.Join(dir, exitName))
	if kv == nil || err != nil {
		return nil, err
	}
	code, err := strconv.Atoi(kv["exit"])
	if err != nil {
		return nil, fmt.Errorf("%s: exit=%q is not a number", filepath.Join(dir, exitName), kv["exit"])
	}
	return &ending{ExitCode: code, Finished: mtime, Term: kv["term"] != "", TimedOut: kv["timedout"] != "",
		Killed: kv["killed"] != "", NotStarted: kv["notstarted"]}, nil
}
