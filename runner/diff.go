package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/spec"
)

// Change is one line of an experiment's semantic diff: what changed and
// its value at each side ("" where absent).
type Change struct {
	// Field names what changed: "params.lr", "sweep.lr", "sweep.method",
	// "seeds", "command", "env.DATASET", "workdir", "secret_env",
	// "runner.labels", "runner.gpus", "runner.timeout", "runner.retries",
	// "inputs" (the globs), or "inputs.path" (one path the inputs cover).
	Field string `json:"field"`
	// Path is set for "inputs.path": the file that was added, removed or
	// changed. Base and Head then hold its short object ids.
	Path string `json:"path,omitempty"`
	Base string `json:"base"`
	Head string `json:"head"`
}

// MaxInputChanges bounds the changed input paths listed per experiment;
// a dataset directory rewrite should not bury the rest of the diff. The
// last listed change then says how many more there were.
const MaxInputChanges = 50

// diffExperiment lists what changed in a modified experiment: its spec,
// then the files its inputs cover.
func diffExperiment(e *ExperimentPlan, baseProject, headProject *spec.Project, baseSnap, headSnap gitrepo.Snapshot) ([]Change, error) {
	out := DiffSpecs(e.Base, e.Head, e.BaseTrials, e.HeadTrials, baseProject, headProject)
	paths, err := diffInputs(e, baseSnap, headSnap)
	if err != nil {
		return nil, err
	}
	return append(append(out, paths...), diffArtifactInputs(e)...), nil
}

// DiffSpecs lists what changed in an experiment's spec between two sides:
// params, sweep, seeds, the resolved command, env and workdir (compared on
// a trial with the same params and seed at both sides), secret_env, the
// runner, the inputs globs and metric settings. When no trial pairs, the
// projects (optional) let it compare command, env and workdir as written.
// What changed in the files the inputs cover is the plan's to add. It
// returns an empty list when either side is absent: the status says it.
func DiffSpecs(b, h *spec.Experiment, baseTrials, headTrials []*spec.Trial, baseProject, headProject *spec.Project) []Change {
	out := []Change{}
	if b == nil || h == nil {
		return out
	}
	add := func(field, bv, hv string) {
		if bv != hv {
			out = append(out, Change{Field: field, Base: bv, Head: hv})
		}
	}
	bp, hp := objectFields(b.Params), objectFields(h.Params)
	for _, k := range unionKeys(bp, hp) {
		add("params."+k, bp[k], hp[k])
	}
	add("sweep.method", sweepMethod(b.Sweep), sweepMethod(h.Sweep))
	bs, hs := sweepFields(b.Sweep), sweepFields(h.Sweep)
	for _, k := range unionKeys(bs, hs) {
		add("sweep."+k, bs[k], hs[k])
	}
	add("seeds", jsonText(b.Seeds), jsonText(h.Seeds))

	bt, ht := pairedTrials(baseTrials, headTrials)
	if bt != nil {
		add("command", shellWords(bt.Command), shellWords(ht.Command))
		for _, k := range unionKeys(bt.Env, ht.Env) {
			add("env."+k, bt.Env[k], ht.Env[k])
		}
		add("workdir", bt.Workdir, ht.Workdir)
	} else {
		// No trial has the same params and seed at both sides, so the
		// resolved values differ anyway: compare the expressions as written.
		for _, x := range []struct {
			field  string
			bl, hl string
		}{
			{"command", b.CommandSource(), h.CommandSource()},
			{"env", b.EnvSource(), h.EnvSource()},
			{"workdir", b.WorkdirSource(), h.WorkdirSource()},
		} {
			bs, bt := sourceText(baseProject, x.bl, x.field)
			hs, ht := sourceText(headProject, x.hl, x.field)
			if bt != ht {
				out = append(out, Change{Field: x.field, Base: bs, Head: hs})
			}
		}
	}
	add("secret_env", strings.Join(sortedCopy(b.SecretEnv), ", "), strings.Join(sortedCopy(h.SecretEnv), ", "))
	add("runner.labels", strings.Join(sortedCopy(b.Runner.Labels), ", "), strings.Join(sortedCopy(h.Runner.Labels), ", "))
	add("runner.gpus", strconv.Itoa(b.Runner.GPUs), strconv.Itoa(h.Runner.GPUs))
	add("runner.timeout", durationText(b.Runner), durationText(h.Runner))
	add("runner.retries", strconv.Itoa(b.Runner.Retries), strconv.Itoa(h.Runner.Retries))
	add("inputs", inputsText(b), inputsText(h))
	add("early_stop", earlyStopText(b.EarlyStop), earlyStopText(h.EarlyStop))
	bm, hm := metricFields(b), metricFields(h)
	for _, k := range unionKeys(bm, hm) {
		add("metric."+k, bm[k], hm[k])
	}
	return out
}

