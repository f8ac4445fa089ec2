package slurm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"os/user"
	"sort"
	"strconv"
	"strings"
	"time"
)

// commands runs Slurm's client commands. Each field is the command's path
// or name on PATH.
type commands struct {
	sbatch, squeue, scancel, sinfo string
	// env is the environment they run in (nil: assay's).
	env []string
}

// cliError is a Slurm command that failed, with what it printed.
type cliError struct {
	cmd    string
	err    error
	stderr string
}

func (e *cliError) Error() string {
	msg := strings.TrimSpace(e.stderr)
	if msg == "" {
		msg = e.err.Error()
	}
	return fmt.Sprintf("%s: %s", e.cmd, msg)
}

func (e *cliError) Unwrap() error { return e.err }

// run runs one command with a deadline, returning its stdout.
func (c *commands) run(ctx context.Context, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if env != nil {
		cmd.Env = env
	} else {
		cmd.Env = c.env
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), &cliError{cmd: shortName(name), err: err, stderr: errb.String()}
	}
	return out.String(), nil
}

func shortName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// transient reports whether a failed command might succeed if tried again:
// the controller was busy or briefly unreachable.
func transient(err error) bool {
	var ce *cliError
	if !errors.As(err, &ce) {
		return false
	}
	s := strings.ToLower(ce.stderr)
	for _, sub := range []string{"socket timed out", "unable to contact slurm controller", "connection refused",
		"temporarily unable", "try again", "slurm_persist_conn", "communication connection failure", "resource temporarily unavailable"} {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// submit runs sbatch with args and the job's environment, and returns the
// job id. sbatch --parsable prints "id" or "id;cluster".
func (c *commands) submit(ctx context.Context, env []string, args []string) (string, error) {
	out, err := c.run(ctx, env, c.sbatch, args...)
	if err != nil {
		return "", err
	}
	id, _, _ := strings.Cut(strings.TrimSpace(out), ";")
	if id == "" || strings.ContainsAny(id, " \n") {
		return "", fmt.Errorf("sbatch printed %q where a job id was expected", strings.TrimSpace(out))
	}
	return id, nil
}

// cancel asks Slurm to stop jobs: queued ones are removed, running ones
// get SIGTERM and, after the cluster's KillWait, SIGKILL.
func (c *commands) cancel(ctx context.Context, ids []string) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		if _, err := c.run(ctx, nil, c.scancel, ids[:n]...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// jobState is what squeue says about one job.
type jobState struct {
	ID    string
	State string
	// Reason is why a pending job waits, or why a job ended.
	Reason   string
	Restarts int
	Name     string
	// Command is the batch script's path.
	Command string
}

// terminal reports whether the job has ended in Slurm's eyes.
func (s jobState) terminal() bool {
	switch s.State {
	case "PENDING", "RUNNING", "SUSPENDED", "COMPLETING", "CONFIGURING", "RESIZING", "REQUEUED",
		"REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD", "SIGNALING", "STAGE_OUT", "STOPPED", "SPECIAL_EXIT":
		return false
	}
	return true
}

// requeued reports whether Slurm has put the job back in the queue after
// it started (an admin's scontrol requeue, a node failure, preemption).
func (s jobState) requeued() bool {
	if s.Restarts > 0 {
		return true
	}
	switch s.State {
	case "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "SPECIAL_EXIT":
		return true
	}
	return false
}

// squeueFormat asks for exactly the fields jobState holds, |-separated.
const squeueFormat = "JobID:|,State:|,Reason:|,RestartCnt:|,Name:|,Command:|"

// states returns what squeue knows of the given jobs, finished ones
// included until the controller forgets them (MinJobAge). A job missing
// from the answer has been forgotten.
func (c *commands) states(ctx context.Context, ids []string) (map[string]jobState, error) {
	out := map[string]jobState{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		text, err := c.run(ctx, nil, c.squeue, "--noheader", "--states=all", "--jobs="+strings.Join(ids[:n], ","), "--Format="+squeueFormat)
		if err != nil {
			// squeue fails when none of the ids is known any more.
			var ce *cliError
			if errors.As(err, &ce) && strings.Contains(ce.stderr, "Invalid job id") {
				ids = ids[n:]
				continue
			}
			return nil, err
		}
		for id, s := range parseStates(text) {
			out[id] = s
		}
		ids = ids[n:]
	}
	return out, nil
}

// scripts lists the unfinished jobs of the user assay runs as, by their
// batch script: a job whose id an earlier assay did not live to write
// down is still found by its spool directory.
func (c *commands) scripts(ctx context.Context) (map[string]jobState, error) {
	me := "--me"
	if u, err := user.Current(); err == nil {
		me = "--user=" + u.Username // --me is Slurm 20.11 and later
	}
	text, err := c.run(ctx, nil, c.squeue, "--noheader", me, "--Format="+squeueFormat)
	if err != nil {
		return nil, err
	}
	out := map[string]jobState{}
	for _, s := range parseStates(text) {
		if s.Command != "" && s.Command != "(null)" {
			out[s.Command] = s
		}
	}
	return out, nil
}

func parseStates(text string) map[string]jobState {
	out := map[string]jobState{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) < 6 || f[0] == "" {
			continue
		}
		s := jobState{ID: f[0], State: strings.TrimSpace(f[1]), Reason: f[2], Name: f[4], Command: f[5]}
		// A state can carry a suffix such as "CANCELLED by 0".
		s.State, _, _ = strings.Cut(s.State, " ")
		s.Restarts, _ = strconv.Atoi(f[3])
		out[s.ID] = s
	}
	return out
}

// partition is what the executor needs to know about where its jobs go.
type partition struct {
	// Name is the partition, or the cluster's default one.
	Name string
	// Features are every feature some node offers.
	Features []string
	// MaxGPUs is the most GPUs any one node has; GPUTypes the most of each
	// type.
	MaxGPUs  int
	GPUTypes map[string]int
	Nodes    int
}

// partitionInfo asks sinfo about the nodes of the named partitions
// (comma-separated, as sbatch takes them), or of the default partition.
func (c *commands) partitionInfo(ctx context.Context, name string) (*partition, error) {
	text, err := c.run(ctx, nil, c.sinfo, "--noheader", "--Node", "--format=%N|%P|%f|%G")
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, p := range strings.Split(name, ",") {
		if p = strings.TrimSpace(p); p != "" {
			want[p] = true
		}
	}
	info := &partition{Name: name, GPUTypes: map[string]int{}}
	features := map[string]bool{}
	nodes := map[string]bool{}
	var all []string
	for _, line := range strings.Split(text, "\n") {
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) < 4 {
			continue
		}
		part := f[1]
		isDefault := strings.HasSuffix(part, "*")
		part = strings.TrimSuffix(part, "*")
		all = append(all, part)
		if len(want) > 0 && !want[part] || len(want) == 0 && !isDefault {
			continue
		}
		if len(want) == 0 {
			info.Name = part
		}
		nodes[f[0]] = true
		if f[2] != "(null)" {
			for _, ft := range strings.Split(f[2], ",") {
				if ft != "" {
					features[ft] = true
				}
			}
		}
		total, types := parseGres(f[3])
		info.MaxGPUs = max(info.MaxGPUs, total)
		for t, n := range types {
			info.GPUTypes[t] = max(info.GPUTypes[t], n)
		}
	}
	if len(nodes) == 0 {
		all = uniq(all)
		if name == "" {
			return nil, fmt.Errorf("Slurm has no default partition (sinfo lists %s); set partition in executor \"slurm\" in assay.hcl", listOr(all, "no partitions"))
		}
		return nil, fmt.Errorf("Slurm has no partition %q with nodes (sinfo lists %s); fix partition in executor \"slurm\" in assay.hcl", name, listOr(all, "no partitions"))
	}
	info.Nodes = len(nodes)
	for ft := range features {
		info.Features = append(info.Features, ft)
	}
	sort.Strings(info.Features)
	return info, nil
}

// parseGres reads a node's generic resources as sinfo prints them, e.g.
// "gpu:a100:4(S:0-1),gpu:v100:2,nic:1", and returns its GPUs in all and
// by type.
func parseGres(s string) (total int, types map[string]int) {
	types = map[string]int{}
	depth, start := 0, 0
	var items []string
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				items = append(items, s[start:i])
				start = i + 1
			}
		}
	}
	items = append(items, s[start:])
	for _, it := range items {
		if i := strings.IndexByte(it, '('); i >= 0 {
			it = it[:i]
		}
		parts := strings.Split(it, ":")
		if len(parts) < 2 || parts[0] != "gpu" {
			continue
		}
		n, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil {
			continue
		}
		total += n
		if len(parts) == 3 {
			types[parts[1]] += n
		}
	}
	return total, types
}

func uniq(ss []string) []string {
	sort.Strings(ss)
	out := ss[:0]
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func listOr(ss []string, none string) string {
	if len(ss) == 0 {
		return none
	}
	return strings.Join(ss, ", ")
}
