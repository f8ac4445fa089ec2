package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
)

type showOptions struct {
	f      *Factory
	g      *globalOptions
	id     string
	format string
	noLog  bool
}

func newShowCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &showOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "show RUN_ID [--format text|json]",
		Short: "Show one recorded run: params, metrics, system, timings and log tail",
		Long: `Show everything the results branch holds about one run. RUN_ID may be any
unique prefix of the run id, as git takes for commits (assay ls lists ids).
Each metric shows its summary and the range of its recorded series.`,
		Example: `  assay show 20260301T120000.000Z-7k3m9q2xa4
  assay show 20260301T1200
  assay show 20260301T1200 --format json | jq .record.metrics`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("show takes one RUN_ID (assay ls lists them)")
			}
			if err := checkFormat(opts.format, "text", "json"); err != nil {
				return err
			}
			opts.id = args[0]
			return runShow(opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", "text", "output format: `text` or json")
	cmd.Flags().BoolVar(&opts.noLog, "no-log", false, "leave out the log tail")
	return cmd
}

type showJSON struct {
	Path   string                    `json:"path"`
	Record *runner.Result            `json:"record"`
	Series map[string][]runner.Point `json:"series"`
	Log    *string                   `json:"log"`
	// Artifacts is the manifest as it stands (pending entries a later
	// sync uploaded are no longer pending).
	Artifacts []artifactJSON `json:"artifacts"`
}

