package compare

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// trialState is where a trial stands on its side.
type trialState int

const (
	trialOK trialState = iota
	trialFailed
	trialMissing
	// trialStopped: early stopping ended the trial of a search; its
	// partial values are the search's evidence, not a result to compare.
	trialStopped
)

// outcome is a trial with the recorded runs that decide its values.
type outcome struct {
	trial *spec.Trial
	state trialState
	// result is the run whose values count: the latest that succeeded,
	// else the latest run; nil when missing.
	result *runner.Result
	// first is the earliest run that succeeded: where the trial first
	// ran, for reuse.
	first *runner.Result
	// runs are all recorded runs of the key, for scheduled history.
	runs []*runner.Result
}

// resolve looks up a trial's runs and picks the one that counts. A
// succeeded run wins over any failure: a later scheduled rerun that
// crashed does not undo a recorded result.
func resolve(t *spec.Trial, lookup func(string) []*runner.Result) *outcome {
	o := &outcome{trial: t, state: trialMissing}
	if lookup == nil {
		return o
	}
	for _, r := range lookup(t.Key) {
		if r == nil {
			continue
		}
		o.runs = append(o.runs, r)
	}
	sort.SliceStable(o.runs, func(i, j int) bool { return runBefore(o.runs[i], o.runs[j]) })
	for _, r := range o.runs {
		if r.Status == runner.StatusSucceeded {
			if o.first == nil {
				o.first = r
			}
			o.result, o.state = r, trialOK
		}
	}
	if o.state == trialMissing && len(o.runs) > 0 {
		o.result, o.state = o.runs[len(o.runs)-1], trialFailed
		for _, r := range o.runs {
			if r.Status == runner.StatusStopped {
				o.result, o.state = r, trialStopped
			}
		}
	}
	return o
}

// dropStopped leaves out the configs whose every trial was stopped early:
// a search's partial evidence, with no value to compare. It returns how
// many it left out.
func dropStopped(cfgs []*sideConfig) ([]*sideConfig, int) {
	var out []*sideConfig
	n := 0
	for _, c := range cfgs {
		if len(c.trials) > 0 && c.count(trialStopped) == len(c.trials) {
			n++
			continue
		}
		out = append(out, c)
	}
	return out, n
}

// runBefore orders runs by when they finished, then by run id, so the
// choice of "latest" never depends on lookup order.
func runBefore(a, b *runner.Result) bool {
	if !a.Finished.Equal(b.Finished) {
		return a.Finished.Before(b.Finished)
	}
	return a.RunID < b.RunID
}

// sideConfig is one param point of one side with its trials' outcomes.
type sideConfig struct {
	index      int
	paramsJSON string
	params     map[string]any
	label      string
	trials     []*outcome
}

// groupConfigs groups a side's trials by param point, in expansion order.
func groupConfigs(trials []*spec.Trial, lookup func(string) []*runner.Result) []*sideConfig {
	var out []*sideConfig
	byParams := map[string]*sideConfig{}
	for _, t := range trials {
		pj := t.ParamsJSON
		if pj == "" {
			pj = "{}"
		}
		c := byParams[pj]
		if c == nil {
			c = &sideConfig{index: t.Config, paramsJSON: pj, params: t.Params, label: ParamsLabel(t.Params)}
			byParams[pj] = c
			out = append(out, c)
		}
		c.trials = append(c.trials, resolve(t, lookup))
	}
	return out
}

// count returns how many of the config's trials are in state s.
func (c *sideConfig) count(s trialState) int {
	n := 0
	for _, o := range c.trials {
		if o.state == s {
			n++
		}
	}
	return n
}

// sample collects one metric's values over the config's succeeded trials.
// Failed and missing trials give no value.
func (c *sideConfig) sample(metric string) *Sample {
	var vals []float64
	absent := 0
	for _, o := range c.trials {
		if o.state != trialOK {
			continue
		}
		v, ok := o.result.Metrics[metric]
		if !ok {
			absent++
			continue
		}
		vals = append(vals, v)
	}
	s := NewSample(vals)
	s.Absent = absent
	return s
}

func (c *sideConfig) model() *Config {
	if c == nil {
		return nil
	}
	return &Config{
		Label: c.label, Params: json.RawMessage(c.paramsJSON), Index: c.index,
		Trials: len(c.trials), Succeeded: c.count(trialOK), Failed: c.count(trialFailed), Missing: c.count(trialMissing),
		Stopped: c.count(trialStopped),
	}
}

// ParamsLabel renders params as k=v pairs in name order, the way tables
// show a config; strings appear bare, everything else as JSON.
func ParamsLabel(params map[string]any) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		var s string
		switch x := params[k].(type) {
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
