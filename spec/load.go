package spec

import (
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Project is everything a repository's specs declare, decoded.
type Project struct {
	Settings  Settings
	Executors []*Executor
	GitHub    GitHub
	Variables map[string]*Variable
	// Experiments are sorted by name.
	Experiments []*Experiment
	// SpecFiles are the experiment files read, sorted.
	SpecFiles []string
	// HasProjectFile is false when the repository has no assay.hcl and
	// defaults are in force.
	HasProjectFile bool
	// Files holds every parsed file by path, for printing diagnostics with
	// their source lines.
	Files map[string]*hcl.File
}

// LoadOptions tune Load.
type LoadOptions struct {
	// Vars are the values of spec variables set by the user.
	Vars VarValues
	// ExtraFiles are experiment files to read beyond those the project's
	// globs match (assay validate of a file not yet matched).
	ExtraFiles []string
	// Cache, when set, shares parsed files with other loads.
	Cache *ParseCache
}

// Experiment returns the experiment named name, or nil.
func (p *Project) Experiment(name string) *Experiment {
	i, ok := slices.BinarySearchFunc(p.Experiments, name, func(e *Experiment, n string) int { return strings.Compare(e.Name, n) })
	if !ok {
		return nil
	}
	return p.Experiments[i]
}

// Executor returns the executor block of the given kind, or nil.
func (p *Project) Executor(kind string) *Executor {
	for _, e := range p.Executors {
		if e.Kind == kind {
			return e
		}
	}
	return nil
}

var projectFileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "project"},
		{Type: "executor", LabelNames: []string{"kind"}},
		{Type: "github"},
	},
}

var experimentFileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "template", LabelNames: []string{"name"}},
		{Type: "experiment", LabelNames: []string{"name"}},
	},
}

// Load reads and decodes the project rooted at fsys: assay.hcl (when
// present) and every experiment file it selects. It returns all problems
// found; the Project is usable for whatever decoded cleanly even when
// diagnostics have errors.
func Load(fsys fs.FS, opts LoadOptions) (*Project, hcl.Diagnostics) {
	p := &Project{
		Settings:  defaultSettings(),
		GitHub:    GitHub{ApprovalLabel: DefaultApprovalLabel},
		Variables: map[string]*Variable{},
		Files:     map[string]*hcl.File{},
	}
	var diags hcl.Diagnostics
	funcs := functions(fsys)

	if _, err := fs.Stat(fsys, ProjectFile); err == nil {
		p.HasProjectFile = true
		diags = append(diags, p.loadProjectFile(fsys, &hcl.EvalContext{Functions: funcs}, opts.Cache)...)
	}

	files, d := p.findSpecFiles(fsys, opts.ExtraFiles)
	diags = append(diags, d...)
	p.SpecFiles = files

	var (
		locals      = map[string]*localDef{}
		templates   = map[string]*body{}
		experiments = map[string]*body{}
		expOrder    []*body
		tmplOrder   []*body
	)
	parsed := parseFiles(fsys, files, opts.Cache)
	for i, path := range files {
		f, d := parsed[i].file, parsed[i].diags
		diags = append(diags, d...)
		if f == nil {
			continue
		}
		p.Files[path] = f
		fb := parsed[i].blocks
		diags = append(diags, fb.diags...)
		for _, item := range fb.items {
			blk := item.block
			diags = append(diags, item.diags...)
			switch blk.Type {
			case "variable":
				v := item.variable
				if first := p.Variables[v.Name]; first != nil {
					diags = append(diags, duplicateDiag("variable", v.Name, first.DeclRange, blk.LabelRanges[0]))
					continue
				}
				p.Variables[v.Name] = v
			case "locals":
				for name, a := range item.locals {
					if first := locals[name]; first != nil {
						diags = append(diags, duplicateDiag("local", name, first.attr.NameRange, a.NameRange))
						continue
					}
					locals[name] = &localDef{name: name, attr: a}
				}
			case "template", "experiment":
				b := item.body
				pool := templates
				if blk.Type == "experiment" {
					pool = experiments
				}
				if first := pool[b.name]; first != nil {
					diags = append(diags, duplicateDiag(blk.Type, b.name, first.labelRange, b.labelRange))
					continue
				}
				pool[b.name] = b
				if blk.Type == "experiment" {
					expOrder = append(expOrder, b)
				} else {
					tmplOrder = append(tmplOrder, b)
				}
			}
		}
	}

	varVals, d := resolveVariables(p.Variables, opts.Vars)
	diags = append(diags, d...)
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(varVals)},
		Functions: funcs,
	}
	if len(varVals) == 0 {
		ctx.Variables["var"] = cty.EmptyObjectVal
	}
	_, d = evalLocals(locals, ctx)
	diags = append(diags, d...)
	var shared *sharedDecoder
	if opts.Cache != nil {
		shared = &sharedDecoder{cache: opts.Cache, files: p.Files}
		shared.context, shared.ok = contextDigest(ctx)
	}

	// Extends chains are resolved first, then every block is decoded on
	// all cores: decoding reads only its merged body and the context.
	// Templates are decoded on their own too, so a mistake in one that no
	// experiment uses yet is still reported.
	type job struct {
		b, m    *body
		partial bool
		e       *Experiment
		diags   hcl.Diagnostics
	}
	r := newResolver(templates, experiments)
	metrics := &metricMemo{}
	var jobs []*job
	for _, b := range tmplOrder {
		if m := r.resolve(b); m != nil {
			jobs = append(jobs, &job{b: b, m: m, partial: true})
		}
	}
	for _, b := range expOrder {
		if m := r.resolve(b); m != nil {
			jobs = append(jobs, &job{b: b, m: m})
		}
	}
	onAllCores(len(jobs), func(i int) {
		j := jobs[i]
		j.e, j.diags = shared.decode(j.b, j.m, ctx, j.partial, metrics)
		if j.partial {
			j.e = nil // a template's decoding is kept only for its diagnostics
		}
	})
	for _, j := range jobs {
		diags = append(diags, j.diags...)
		if j.partial {
			continue
		}
		p.Experiments = append(p.Experiments, j.e)
		diags = append(diags, p.checkLabels(j.e, j.m)...)
	}
	diags = append(diags, r.diags...)
	sort.Slice(p.Experiments, func(i, j int) bool { return p.Experiments[i].Name < p.Experiments[j].Name })
	diags = append(diags, p.checkTotalTrials()...)
	explainUndeclared(diags, p.Variables, locals)
	return p, dedupe(diags)
}

