package metrics

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"sync"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// Collector gathers one trial's metrics from its metrics file and its
// stdout. It is safe for concurrent use: stdout is scanned on one
// goroutine while the file is polled on another.
type Collector struct {
	mu       sync.Mutex
	declared []*spec.Metric
	patterns []*spec.Metric
	series   map[string]*Series
	order    []string // metric names in order of first point
	problems map[string]*problem
	file     *fileTail
	watch    *watcher // nil without metrics_from
	// objects counts the metrics file's object lines, the default step.
	objects int64
	// patternLines counts matches per pattern metric, their step.
	patternLines map[string]int64
	// undeclared counts the distinct names kept that no metric block
	// declares.
	undeclared    int
	declaredNames map[string]bool
	// onPoint, when set, sees every point of the metric onPointName.
	onPointName string
	onPoint     func(step int64, v float64)
}

// problem is one kind of bad input, counted.
type problem struct {
	order   int
	count   int
	first   string // where it was first seen, and what
	message func(p *problem) string
}

// NewCollector returns a collector for a trial with the given declared
// metrics, reading the metrics file at path ("" for none). The file must
// exist (the executor creates it empty before the trial starts), so that
// it stays readable even if the trial deletes it.
func NewCollector(declared []*spec.Metric, path string) (*Collector, error) {
	c := &Collector{
		declared:     declared,
		series:       map[string]*Series{},
		problems:     map[string]*problem{},
		patternLines: map[string]int64{},
	}
	c.declaredNames = make(map[string]bool, len(declared))
	for _, m := range declared {
		c.declaredNames[m.Name] = true
		if m.Pattern != nil {
			c.patterns = append(c.patterns, m)
		}
	}
	if path != "" {
		t, err := openTail(path)
		if err != nil {
			return nil, err
		}
		c.file = t
	}
	return c, nil
}

// OnPoint has fn see every point of metric name as it is collected, in
// the order points arrive, from whatever source: what early stopping
// judges. fn runs with the collector locked, so it must be quick and must
// not call the collector.
func (c *Collector) OnPoint(name string, fn func(step int64, v float64)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onPointName, c.onPoint = name, fn
}

// HasPatterns reports whether stdout needs scanning at all.
func (c *Collector) HasPatterns() bool { return len(c.patterns) > 0 }

// ScanLine feeds one line of stdout (without its newline) to the pattern
// metrics.
func (c *Collector) ScanLine(line []byte) {
	for _, m := range c.patterns {
		sub := m.Pattern.FindSubmatch(line)
		if sub == nil {
			continue
		}
		c.mu.Lock()
		c.patternLines[m.Name]++
		step := c.patternLines[m.Name]
		v, err := strconv.ParseFloat(string(sub[1]), 64)
		switch {
		case err != nil:
			c.note("pattern-bad:"+m.Name, fmt.Sprintf("match %d: %q", step, shorten(string(sub[1]))), func(p *problem) string {
				return fmt.Sprintf("stdout: metric %q matched %s that is not a number (first: %s); ignored", m.Name, times(p.count, "value"), p.first)
			})
		case math.IsNaN(v) || math.IsInf(v, 0):
			c.note("pattern-nonfinite:"+m.Name, fmt.Sprintf("match %d", step), func(p *problem) string {
				return fmt.Sprintf("stdout: metric %q was NaN or infinite %s (first: %s); those points were dropped", m.Name, times(p.count, "time"), p.first)
			})
		default:
			c.add(m.Name, step, v)
		}
		c.mu.Unlock()
	}
}

// Poll reads what the trial appended to its metrics file since the last
// call and returns the names of metrics that got new points.
func (c *Collector) Poll() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var updated []string
	seen := map[string]bool{}
	mark := func(name string) {
		if !seen[name] {
			seen[name] = true
			updated = append(updated, name)
		}
	}
	if c.file != nil {
		c.file.read(func(line []byte, lineNo int) {
			for _, name := range c.parse(line, lineNo) {
				mark(name)
			}
		}, c.fileNote)
	}
	if c.watch != nil {
		c.watch.poll(false, mark)
	}
	return updated
}

// Latest returns the latest value of a metric.
func (c *Collector) Latest(name string) (float64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.series[name]
	if s == nil || s.Len() == 0 {
		return 0, false
	}
	return s.Last().Value, true
}

// Outcome is what a collector found, once the trial has ended.
type Outcome struct {
	// Summaries hold each reported metric's summary (finite only).
	Summaries map[string]float64
	Series    map[string][]runner.Point
	Warnings  []string
}