// metricFields are the settings of each metric, for the diff: a metric's
// goal or tolerance does not change a trial key, but a reviewer wants to
// see it changed.
func metricFields(e *spec.Experiment) map[string]string {
	out := map[string]string{}
	primary := e.PrimaryMetric()
	for _, m := range e.Metrics {
		out[m.Name] = "declared"
		out[m.Name+".goal"] = m.Goal
		out[m.Name+".summary"] = m.Summary
		out[m.Name+".tolerance"] = formatFloat(m.Tolerance)
		if m == primary {
			out[m.Name+".primary"] = "true"
		}
	}
	return out
}

// pairedTrials finds a trial with the same params and seed at both sides,
// so the command, env and workdir compare with param values equal.
func pairedTrials(base, head []*spec.Trial) (*spec.Trial, *spec.Trial) {
	type point struct {
		params string
		seed   int64
	}
	byPoint := map[point]*spec.Trial{}
	for _, t := range base {
		byPoint[point{t.ParamsJSON, t.Seed}] = t
	}
	for _, t := range head {
		if b := byPoint[point{t.ParamsJSON, t.Seed}]; b != nil {
			return b, t
		}
	}
	return nil, nil
}

// diffInputs lists the paths whose content differs between the sides'
// inputs. Where a whole directory is an input, it descends only into
// sub-directories whose tree ids differ: a Merkle diff.
func diffInputs(e *ExperimentPlan, baseSnap, headSnap gitrepo.Snapshot) ([]Change, error) {
	bm, hm := inputEntries(e.BaseInputs), inputEntries(e.HeadInputs)
	d := &inputDiff{base: baseSnap, head: headSnap}
	for _, p := range unionKeys(bm, hm) {
		be, inBase := bm[p]
		he, inHead := hm[p]
		if err := d.entry(p, be, inBase, he, inHead); err != nil {
			return nil, err
		}
	}
	if d.more > 0 {
		d.out = append(d.out, Change{Field: "inputs.path", Path: "…", Head: fmt.Sprintf("%d more paths changed", d.more)})
	}
	return d.out, nil
}

func inputEntries(ins map[string]*Inputs) map[string]gitrepo.Entry {
	out := map[string]gitrepo.Entry{}
	for _, in := range ins {
		for _, e := range in.Entries {
			out[e.Path] = e
		}
	}
	return out
}

type inputDiff struct {
	base, head gitrepo.Snapshot
	out        []Change
	more       int
}

func (d *inputDiff) emit(p, bv, hv string) {
	if len(d.out) >= MaxInputChanges {
		d.more++
		return
	}
	d.out = append(d.out, Change{Field: "inputs.path", Path: p, Base: bv, Head: hv})
}

func (d *inputDiff) entry(p string, be gitrepo.Entry, inBase bool, he gitrepo.Entry, inHead bool) error {
	if inBase && inHead {
		switch {
		case be.ID == he.ID && be.Mode == he.Mode:
			return nil
		case be.IsDir() && he.IsDir():
			return d.dir(p)
		case !be.IsDir() && !he.IsDir():
			d.emit(p, shortID(be, true), shortID(he, true))
			return nil
		}
	}
	if inBase {
		if err := d.side(d.base, be, true); err != nil {
			return err
		}
	}
	if inHead {
		return d.side(d.head, he, false)
	}
	return nil
}

// side lists an entry that only one side has: a file, or every file of
// a directory.
func (d *inputDiff) side(s gitrepo.Snapshot, e gitrepo.Entry, base bool) error {
	if e.IsDir() {
		return d.all(s, e.Path, base)
	}
	if base {
		d.emit(e.Path, shortID(e, true), "")
	} else {
		d.emit(e.Path, "", shortID(e, true))
	}
	return nil
}

// dir compares two versions of a directory child by child.
func (d *inputDiff) dir(p string) error {
	bs, err := d.children(d.base, p)
	if err != nil {
		return err
	}
	hs, err := d.children(d.head, p)
	if err != nil {
		return err
	}
	for _, name := range unionKeys(bs, hs) {
		be, inBase := bs[name]
		he, inHead := hs[name]
		if err := d.entry(joinPath(p, name), be, inBase, he, inHead); err != nil {
			return err
		}
	}
	return nil
}

// all lists every file below a directory that only one side has.
func (d *inputDiff) all(s gitrepo.Snapshot, p string, base bool) error {
	cs, err := d.children(s, p)
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(cs) {
		if err := d.side(s, cs[name], base); err != nil {
			return err
		}
	}
	return nil
}

// children lists a directory with every id known (the working tree
// computes ids on Stat).
func (d *inputDiff) children(s gitrepo.Snapshot, p string) (map[string]gitrepo.Entry, error) {
	out := map[string]gitrepo.Entry{}
	if s == nil {
		return out, nil
	}
	es, err := s.ReadDir(p)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.ID.IsZero() {
			full, err := s.Stat(e.Path)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			e = full
		}
		out[e.Name()] = e
	}
	return out, nil
}

func shortID(e gitrepo.Entry, ok bool) string {
	if !ok {
		return ""
	}
	return e.ID.String()[:12]
}

