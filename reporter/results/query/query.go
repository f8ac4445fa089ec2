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
	"iter"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
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

// fill points env at e. The metrics map is env's own, emptied and
// refilled for each run rather than made anew, and only with the metrics
// the query reads (all when used names it cannot tell), so a query over
// 100,000 runs allocates next to nothing per run.
func (env *Env) fill(e *results.Entry, used *metricNames) {
	m := env.Metrics
	if m == nil {
		m = make(map[string]any, len(e.Metrics))
	}
	clear(m)
	if used.all {
		for k, v := range e.Metrics {
			m[k] = v
		}
	} else {
		for _, k := range used.names {
			if v, ok := e.Metrics[k]; ok {
				m[k] = v
			}
		}
	}
	*env = Env{
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
	return run(func(yield func(*results.Entry) bool) {
		for _, e := range entries {
			if !yield(e) {
				return
			}
		}
	}, false, opts)
}

// RunSeq applies opts to the runs seq yields, which may reuse one Entry
// for all of them (as Store.Scan does): the runs kept are cloned.
func RunSeq(seq iter.Seq[*results.Entry], opts Options) (*Result, error) {
	return run(seq, true, opts)
}

func run(seq iter.Seq[*results.Entry], clone bool, opts Options) (*Result, error) {
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
	used := &metricNames{}
	used.add(opts.Where)
	for _, part := range strings.Split(opts.Sort, ",") {
		used.add(strings.TrimLeft(strings.TrimSpace(part), "+-"))
	}
	res := &Result{}
	var machine vm.VM
	type row struct {
		e    *results.Entry
		vals []any
	}
	// less orders rows as the result lists them: by the sort keys, then
	// newest first (run ids sort by start time).
	less := func(a, b *row) bool {
		for n, k := range keys {
			if c := compare(a.vals[n], b.vals[n], k.desc); c != 0 {
				return c < 0
			}
		}
		return a.e.RunID > b.e.RunID
	}
	var rows []row
	sortRows := func() { sort.SliceStable(rows, func(i, j int) bool { return less(&rows[i], &rows[j]) }) }
	// With a limit only the best rows need keeping: every so often the
	// rows are cut back to the limit, and a row no better than the last one
	// kept is passed over without being copied.
	var worst *row
	var env Env
	for e := range seq {
		if opts.Experiment != "" && e.Experiment != opts.Experiment {
			continue
		}
		if where != nil || len(keys) > 0 {
			env.fill(e, used)
		}
		if where != nil {
			out, err := machine.Run(where, &env)
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
		res.Matched++
		r := row{e: e}
		for _, k := range keys {
			v, err := machine.Run(k.prog, &env)
			if err != nil {
				v = nil
			}
			r.vals = append(r.vals, v)
		}
		if worst != nil && !less(&r, worst) {
			continue
		}
		if clone {
			r.e = e.Clone()
		}
		rows = append(rows, r)
		if opts.Limit > 0 && len(rows) >= 2*opts.Limit+64 {
			sortRows()
			rows = rows[:opts.Limit]
			w := rows[opts.Limit-1]
			worst = &w
		}
	}
	sortRows()
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

// metricNames are the metrics an expression reads.
type metricNames struct {
	names []string
	// all is set when an expression uses metrics other than as
	// metrics.NAME (metrics["a" + x], len(metrics)).
	all bool
}

func (u *metricNames) add(src string) {
	if strings.TrimSpace(src) == "" || u.all {
		return
	}
	tree, err := parser.Parse(src)
	if err != nil {
		u.all = true
		return
	}
	v := &metricVisitor{}
	ast.Walk(&tree.Node, v)
	if v.idents != len(v.names) {
		u.all = true
		return
	}
	u.names = append(u.names, v.names...)
}

type metricVisitor struct {
	idents int
	names  []string
}

func (v *metricVisitor) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		if n.Value == "metrics" {
			v.idents++
		}
	case *ast.MemberNode:
		id, ok := n.Node.(*ast.IdentifierNode)
		prop, isStr := n.Property.(*ast.StringNode)
		if ok && isStr && id.Value == "metrics" {
			v.names = append(v.names, prop.Value)
		}
	}
}