// Finish reads the rest of the metrics file (a torn last line is
// reported, not fatal), closes it and summarises every metric.
func (c *Collector) Finish() Outcome {
	c.Poll()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watch != nil {
		c.watch.poll(true, nil)
		c.watch.finish()
	}
	if c.file != nil {
		if rest, lineNo := c.file.close(); len(rest) > 0 {
			if _, _, _, ok := parseLine(rest); ok {
				c.parse(rest, lineNo)
			} else {
				c.note("torn", fmt.Sprintf("line %d", lineNo), func(p *problem) string {
					return fmt.Sprintf("metrics file: the last line (%d) is incomplete, as if the trial was stopped mid-write; ignored", lineNo)
				})
			}
		}
	}
	out := Outcome{Summaries: map[string]float64{}, Series: map[string][]runner.Point{}}
	for _, name := range c.order {
		s := c.series[name]
		rule := "last"
		for _, m := range c.declared {
			if m.Name == name {
				rule = m.Summary
			}
		}
		if v, ok := s.Summary(rule); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			out.Summaries[name] = v
		}
		out.Series[name] = s.Points()
	}
	for _, m := range c.declared {
		if c.series[m.Name] == nil {
			where := "the metrics file"
			if c.watch != nil {
				where = "the metrics file or metrics_from"
				if m.Tag != "" {
					where = fmt.Sprintf("the metrics file or metrics_from (tag %q)", m.Tag)
				}
			}
			if m.Pattern != nil {
				where = fmt.Sprintf("stdout (pattern %q)", m.Pattern.String())
			}
			c.note("missing:"+m.Name, "", func(p *problem) string {
				return fmt.Sprintf("metric %q is declared but %s never reported it", m.Name, where)
			})
		}
	}
	ps := make([]*problem, 0, len(c.problems))
	for _, p := range c.problems {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].order < ps[j].order })
	for _, p := range ps {
		out.Warnings = append(out.Warnings, p.message(p))
	}
	return out
}

// parse takes one metrics-file line; c.mu is held.
func (c *Collector) parse(line []byte, lineNo int) []string {
	if len(trimSpace(line)) == 0 {
		return nil
	}
	step, hasStep, vals, ok := parseLine(line)
	if !ok {
		c.note("notobject", fmt.Sprintf("line %d", lineNo), func(p *problem) string {
			return fmt.Sprintf("metrics file: %s not a JSON object (first: %s); ignored", lines(p.count, "is", "are"), p.first)
		})
		return nil
	}
	c.objects++
	if !hasStep {
		step = c.objects
	}
	var names []string
	for _, v := range vals {
		switch v.bad {
		case "":
			c.add(v.name, step, v.v)
			names = append(names, v.name)
		case "nonfinite":
			c.note("nonfinite:"+v.name, fmt.Sprintf("line %d", lineNo), func(p *problem) string {
				return fmt.Sprintf("metrics file: %q was NaN or infinite on %s (first: %s); those points were dropped", v.name, times(p.count, "line"), p.first)
			})
		default:
			c.note("nonnumeric:"+v.name, fmt.Sprintf("line %d: %s", lineNo, v.raw), func(p *problem) string {
				return fmt.Sprintf("metrics file: %q is not a number on %s (first: %s); ignored", v.name, times(p.count, "line"), p.first)
			})
		}
	}
	return names
}

func (c *Collector) fileNote(kind, message string) {
	c.note("file:"+kind, "", func(*problem) string { return message })
}

// MaxUndeclared is the most distinct metric names a trial may report
// without declaring them; the points of further names are dropped, with a
// warning. Every name is one series in the record committed to the
// results branch, which every clone may fetch: a trial that logs a name
// per step or per sample (100,000 names made a 6.8 MB record) would bloat
// it for good. Declared metrics are always kept, and are the way to keep
// more.
const MaxUndeclared = 1000

func (c *Collector) add(name string, step int64, v float64) {
	s := c.series[name]
	if s == nil && !c.declaredNames[name] {
		if c.undeclared >= MaxUndeclared {
			c.note("too-many-names", fmt.Sprintf("%q", shorten(name)), func(p *problem) string {
				return fmt.Sprintf("%s beyond the first %d undeclared metric names were dropped (first: %s); "+
					"declare the metrics you need with metric blocks: declared metrics are always kept", times(p.count, "point"), MaxUndeclared, p.first)
			})
			return
		}
		c.undeclared++
	}
	if s == nil {
		s = &Series{}
		c.series[name] = s
		c.order = append(c.order, name)
	}
	s.Add(step, v)
	if c.onPoint != nil && name == c.onPointName {
		c.onPoint(step, v)
	}
}

// note counts one occurrence of a problem; c.mu is held.
func (c *Collector) note(key, where string, message func(p *problem) string) {
	p := c.problems[key]
	if p == nil {
		p = &problem{order: len(c.problems), first: where, message: message}
		c.problems[key] = p
	}
	p.count++
}

func times(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func lines(n int, one, many string) string {
	if n == 1 {
		return "1 line " + one
	}
	return fmt.Sprintf("%d lines %s", n, many)
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
