package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/assaylab/assay/spec"
)

type planOptions struct {
	f      *Factory
	g      *globalOptions
	all    bool
	format string
}

func newPlanCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &planOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "plan --all [--format table|json]",
		Short: "List the trials the project's experiments expand to",
		Long: `List every trial of every experiment: params ⊕ sweep point ⊕ seed, with its
runner labels, GPUs and trial key. The table shows a short key prefix; JSON
has the full key.`,
		Example: `  assay plan --all
  assay plan --all --format json | jq '.trials[].key'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("plan takes no arguments, got %q", strings.Join(args, " "))
			}
			if err := checkFormat(opts.format, "table", "json"); err != nil {
				return err
			}
			if !opts.all {
				return usageErrorf("plan needs --all: planning against a base commit is not available yet")
			}
			return runPlan(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.all, "all", false, "plan every trial of every experiment")
	cmd.Flags().StringVar(&opts.format, "format", "table", "output format: `table` or json")
	return cmd
}

type planTrialJSON struct {
	Experiment string            `json:"experiment"`
	Index      int               `json:"index"`
	Key        string            `json:"key"`
	Config     int               `json:"config"`
	Params     json.RawMessage   `json:"params"`
	Seed       int64             `json:"seed"`
	Command    []string          `json:"command"`
	Env        map[string]string `json:"env"`
	Workdir    string            `json:"workdir"`
	Labels     []string          `json:"labels"`
	GPUs       int               `json:"gpus"`
	Timeout    string            `json:"timeout,omitempty"`
	Retries    int               `json:"retries"`
}

func runPlan(opts *planOptions) error {
	f := opts.f
	ws, err := findWorkspace(f.Dir)
	if err != nil {
		return err
	}
	project, err := loadProject(f, opts.g, ws, nil)
	if err != nil {
		return err
	}
	var trials []*spec.Trial
	for _, e := range project.Experiments {
		ts, diags := e.Trials("")
		if diags.HasErrors() {
			printDiagnostics(f, project.Files, diags)
			return silentError
		}
		trials = append(trials, ts...)
	}
	if opts.format == "json" {
		out := struct {
			Trials []planTrialJSON `json:"trials"`
		}{Trials: []planTrialJSON{}}
		for _, t := range trials {
			j := planTrialJSON{
				Experiment: t.Experiment, Index: t.Index, Key: t.Key, Config: t.Config,
				Params: json.RawMessage(t.ParamsJSON), Seed: t.Seed, Command: t.Command, Env: t.Env,
				Workdir: t.Workdir, Labels: t.Runner.Labels, GPUs: t.Runner.GPUs, Retries: t.Runner.Retries,
			}
			if j.Env == nil {
				j.Env = map[string]string{}
			}
			if t.Runner.Timeout > 0 {
				j.Timeout = t.Runner.Timeout.String()
			}
			out.Trials = append(out.Trials, j)
		}
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	rows := make([][]string, 0, len(trials))
	for _, t := range trials {
		rows = append(rows, []string{
			t.Experiment, formatParams(t.Params), fmt.Sprint(t.Seed),
			strings.Join(t.Runner.Labels, ","), fmt.Sprint(t.Runner.GPUs), t.ShortKey(),
		})
	}
	if err := writeTable(f.IO.Out, []string{"experiment", "params", "seed", "labels", "gpus", "key"}, rows); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.Out, "\n%s in %s.\n", plural(len(trials), "trial"), plural(len(project.Experiments), "experiment"))
	return nil
}

// formatParams renders params as k=v pairs in name order.
func formatParams(params map[string]any) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := params[k]
		var s string
		switch x := v.(type) {
		case string:
			s = x
		default:
			b, _ := json.Marshal(x)
			s = string(b)
		}
		parts[i] = k + "=" + s
	}
	return strings.Join(parts, " ")
}