func joinPath(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

// sourceText is an attribute's expression as written (whitespace
// collapsed, for showing) and its tokens without layout (for comparing:
// line breaks, comments and a trailing comma are not changes), found from
// its "file:line" location; both "" when absent.
func sourceText(p *spec.Project, loc, name string) (text, tokens string) {
	a := attributeAt(p, loc, name)
	if a == nil {
		return "", ""
	}
	f := p.Files[a.SrcRange.Filename]
	r := a.Expr.Range()
	if f == nil || r.Start.Byte < 0 || r.End.Byte > len(f.Bytes) || r.Start.Byte > r.End.Byte {
		return "", ""
	}
	src := r.SliceBytes(f.Bytes)
	toks, _ := hclsyntax.LexExpression(src, "", hcl.InitialPos)
	var b strings.Builder
	for i, tok := range toks {
		switch tok.Type {
		case hclsyntax.TokenNewline, hclsyntax.TokenComment, hclsyntax.TokenEOF:
			continue
		case hclsyntax.TokenComma:
			if next := nextToken(toks, i); next == hclsyntax.TokenCBrack || next == hclsyntax.TokenCBrace || next == hclsyntax.TokenCParen {
				continue
			}
		}
		b.Write(tok.Bytes)
		b.WriteByte(0)
	}
	return strings.Join(strings.Fields(string(src)), " "), b.String()
}

// nextToken is the type of the next token after i that is not layout.
func nextToken(toks hclsyntax.Tokens, i int) hclsyntax.TokenType {
	for _, t := range toks[i+1:] {
		if t.Type != hclsyntax.TokenNewline && t.Type != hclsyntax.TokenComment {
			return t.Type
		}
	}
	return hclsyntax.TokenEOF
}

// attributeAt finds the attribute called name that a spec accessor
// located as "file:line" (CommandSource, EnvSource, WorkdirSource).
func attributeAt(p *spec.Project, loc, name string) *hclsyntax.Attribute {
	if p == nil || loc == "" {
		return nil
	}
	i := strings.LastIndexByte(loc, ':')
	if i < 0 {
		return nil
	}
	line, err := strconv.Atoi(loc[i+1:])
	if err != nil {
		return nil
	}
	f := p.Files[loc[:i]]
	if f == nil {
		return nil
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	return findAttribute(body, name, line)
}

func findAttribute(b *hclsyntax.Body, name string, line int) *hclsyntax.Attribute {
	if a := b.Attributes[name]; a != nil && a.Expr.Range().Start.Line == line {
		return a
	}
	for _, blk := range b.Blocks {
		if a := findAttribute(blk.Body, name, line); a != nil {
			return a
		}
	}
	return nil
}

func objectFields(v cty.Value) map[string]string {
	out := map[string]string{}
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		return out
	}
	for k, ev := range v.AsValueMap() {
		out[k] = ctyText(ev)
	}
	return out
}

func ctyText(v cty.Value) string {
	if v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
		return v.AsString()
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return v.GoString()
	}
	return string(b)
}

func sweepMethod(s *spec.Sweep) string {
	if s == nil {
		return ""
	}
	return s.Method
}

func sweepFields(s *spec.Sweep) map[string]string {
	out := map[string]string{}
	if s == nil {
		return out
	}
	if s.Method == "random" {
		out["samples"] = strconv.Itoa(s.Samples)
		out["seed"] = strconv.FormatInt(s.Seed, 10)
	}
	if s.Adaptive() {
		out["budget"] = strconv.Itoa(s.Budget)
		out["startup"] = strconv.Itoa(s.Startup)
		out["objective"] = s.Objective
		out["seed"] = strconv.FormatInt(s.Seed, 10)
	}
	if s.Batch > 0 {
		out["batch"] = strconv.Itoa(s.Batch)
	}
	for _, p := range s.Params {
		if p.Distribution == "values" || p.Distribution == "" {
			vals := make([]string, len(p.Values))
			for i, v := range p.Values {
				vals[i] = ctyText(v)
			}
			out[p.Name] = "[" + strings.Join(vals, ", ") + "]"
			continue
		}
		out[p.Name] = fmt.Sprintf("%s(%s, %s)", p.Distribution, formatFloat(p.Min), formatFloat(p.Max))
	}
	return out
}

// earlyStopText is an early_stop block in one line, for the diff.
func earlyStopText(es *spec.EarlyStop) string {
	if es == nil {
		return ""
	}
	out := fmt.Sprintf("%s min_steps=%d grace_period=%d", es.Rule, es.MinSteps, es.GracePeriod)
	if es.Rule == "asha" {
		out += fmt.Sprintf(" reduction_factor=%d", es.ReductionFactor)
	}
	if es.Metric != "" {
		out += " metric=" + es.Metric
	}
	return out
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func durationText(r spec.Runner) string {
	if r.Timeout == 0 {
		return ""
	}
	return r.Timeout.String()
}

func inputsText(e *spec.Experiment) string {
	if e.Inputs == nil {
		return "(default: everything in the workdir but spec files)"
	}
	return strings.Join(e.Inputs, ", ")
}

// shellWords joins a command for reading, quoting arguments with spaces.
func shellWords(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$") {
			out[i] = strconv.Quote(a)
		} else {
			out[i] = a
		}
	}
	return strings.Join(out, " ")
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func unionKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]V{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