func (p *Project) loadProjectFile(fsys fs.FS, ctx *hcl.EvalContext, cache *ParseCache) hcl.Diagnostics {
	f, diags := parseFile(fsys, ProjectFile, cache)
	if f == nil {
		return diags
	}
	p.Files[ProjectFile] = f
	content, d := f.Body.Content(projectFileSchema)
	diags = append(diags, d...)
	var seenProject, seenGitHub *hcl.Block
	seenExec := map[string]*hcl.Block{}
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "project":
			if seenProject != nil {
				diags = append(diags, duplicateBlock("project", seenProject.DefRange, blk.DefRange))
				continue
			}
			seenProject = blk
			s, d := decodeProjectBlock(blk, ctx)
			diags = append(diags, d...)
			p.Settings = s
		case "github":
			if seenGitHub != nil {
				diags = append(diags, duplicateBlock("github", seenGitHub.DefRange, blk.DefRange))
				continue
			}
			seenGitHub = blk
			g, d := decodeGitHubBlock(blk, ctx)
			diags = append(diags, d...)
			p.GitHub = g
		case "executor":
			kind := blk.Labels[0]
			if first := seenExec[kind]; first != nil {
				diags = append(diags, duplicateDiag("executor", kind, first.LabelRanges[0], blk.LabelRanges[0]))
				continue
			}
			seenExec[kind] = blk
			e, d := decodeExecutorBlock(blk, ctx)
			diags = append(diags, d...)
			if e != nil {
				p.Executors = append(p.Executors, e)
			}
		}
	}
	return diags
}

// findSpecFiles expands the experiments globs, plus extra, into a sorted,
// de-duplicated list of files.
func (p *Project) findSpecFiles(fsys fs.FS, extra []string) ([]string, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	var out []string
	for _, g := range p.Settings.Experiments {
		matches, err := doublestar.Glob(fsys, g, doublestar.WithFilesOnly(), doublestar.WithFailOnIOErrors())
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot list experiment files",
				Detail:   fmt.Sprintf("Expanding %q failed: %s.", g, err),
			})
			continue
		}
		for _, m := range matches {
			if m != ProjectFile && !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	for _, f := range extra {
		clean, err := repoPath(f)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid path", Detail: err.Error() + "."})
			continue
		}
		if clean != ProjectFile && !seen[clean] {
			seen[clean] = true
			out = append(out, clean)
		}
	}
	sort.Strings(out)
	return out, diags
}

// checkLabels warns when no executor declared in assay.hcl offers all of an
// experiment's runner labels: its trials could only run on a GitHub runner
// with those labels, which is likely a typo.
func (p *Project) checkLabels(e *Experiment, b *body) hcl.Diagnostics {
	if len(p.Executors) == 0 || len(e.Runner.Labels) == 0 {
		return nil
	}
	var missingBest []string
	for _, ex := range p.Executors {
		missing := MissingLabels(e.Runner.Labels, ex.Labels)
		if len(missing) == 0 {
			return nil
		}
		if missingBest == nil || len(missing) < len(missingBest) {
			missingBest = missing
		}
	}
	rng := b.runnerRange
	if a := b.runner["labels"]; a != nil {
		rng = a.Expr.Range()
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  "Labels no executor offers",
		Detail: fmt.Sprintf("Experiment %q asks for labels %s; no executor in %s offers %s.",
			e.Name, strings.Join(e.Runner.Labels, ", "), ProjectFile, strings.Join(missingBest, ", ")),
		Subject: rng.Ptr(),
	}}
}

// MissingLabels returns the labels in want that offered lacks, sorted.
func MissingLabels(want, offered []string) []string {
	have := map[string]bool{}
	for _, l := range offered {
		have[l] = true
	}
	var missing []string
	for _, l := range sortedUnique(want) {
		if !have[l] {
			missing = append(missing, l)
		}
	}
	return missing
}

// dedupe drops repeated diagnostics: a template's mistake is found when
// the template is checked and again in each experiment that extends it.
func dedupe(diags hcl.Diagnostics) hcl.Diagnostics {
	seen := map[string]bool{}
	out := diags[:0:0]
	for _, d := range diags {
		k := fmt.Sprintf("%d|%s|%s", d.Severity, d.Summary, d.Detail)
		if d.Subject != nil {
			k += "|" + d.Subject.String()
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, d)
		}
	}
	return out
}
