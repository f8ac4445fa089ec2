package drift

import (
	"sort"
	"time"

	"github.com/assaylab/assay/reporter/compare"
)

// Observation is one scheduled run that succeeded: the caller filters the
// results branch for them.
type Observation struct {
	Params  map[string]any
	Started time.Time
	Metrics map[string]float64
	// Batch is the run's batch (runner.Result.Batch): the runs of one
	// nightly workflow run, all shards together, are one night.
	Batch string
}

// Metric is a metric as the experiment's spec declares it.
type Metric struct {
	Name      string
	Goal      string
	Tolerance float64
}

// NightOf is the night a run without a batch belongs to: the UTC date it
// started. Runs with a batch form one night per batch (see BuildSeries).
func NightOf(t time.Time) string { return t.UTC().Format("2006-01-02") }

// batchNights names each batch's night by its first run's start and the
// batch ("2026-03-08T03:00:05Z github-1234"): it sorts with, and after,
// dates, and two scheduled runs of one day (even of one second) are two
// nights.
func batchNights(obs []Observation) map[string]string {
	first := map[string]time.Time{}
	for _, o := range obs {
		if o.Batch == "" {
			continue
		}
		if t, ok := first[o.Batch]; !ok || o.Started.Before(t) {
			first[o.Batch] = o.Started
		}
	}
	out := make(map[string]string, len(first))
	for b, t := range first {
		out[b] = t.UTC().Format("2006-01-02T15:04:05Z") + " " + b
	}
	return out
}

// BuildSeries groups an experiment's observations into one series per
// config and judged metric, nights oldest first. Metrics without a goal
// are left out: they are reported, never judged.
func BuildSeries(experiment string, metrics []Metric, obs []Observation) []Series {
	type key struct{ config, metric string }
	values := map[key]map[string][]float64{}
	var keys []key
	nights := batchNights(obs)
	for _, o := range obs {
		config := compare.ParamsLabel(o.Params)
		for _, m := range metrics {
			if !Judged(m.Goal) {
				continue
			}
			v, ok := o.Metrics[m.Name]
			if !ok {
				continue
			}
			k := key{config, m.Name}
			if values[k] == nil {
				values[k] = map[string][]float64{}
				keys = append(keys, k)
			}
			night := NightOf(o.Started)
			if o.Batch != "" {
				night = nights[o.Batch]
			}
			values[k][night] = append(values[k][night], v)
		}
	}
	byName := map[string]Metric{}
	for _, m := range metrics {
		byName[m.Name] = m
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].config != keys[j].config {
			return keys[i].config < keys[j].config
		}
		return keys[i].metric < keys[j].metric
	})
	out := make([]Series, 0, len(keys))
	for _, k := range keys {
		m := byName[k.metric]
		s := Series{Experiment: experiment, Config: k.config, Metric: k.metric, Goal: m.Goal, Tolerance: m.Tolerance}
		dates := make([]string, 0, len(values[k]))
		for d := range values[k] {
			dates = append(dates, d)
		}
		sort.Strings(dates)
		for _, d := range dates {
			s.Nights = append(s.Nights, Night{Date: d, Values: values[k][d]})
		}
		out = append(out, s)
	}
	return out
}

// Finding is the verdict on an experiment's latest night.
type Finding struct {
	Experiment string `json:"experiment"`
	// Night is the experiment's latest night with runs.
	Night string `json:"night"`
	// Verdict is Drifting when any series drifts that night, Stable when
	// every series that ran has a verdict and none drifts, Insufficient
	// otherwise.
	Verdict string `json:"verdict"`
	// Judgements are those of the series that ran on Night, drifting
	// first.
	Judgements []Judgement `json:"judgements"`
}

// Drifting returns the judgements that drift.
func (f Finding) Drifting() []Judgement {
	var out []Judgement
	for _, j := range f.Judgements {
		if j.Verdict == Drifting {
			out = append(out, j)
		}
	}
	return out
}

// Evaluate judges an experiment's series on its latest night.
func (r Rule) Evaluate(experiment string, series []Series) Finding {
	f := Finding{Experiment: experiment, Verdict: Insufficient}
	for _, s := range series {
		if n := len(s.Nights); n > 0 && s.Nights[n-1].Date > f.Night {
			f.Night = s.Nights[n-1].Date
		}
	}
	if f.Night == "" {
		return f
	}
	stable, insufficient, drifting := 0, 0, 0
	for _, s := range series {
		if n := len(s.Nights); n == 0 || s.Nights[n-1].Date != f.Night {
			continue
		}
		j := r.Judge(s)
		f.Judgements = append(f.Judgements, j)
		switch j.Verdict {
		case Drifting:
			drifting++
		case Stable:
			stable++
		default:
			insufficient++
		}
	}
	sort.SliceStable(f.Judgements, func(a, b int) bool {
		return f.Judgements[a].Verdict == Drifting && f.Judgements[b].Verdict != Drifting
	})
	switch {
	case drifting > 0:
		f.Verdict = Drifting
	case stable > 0 && insufficient == 0:
		f.Verdict = Stable
	}
	return f
}
