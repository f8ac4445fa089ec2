// Package query selects runs from the results index: a filter expression
// over a run's fields, a sort, a limit. Expressions use expr-lang/expr, a
// well-kept, typed expression language, rather than a parser of our own:
//
//	metrics.val_acc > 0.9 && params.lr < 0.1
//	status == "failed" && started > date("2026-03-01")
//	experiment in ["resnet18", "resnet50"] && seed == 1
//
// A run that lacks a field an expression reads (a metric it never
// logged) does not match, rather than failing the query.
package query

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/assaylab/assay/reporter/results"
)

// Env is what an expression sees of a run. The expr tags are the names
// users write.
type Env struct {
	ID         string         `expr:"id"`
	Key        string         `expr:"key"`
	Experiment string         `expr:"experiment"`
	Status     string         `expr:"status"`
	ExitCode   int            `expr:"exit_code"`
	Attempt    int            `expr:"attempt"`
	Seed       int64          `expr:"seed"`
	Params     map[string]any `expr:"params"`
	Metrics    map[string]any `expr:"metrics"`
	Started    time.Time      `expr:"started"`
	Finished   time.Time      `expr:"finished"`
	Duration   float64        `expr:"duration"`
	Host       string         `expr:"host"`
	GPUs       int            `expr:"gpus"`
	Source     string         `expr:"source"`
	Trigger    string         `expr:"trigger"`
	PR         int            `expr:"pr"`
}

// Fields lists the names an expression may use, for help texts.
const Fields = "id, key, experiment, status, exit_code, attempt, seed, params.NAME, metrics.NAME, started, finished, duration, host, gpus, source, trigger, pr"

func envOf(e *results.Entry) Env {
	m := make(map[string]any, len(e.Metrics))
	for k, v := range e.Metrics {
		m[k] = v
	}
	return Env{
		ID: e.RunID, Key: e.TrialKey, Experiment: e.Experiment, Status: string(e.Status),
		ExitCode: e.ExitCode, Attempt: e.Attempt, Seed: e.Seed, Params: e.Params, Metrics: m,
		Started: e.Started, Finished: e.Finished, Duration: e.DurationS, Host: e.Host, GPUs: e.GPUs,
		Source: e.SourceCommit, Trigger: e.Trigger, PR: e.PR,
	}
}

// Options select runs.
type Options struct {
	// Experiment keeps only this experiment's runs ("" for all).
	Experiment string
	// Where is a boolean expression ("" keeps every run).
	Where string
	// Sort is a comma-separated list of expressions, each led by "-" for
	// descending order; "" sorts newest first.
	Sort string
	// Limit keeps the first Limit runs after sorting (0 for all).
	Limit int
}

// Result is what a query found.
type Result struct {
	Runs []*results.Entry
	// Matched counts the runs that passed the filter, before Limit.
	Matched int
	// Skipped counts runs the filter could not evaluate (a field they
	// lack); FirstSkip says why the first one was skipped.
	Skipped   int
	FirstSkip error
}

// Error is a query that cannot run: a bad expression.
type Error struct {
	What string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("invalid %s: %v", e.What, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

type sortKey struct {
	prog *vm.Program
	desc bool
}

// Run applies opts to entries.
func Run(entries []*results.Entry, opts Options) (*Result, error) {
	var where *vm.Program
	if strings.TrimSpace(opts.Where) != "" {
		p, err := expr.Compile(opts.Where, expr.Env(Env{}), expr.AsBool())
		if err != nil {
			return nil, &Error{What: "--where expression", Err: err}
		}
		where = p
	}
	keys, err := compileSort(opts.Sort)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	var machine vm.VM
	type row struct {
		e    *results.Entry
		vals []any
	}
	var rows []row
	for _, e := range entries {
		if opts.Experiment != "" && e.Experiment != opts.Experiment {
			continue
		}
		var env Env
		if where != nil || len(keys) > 0 {
			env = envOf(e)
		}
		if where != nil {
			out, err := machine.Run(where, env)
			if err != nil {
				res.Skipped++
				if res.FirstSkip == nil {
					res.FirstSkip = fmt.Errorf("run %s: %v", e.RunID, firstLine(err))
				}
				continue
			}
			if ok, _ := out.(bool); !ok {
				continue
			}
		}
		r := row{e: e}
		for _, k := range keys {
			v, err := machine.Run(k.prog, env)
			if err != nil {
				v = nil
			}
			r.vals = append(r.vals, v)
		}
		rows = append(rows, r)
	}
	res.Matched = len(rows)
	if len(keys) == 0 {
		// Newest first: run ids sort by start time.
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].e.RunID > rows[j].e.RunID })
	} else {
		sort.SliceStable(rows, func(i, j int) bool {
			for n, k := range keys {
				c := compare(rows[i].vals[n], rows[j].vals[n], k.desc)
				if c != 0 {
					return c < 0
				}
			}
			return rows[i].e.RunID > rows[j].e.RunID
		})
	}
	if opts.Limit > 0 && len(rows) > opts.Limit {
		rows = rows[:opts.Limit]
	}
	res.Runs = make([]*results.Entry, len(rows))
	for i, r := range rows {
		res.Runs[i] = r.e
	}
	return res, nil
}

func compileSort(s string) ([]sortKey, error) {
	var keys []sortKey
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k := sortKey{}
		if strings.HasPrefix(part, "-") {
			k.desc = true
			part = strings.TrimSpace(part[1:])
		} else if strings.HasPrefix(part, "+") {
			part = strings.TrimSpace(part[1:])
		}
		p, err := expr.Compile(part, expr.Env(Env{}))
		if err != nil {
			return nil, &Error{What: "--sort key " + part, Err: err}
		}
		k.prog = p
		keys = append(keys, k)
	}
	return keys, nil
}

// compare orders two sort values: numbers by value, times by time, the
// rest as text. A missing value sorts last in either direction.
func compare(a, b any, desc bool) int {
	an, bn := a == nil || isNaN(a), b == nil || isNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	c := 0
	af, aok := number(a)
	bf, bok := number(b)
	switch {
	case aok && bok:
		c = cmpOrdered(af, bf)
	default:
		at, aok := a.(time.Time)
		bt, bok := b.(time.Time)
		if aok && bok {
			c = at.Compare(bt)
		} else {
			c = strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
		}
	}
	if desc {
		return -c
	}
	return c
}

func cmpOrdered(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func isNaN(v any) bool {
	f, ok := v.(float64)
	return ok && math.IsNaN(f)
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
