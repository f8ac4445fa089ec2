package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
)

// finalResults keeps each trial's last attempt.
func finalResults(rs []*runner.Result) []*runner.Result {
	last := map[string]int{}
	var out []*runner.Result
	for _, r := range rs {
		if i, ok := last[r.TrialKey]; ok {
			out[i] = r
			continue
		}
		last[r.TrialKey] = len(out)
		out = append(out, r)
	}
	return out
}

func skippedText(n int, sharded bool) string {
	if n == 0 {
		return ""
	}
	what := "already recorded"
	if sharded {
		what = "this shard's, already recorded"
	}
	return fmt.Sprintf(" (%d skipped: %s; --rerun runs them again)", n, what)
}

func printDryRun(opts *runOptions, sides []*runSide, where string) error {
	f := opts.f
	jobs, skipped := sideJobs(sides)
	if opts.format == "json" {
		out := struct {
			Trials  []runner.TrialDocument `json:"trials"`
			Skipped int                    `json:"skipped"`
		}{Trials: []runner.TrialDocument{}, Skipped: skipped}
		for _, s := range sides {
			for _, j := range s.jobs {
				td := runner.TrialDocumentOf(j.Trial)
				td.Action, td.Side = "run", sideName(s)
				out.Trials = append(out.Trials, td)
			}
		}
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	mixed := mixedSides(sides)
	rows := make([][]string, 0, len(jobs))
	for _, s := range sides {
		for _, j := range s.jobs {
			t := j.Trial
			timeout := "-"
			if t.Runner.Timeout > 0 {
				timeout = t.Runner.Timeout.String()
			}
			row := []string{t.Experiment}
			if mixed {
				row = append(row, sideName(s))
			}
			rows = append(rows, append(row, formatParams(t.Params), fmt.Sprint(t.Seed), fmt.Sprint(t.Runner.GPUs), timeout, t.ShortKey()))
		}
	}
	if len(rows) > 0 {
		header := []string{"experiment"}
		if mixed {
			header = append(header, "side")
		}
		if err := writeTable(f.IO.Out, append(header, "params", "seed", "gpus", "timeout", "key"), rows); err != nil {
			return err
		}
		fmt.Fprintln(f.IO.Out)
	}
	fmt.Fprintf(f.IO.Out, "Would run %s%s with %s. Nothing was run (--dry-run).\n", plural(len(jobs), "trial"), skippedText(skipped, opts.shard != ""), where)
	return nil
}

type runJSON struct {
	Runs    []*runner.Result `json:"runs"`
	Skipped int              `json:"skipped"`
	// NotStarted counts the trials a Ctrl-C stopped before they started.
	NotStarted int `json:"not_started,omitempty"`
}

func writeRunJSON(f *Factory, runs []*runner.Result, skipped, notStarted int) error {
	if runs == nil {
		runs = []*runner.Result{}
	}
	enc := json.NewEncoder(f.IO.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(runJSON{Runs: runs, Skipped: skipped, NotStarted: notStarted})
}

// printRunSummary prints the table of finished trials. spooled says the
// results stay in the spool (no results branch could be opened); otherwise
// they are about to be recorded, and failures point at assay show.
func printRunSummary(opts *runOptions, jobs []*runner.Job, runs []*runner.Result, skipped int, spoolDir string, spooled bool) error {
	f := opts.f
	final := finalResults(runs)
	if opts.format == "json" {
		return writeRunJSON(f, runs, skipped, len(jobs)-len(final))
	}
	order := map[string]int{}
	for i, j := range jobs {
		order[j.Trial.Key] = i
	}
	sort.SliceStable(final, func(a, b int) bool { return order[final[a].TrialKey] < order[final[b].TrialKey] })
	byKey := map[string]*runner.Result{}
	for _, r := range final {
		byKey[r.TrialKey] = r
	}
	// Every trial of the batch has a row: one that never started (Ctrl-C
	// came first) says so rather than vanishing from the count.
	rows := make([][]string, 0, len(jobs))
	counts := map[runner.Status]int{}
	notStarted := 0
	for _, j := range jobs {
		r := byKey[j.Trial.Key]
		if r == nil {
			notStarted++
			rows = append(rows, []string{j.Trial.Experiment, formatParams(j.Trial.Params), fmt.Sprint(j.Trial.Seed), "not started", "-", "0", ""})
			continue
		}
		counts[r.Status]++
		attempts := fmt.Sprint(r.Attempt)
		rows = append(rows, []string{r.Experiment, formatParams(r.Params), fmt.Sprint(r.Seed), string(r.Status),
			shortDuration(time.Duration(r.DurationS * float64(time.Second))), attempts, metricsText(r.Metrics, 4)})
	}
	fmt.Fprintln(f.IO.Out)
	if err := writeTable(f.IO.Out, []string{"experiment", "params", "seed", "status", "time", "attempts", "metrics"}, rows); err != nil {
		return err
	}
	var parts []string
	for _, st := range []runner.Status{runner.StatusSucceeded, runner.StatusStopped, runner.StatusFailed, runner.StatusTimedOut, runner.StatusCancelled} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	if notStarted > 0 {
		parts = append(parts, fmt.Sprintf("%d not started", notStarted))
	}
	fmt.Fprintf(f.IO.Out, "\n%s: %s%s.\n", plural(len(jobs), "trial"), strings.Join(parts, ", "), skippedText(skipped, opts.shard != ""))
	if stopped := counts[runner.StatusCancelled] + notStarted; stopped > 0 {
		fmt.Fprintf(f.IO.Out, "Run the same command again to run the %s with no succeeded result.\n", plural(stopped+counts[runner.StatusFailed]+counts[runner.StatusTimedOut], "trial"))
	}
	rel, err := filepath.Rel(f.Dir, spoolDir)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = spoolDir
	}
	if spooled {
		fmt.Fprintf(f.IO.Out, "Results are in %s until the results branch records them.\n", rel)
	}
	for _, r := range final {
		if r.Status != runner.StatusSucceeded && r.Status != runner.StatusCancelled && r.Status != runner.StatusStopped {
			msg := r.Error
			if msg == "" {
				msg = fmt.Sprintf("exit code %d", r.ExitCode)
			}
			name := strings.Join(strings.Fields(fmt.Sprintf("%s %s seed=%d", r.Experiment, formatParams(r.Params), r.Seed)), " ")
			if spooled {
				fmt.Fprintf(f.IO.ErrOut, "%s %s: %s\n  log: %s\n", name, r.Status, msg, filepath.Join(rel, r.RunID, spool.LogFile))
			} else {
				fmt.Fprintf(f.IO.ErrOut, "%s %s: %s\n  log: assay show %s\n", name, r.Status, msg, r.RunID)
			}
		}
	}
	return nil
}
