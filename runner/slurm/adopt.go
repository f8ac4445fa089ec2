package slurm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// adopt takes over what an earlier assay left for this batch's trials: a
// job still queued or running is followed instead of submitted again, and
// a finished one that was never recorded is recorded now. Spool
// directories are matched to trials by the trial key in attempt.json; a
// job whose id never made it into attempt.json (assay killed right after
// sbatch) is found by its script path in squeue. A directory whose job is
// gone without an exit file is removed and its trial submitted afresh.
func (x *execution) adopt(ctx context.Context) error {
	entries, err := os.ReadDir(x.dir)
	if err != nil {
		return fmt.Errorf("cannot read the slurm spool directory: %w", err)
	}
	queued := map[string]*pending{}
	for _, p := range x.queue {
		queued[p.job.Trial.Key] = p
	}
	type found struct {
		dir string
		af  *attemptFile
	}
	latest := map[string]found{}
	var ids []string
	needScripts := false
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(x.dir, e.Name())
		af, err := readAttempt(dir)
		if err != nil || queued[af.TrialKey] == nil {
			continue // not this batch's, or not a run directory
		}
		if cur, ok := latest[af.TrialKey]; ok && cur.af.Attempt > af.Attempt {
			continue
		}
		latest[af.TrialKey] = found{dir, af}
		if af.JobID != "" {
			ids = append(ids, af.JobID)
		} else {
			needScripts = true
		}
	}
	if len(latest) == 0 {
		return nil
	}
	states, err := x.x.cmds.states(ctx, ids)
	if err != nil {
		return fmt.Errorf("cannot ask Slurm about the jobs an earlier assay run submitted: %w", err)
	}
	var scripts map[string]jobState
	if needScripts {
		if scripts, err = x.x.cmds.scripts(ctx); err != nil {
			return fmt.Errorf("cannot ask Slurm about the jobs an earlier assay run submitted: %w", err)
		}
	}
	adopted := map[string]bool{}
	for key, f := range latest {
		jobID := f.af.JobID
		if jobID == "" {
			if st, ok := scripts[filepath.Join(f.dir, scriptName)]; ok {
				jobID = st.ID
			}
		}
		_, live := states[jobID]
		if jobID != "" && !live {
			_, live = scripts[filepath.Join(f.dir, scriptName)]
		}
		end, _ := readEnding(f.dir)
		if end == nil && !live {
			os.RemoveAll(f.dir)
			continue
		}
		p := queued[key]
		a := &attempt{job: p.job, n: max(f.af.Attempt, 1), runID: f.af.RunID, dir: f.dir, jobID: jobID, submitted: f.af.Submitted}
		if err := a.openCollector(); err != nil {
			a.warnings = append(a.warnings, err.Error())
		}
		a.warnings = append(a.warnings, fmt.Sprintf("adopted: submitted by an earlier assay run as Slurm job %s", orNone(jobID)))
		x.flight = append(x.flight, a)
		if p.job.Trial.Runner.GPUs == 0 {
			x.cpuBusy++
		}
		adopted[key] = true
	}
	var left []*pending
	for _, p := range x.queue {
		if !adopted[p.job.Trial.Key] {
			left = append(left, p)
		}
	}
	x.queue = left
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(id unknown)"
	}
	return s
}