func runShow(opts *showOptions) error {
	f := opts.f
	ws, err := findWorkspace(f.Dir)
	if err != nil {
		return err
	}
	store, err := openResults(f, opts.g, ws)
	if err != nil {
		return err
	}
	d, err := store.Run(opts.id)
	if errors.Is(err, results.ErrNoRun) {
		return fmt.Errorf("%w; assay ls lists the recorded runs", err)
	}
	if err != nil {
		return err
	}
	arts, err := viewArtifacts(f.Context, store, d)
	if err != nil {
		return err
	}
	if opts.format == "json" {
		out := showJSON{Path: d.Path, Record: d.Result, Series: jsonSafeSeries(d.Series), Artifacts: []artifactJSON{}}
		for _, a := range arts.files {
			out.Artifacts = append(out.Artifacts, artifactJSON{ArtifactFile: a, Link: arts.link(a)})
		}
		if d.Log != nil && !opts.noLog {
			s := string(d.Log)
			out.Log = &s
		}
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	writeShow(f.IO.Out, d, arts, !opts.noLog)
	return nil
}

// jsonSafeSeries drops the NaN points (gaps) that JSON cannot carry.
func jsonSafeSeries(s map[string][]runner.Point) map[string][]runner.Point {
	out := make(map[string][]runner.Point, len(s))
	for k, pts := range s {
		kept := make([]runner.Point, 0, len(pts))
		for _, p := range pts {
			if !math.IsNaN(p.Value) && !math.IsInf(p.Value, 0) {
				kept = append(kept, p)
			}
		}
		out[k] = kept
	}
	return out
}

func writeShow(w io.Writer, d *results.RunDetail, arts *runArtifactsView, withLog bool) {
	r := d.Result
	field := func(name, format string, args ...any) {
		fmt.Fprintf(w, "%-11s %s\n", name, fmt.Sprintf(format, args...))
	}
	field("run", "%s", r.RunID)
	field("experiment", "%s", r.Experiment)
	field("key", "%s", r.TrialKey)
	field("status", "%s (exit %d, attempt %d)", r.Status, r.ExitCode, r.Attempt)
	field("seed", "%d", r.Seed)
	src := r.SourceCommit
	if src == "" {
		src = "no commit (run outside a git repository or before its first commit)"
	}
	if r.Trigger != "" {
		src += ", trigger " + r.Trigger
	}
	if r.PR > 0 {
		src += fmt.Sprintf(", PR #%d", r.PR)
	}
	field("source", "%s", src)
	field("started", "%s", r.Started.UTC().Format("2006-01-02 15:04:05 MST"))
	field("finished", "%s (%s)", r.Finished.UTC().Format("2006-01-02 15:04:05 MST"), (time.Duration(r.DurationS * float64(time.Second))).Round(time.Millisecond))
	field("command", "%s", strings.Join(r.Command, " "))
	field("workdir", "%s", r.Workdir)
	field("executor", "%s", r.Executor)
	field("labels", "%s", orNone(strings.Join(r.Labels, ",")))
	field("path", "%s", d.Path)
	for _, warn := range r.Warnings {
		field("warning", "%s", warn)
	}

	fmt.Fprintln(w, "\nparams")
	if len(r.Params) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	for _, k := range sortedKeys(r.Params) {
		b, _ := json.Marshal(r.Params[k])
		if s, ok := r.Params[k].(string); ok {
			b = []byte(s)
		}
		fmt.Fprintf(w, "  %-20s %s\n", k, b)
	}

	fmt.Fprintln(w, "\nmetrics")
	names := map[string]bool{}
	for k := range r.Metrics {
		names[k] = true
	}
	for k := range d.Series {
		names[k] = true
	}
	if len(names) == 0 {
		fmt.Fprintln(w, "  (none)")
	} else {
		rows := [][]string{}
		for _, k := range sortedSet(names) {
			summary := "-"
			if v, ok := r.Metrics[k]; ok {
				// As many digits as the series columns; --format json has
				// the exact value.
				summary = strconv.FormatFloat(v, 'g', 5, 64)
			}
			n, lo, hi, last := seriesStats(d.Series[k])
			rows = append(rows, []string{k, summary, strconv.Itoa(n), lo, hi, last})
		}
		var b strings.Builder
		writeTable(&b, []string{"name", "summary", "points", "min", "max", "last"}, rows)
		for _, line := range strings.SplitAfter(b.String(), "\n") {
			if line != "" {
				fmt.Fprint(w, "  "+line)
			}
		}
	}

	fmt.Fprintln(w, "\nsystem")
	sys := r.System
	fmt.Fprintf(w, "  %-20s %s\n", "host", sys.Host)
	if sys.OS != "" {
		fmt.Fprintf(w, "  %-20s %s\n", "os", sys.OS)
	}
	if len(r.GPUs) > 0 {
		// The ids alone ("0") read as a count of none.
		devices := "device"
		if len(r.GPUs) > 1 {
			devices += "s"
		}
		fmt.Fprintf(w, "  %-20s %d (%s %s)\n", "gpus", len(r.GPUs), devices, strings.Join(r.GPUs, ","))
	}
	if sys.GPUModel != "" {
		fmt.Fprintf(w, "  %-20s %s (driver %s)\n", "gpu model", sys.GPUModel, sys.GPUDriver)
	}
	if sys.GPUPeakMemoryMiB > 0 {
		fmt.Fprintf(w, "  %-20s %.0f MiB\n", "gpu peak memory", sys.GPUPeakMemoryMiB)
	}
	if sys.GPUUtilMean > 0 {
		fmt.Fprintf(w, "  %-20s %.0f%%\n", "gpu util mean", sys.GPUUtilMean)
	}

	if arts != nil {
		writeShowArtifacts(w, arts)
	}
	if !withLog {
		return
	}
	fmt.Fprintln(w, "\nlog tail")
	if d.Log == nil {
		fmt.Fprintln(w, "  (no log was recorded)")
		return
	}
	if len(d.Log) == 0 {
		fmt.Fprintln(w, "  (the trial printed nothing)")
		return
	}
	for _, line := range strings.SplitAfter(string(d.Log), "\n") {
		if line != "" {
			fmt.Fprint(w, "  "+line)
		}
	}
	if len(d.Log) > 0 && d.Log[len(d.Log)-1] != '\n' {
		fmt.Fprintln(w)
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func seriesStats(pts []runner.Point) (n int, lo, hi, last string) {
	if len(pts) == 0 {
		return 0, "-", "-", "-"
	}
	mn, mx := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		if math.IsNaN(p.Value) {
			continue
		}
		mn, mx = math.Min(mn, p.Value), math.Max(mx, p.Value)
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 5, 64) }
	return len(pts), g(mn), g(mx), g(pts[len(pts)-1].Value)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
