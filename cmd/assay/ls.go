package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/reporter/results/query"
)

type lsOptions struct {
	f          *Factory
	g          *globalOptions
	experiment string
	where      string
	sort       string
	limit      int
	format     string
	fetch      bool
}

func newLsCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &lsOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "ls [--experiment NAME] [--where EXPR] [--sort KEYS] [--limit N] [--format table|json|csv]",
		Short: "List the runs recorded on the results branch",
		Long: `List runs from the results branch, newest first.

--where keeps the runs for which an expression is true. It may use
` + query.Fields + `;
&&, ||, !, comparisons, in, matches, and date("2026-03-01") for times.
A run that lacks a field the expression reads (a metric it never logged)
does not match.

--sort takes comma-separated expressions, each led by - for descending.
Reads go through a local index under .git/assay, so they are fast and work
offline; --fetch brings the branch up to date from the remote first.`,
		Example: `  assay ls --experiment resnet18
  assay ls --where 'metrics.val_acc > 0.9 && params.lr < 0.1' --sort -metrics.val_acc --limit 20
  assay ls --where 'status != "succeeded"' --format json
  assay ls --format csv --limit 0 > runs.csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("ls takes no arguments, got %q; filter with --experiment or --where", strings.Join(args, " "))
			}
			if err := checkFormat(opts.format, "table", "json", "csv"); err != nil {
				return err
			}
			if opts.limit < 0 {
				return usageErrorf("--limit %d: use a positive number, or 0 for every run", opts.limit)
			}
			return runLs(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.experiment, "experiment", "", "only runs of the experiment `NAME`")
	fl.StringVar(&opts.where, "where", "", "only runs for which `EXPR` is true")
	fl.StringVar(&opts.sort, "sort", "", "order by `KEYS`, comma-separated, - for descending (default: newest first)")
	fl.IntVar(&opts.limit, "limit", 50, "show at most `N` runs (0 for all)")
	fl.StringVar(&opts.format, "format", "table", "output format: `table`, json or csv")
	fl.BoolVar(&opts.fetch, "fetch", false, "fetch the results branch from the remote first")
	return cmd
}

// lsRunJSON is one run in ls --format json.
type lsRunJSON struct {
	ID           string             `json:"id"`
	Key          string             `json:"key"`
	Experiment   string             `json:"experiment"`
	Status       string             `json:"status"`
	ExitCode     int                `json:"exit_code"`
	Attempt      int                `json:"attempt"`
	Seed         int64              `json:"seed"`
	Params       map[string]any     `json:"params"`
	Metrics      map[string]float64 `json:"metrics"`
	Started      time.Time          `json:"started"`
	Finished     time.Time          `json:"finished"`
	DurationS    float64            `json:"duration_s"`
	Host         string             `json:"host"`
	GPUs         int                `json:"gpus"`
	SourceCommit string             `json:"source_commit"`
	Trigger      string             `json:"trigger"`
	PR           int                `json:"pr,omitempty"`
	Path         string             `json:"path"`
}

func runLs(opts *lsOptions) error {
	f := opts.f
	ws, err := findWorkspace(f.Dir)
	if err != nil {
		return err
	}
	store, err := openResults(f, opts.g, ws)
	if err != nil {
		return err
	}
	if opts.fetch {
		fetchResults(f, store)
	}
	// The query goes through the runs as the index file holds them, one
	// at a time, keeping only those it matches.
	var sum results.Summary
	var scanErr error
	res, err := query.RunSeq(func(yield func(*results.Entry) bool) {
		sum, scanErr = store.Scan(yield)
	}, query.Options{Experiment: opts.experiment, Where: opts.where, Sort: opts.sort, Limit: opts.limit})
	var qe *query.Error
	if errors.As(err, &qe) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if scanErr != nil {
		return fmt.Errorf("reading the results branch %s: %w", shortBranch(store), scanErr)
	}
	// Records that cannot be read are listed after the runs that can, and
	// make ls exit 1: a run must not vanish from a list without a word.
	unreadable := sum.Unreadable(shortBranch(store), func(l results.RecordLocation) bool {
		return opts.experiment == "" || l.Experiment == opts.experiment
	})
	if err := writeLs(opts, store, sum, res); err != nil {
		return err
	}
	if unreadable != nil {
		fmt.Fprintf(f.IO.ErrOut, "error: %s\n", unreadable)
		return silentError
	}
	return nil
}

// writeLs prints the runs a query kept.
func writeLs(opts *lsOptions, store *results.Store, sum results.Summary, res *query.Result) error {
	f := opts.f
	if res.Matched == 0 && res.Skipped > 0 {
		fmt.Fprintf(f.IO.ErrOut, "warning: --where could not be evaluated for %s (%v)\n", plural(res.Skipped, "run"), res.FirstSkip)
	}
	switch opts.format {
	case "json":
		return writeLsJSON(f, sum, res)
	case "csv":
		return writeLsCSV(f, res.Runs)
	}
	if sum.Runs == 0 && len(sum.Warnings) == 0 {
		fmt.Fprintf(f.IO.ErrOut, "No runs on %s yet; assay run records them.\n", shortBranch(store))
		return nil
	}
	rows := make([][]string, 0, len(res.Runs))
	for _, e := range res.Runs {
		rows = append(rows, []string{e.RunID, e.Experiment, strconv.FormatInt(e.Seed, 10), string(e.Status),
			formatParams(e.Params), formatMetrics(e.Metrics), e.Started.Format("2006-01-02 15:04")})
	}
	if err := writeTable(f.IO.Out, []string{"run", "experiment", "seed", "status", "params", "metrics", "started"}, rows); err != nil {
		return err
	}
	if len(res.Runs) < res.Matched {
		fmt.Fprintf(f.IO.Out, "\nShowing %d of %s (--limit 0 shows all).\n", len(res.Runs), plural(res.Matched, "matching run"))
	} else {
		fmt.Fprintf(f.IO.Out, "\n%s.\n", plural(res.Matched, "run"))
	}
	return nil
}

// formatMetrics renders metric summaries as k=v pairs in name order, with
// four significant digits: enough to scan a list; show has the rest.
func formatMetrics(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.FormatFloat(m[k], 'g', 4, 64)
	}
	return strings.Join(parts, " ")
}

func writeLsJSON(f *Factory, sum results.Summary, res *query.Result) error {
	out := struct {
		Tip     string      `json:"tip"`
		Matched int         `json:"matched"`
		Runs    []lsRunJSON `json:"runs"`
	}{Matched: res.Matched, Runs: []lsRunJSON{}}
	if !sum.Tip.IsZero() {
		out.Tip = sum.Tip.String()
	}
	for _, e := range res.Runs {
		j := lsRunJSON{ID: e.RunID, Key: e.TrialKey, Experiment: e.Experiment, Status: string(e.Status),
			ExitCode: e.ExitCode, Attempt: e.Attempt, Seed: e.Seed, Params: e.Params, Metrics: e.Metrics,
			Started: e.Started, Finished: e.Finished, DurationS: e.DurationS, Host: e.Host, GPUs: e.GPUs,
			SourceCommit: e.SourceCommit, Trigger: e.Trigger, PR: e.PR, Path: e.Path()}
		if j.Params == nil {
			j.Params = map[string]any{}
		}
		if j.Metrics == nil {
			j.Metrics = map[string]float64{}
		}
		out.Runs = append(out.Runs, j)
	}
	enc := json.NewEncoder(f.IO.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeLsCSV writes one row per run, with a params.NAME and a
// metrics.NAME column for every name any listed run has.
func writeLsCSV(f *Factory, runs []*results.Entry) error {
	pset, mset := map[string]bool{}, map[string]bool{}
	for _, e := range runs {
		for k := range e.Params {
			pset[k] = true
		}
		for k := range e.Metrics {
			mset[k] = true
		}
	}
	params, metrics := sortedSet(pset), sortedSet(mset)
	w := csv.NewWriter(f.IO.Out)
	header := []string{"id", "experiment", "key", "status", "exit_code", "seed", "started", "duration_s", "host", "source_commit", "trigger", "pr"}
	for _, p := range params {
		header = append(header, "params."+p)
	}
	for _, m := range metrics {
		header = append(header, "metrics."+m)
	}
	if err := w.Write(header); err != nil {
		return err
	}
	for _, e := range runs {
		row := []string{e.RunID, e.Experiment, e.TrialKey, string(e.Status), strconv.Itoa(e.ExitCode),
			strconv.FormatInt(e.Seed, 10), e.Started.Format(time.RFC3339), strconv.FormatFloat(e.DurationS, 'f', -1, 64),
			e.Host, e.SourceCommit, e.Trigger, ""}
		if e.PR > 0 {
			row[len(row)-1] = strconv.Itoa(e.PR)
		}
		for _, p := range params {
			v, ok := e.Params[p]
			switch {
			case !ok || v == nil:
				row = append(row, "")
			case isString(v):
				row = append(row, v.(string))
			default:
				b, _ := json.Marshal(v)
				row = append(row, string(b))
			}
		}
		for _, m := range metrics {
			if v, ok := e.Metrics[m]; ok {
				row = append(row, strconv.FormatFloat(v, 'g', -1, 64))
			} else {
				row = append(row, "")
			}
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

func isString(v any) bool {
	_, ok := v.(string)
	return ok
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
