package ui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/pages"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// maxChoices bounds the sides the compare page offers.
const maxChoices = 200

// compareView is the compare page.
type compareView struct {
	Base, Head string
	CanResolve bool
	Choices    []choice
	Error      string
	Report     *html.Report
}

// choice is a commit or pull request the branch has runs from.
type choice struct {
	Value, Label, Experiments string
	Runs                      int
	Latest                    time.Time
	LatestSort                string
}

// side is the runs one side of a comparison selects.
type side struct {
	ref     compare.Ref
	entries []*results.Entry
}

func (s *Server) comparePage(w http.ResponseWriter, r *http.Request) {
	idx, ok := s.index(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	v := compareView{Base: strings.TrimSpace(q.Get("base")), Head: strings.TrimSpace(q.Get("head")), CanResolve: s.opts.Resolve != nil}
	v.Choices = choices(idx, s.opts.Branch)
	p := &pages.Page{Title: "Compare"}
	status := http.StatusOK
	if v.Base != "" || v.Head != "" {
		rep, err := s.compareSides(idx, v.Base, v.Head)
		if err != nil {
			v.Error = err.Error()
			status = http.StatusBadRequest
		} else {
			v.Report = rep
			js, err := dataJS(rep)
			if err != nil {
				s.fail(w, r, http.StatusInternalServerError, "The comparison cannot be encoded: "+err.Error(), "")
				return
			}
			p.Data = js
			p.Title = "Compare " + rep.Base.Label + " → " + rep.Head.Label
		}
	}
	p.Body = v
	s.render(w, r, status, "compare", p, "compare")
}

// compareSides compares the runs of two sides with reporter/compare and
// lays the result out as the HTML report does.
func (s *Server) compareSides(idx *results.Index, baseText, headText string) (*html.Report, error) {
	if baseText == "" || headText == "" {
		return nil, fmt.Errorf("name both sides: a base and a head (a commit, #PR%s)", map[bool]string{true: " or branch", false: ""}[s.opts.Resolve != nil])
	}
	base, err := s.selectSide(idx, baseText)
	if err != nil {
		return nil, fmt.Errorf("base: %w", err)
	}
	head, err := s.selectSide(idx, headText)
	if err != nil {
		return nil, fmt.Errorf("head: %w", err)
	}
	in := s.inputOf(idx, base, head)
	c, err := compare.Compare(in)
	if err != nil {
		return nil, err
	}
	series := func(res *runner.Result) (map[string][]runner.Point, error) {
		d, err := s.opts.Store.Run(res.RunID)
		if err != nil {
			return nil, err
		}
		return d.Series, nil
	}
	src := html.Source{Input: &in, Series: series}
	if s.opts.Artifacts != nil {
		files := s.opts.Artifacts()
		src.Artifacts, src.ReadArtifact = files.Files, files.Read
	}
	return html.FromComparison(c, src, html.Options{}), nil
}

// selectSide finds the runs a side names: "#12" or "pr:12" for a pull
// request's latest commit, a commit prefix, or a ref Resolve knows.
func (s *Server) selectSide(idx *results.Index, text string) (side, error) {
	lower := strings.ToLower(text)
	for _, p := range []string{"#", "pr:", "pr/", "pr "} {
		if n, err := strconv.Atoi(strings.TrimPrefix(lower, p)); strings.HasPrefix(lower, p) && err == nil && n > 0 {
			return prSide(idx, n)
		}
	}
	if isHex(lower) && len(lower) >= 4 {
		commits := map[string]bool{}
		for _, e := range idx.Entries {
			if strings.HasPrefix(e.SourceCommit, lower) {
				commits[e.SourceCommit] = true
			}
		}
		switch len(commits) {
		case 1:
			for c := range commits {
				return commitSide(idx, text, c), nil
			}
		case 0:
		default:
			var list []string
			for c := range commits {
				list = append(list, shortCommit(c))
			}
			sort.Strings(list)
			return side{}, fmt.Errorf("%q matches runs from %d commits (%s); give more digits", text, len(list), strings.Join(list, ", "))
		}
	}
	if s.opts.Resolve != nil {
		commit, err := s.opts.Resolve(text)
		if err != nil {
			return side{}, fmt.Errorf("%q is neither a commit with recorded runs nor a ref git knows: %v", text, err)
		}
		sd := commitSide(idx, text, commit)
		if len(sd.entries) == 0 {
			return side{}, fmt.Errorf("%s is commit %s, and the results branch has no runs from it; run `assay run` there, or pick a commit from the list", text, shortCommit(commit))
		}
		return sd, nil
	}
	return side{}, fmt.Errorf("the results branch has no runs from a commit starting %q; give a commit prefix (4 or more hex digits) or a pull request as #12", text)
}

func isHex(s string) bool {
	return s != "" && strings.Trim(s, "0123456789abcdef") == ""
}

func commitSide(idx *results.Index, name, commit string) side {
	sd := side{ref: compare.Ref{Name: name, Commit: commit}}
	if strings.HasPrefix(commit, name) {
		sd.ref.Name = shortCommit(commit)
	}
	for _, e := range idx.Entries {
		if e.SourceCommit == commit {
			sd.entries = append(sd.entries, e)
		}
	}
	return sd
}

func prSide(idx *results.Index, n int) (side, error) {
	var latest *results.Entry
	for _, e := range idx.Entries {
		if e.PR == n && (latest == nil || e.Started.After(latest.Started)) {
			latest = e
		}
	}
	if latest == nil {
		return side{}, fmt.Errorf("the results branch has no runs from pull request #%d", n)
	}
	sd := side{ref: compare.Ref{Name: fmt.Sprintf("#%d", n), Commit: latest.SourceCommit}}
	for _, e := range idx.Entries {
		if e.PR == n && e.SourceCommit == latest.SourceCommit {
			sd.entries = append(sd.entries, e)
		}
	}
	return sd, nil
}

// inputOf turns two sides' runs into a comparison input: each side's
// trials are the trial keys it ran, grouped into configs by params; the
// spec is the working tree's (for goals), or one naming the metrics the
// runs reported.
func (s *Server) inputOf(idx *results.Index, base, head side) compare.Input {
	byKey := map[string][]*runner.Result{}
	for _, e := range idx.Entries {
		byKey[e.TrialKey] = append(byKey[e.TrialKey], resultOf(e))
	}
	in := compare.Input{
		Base: base.ref, Head: head.ref,
		Lookup:  func(key string) []*runner.Result { return byKey[key] },
		RunHead: "assay run", RunBase: "assay run --baseline",
	}
	bs, hs := groupSide(base.entries), groupSide(head.entries)
	byExp := map[string][]*results.Entry{}
	for _, e := range append(append([]*results.Entry(nil), base.entries...), head.entries...) {
		byExp[e.Experiment] = append(byExp[e.Experiment], e)
	}
	names := map[string]bool{}
	for n := range bs {
		names[n] = true
	}
	for n := range hs {
		names[n] = true
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, name := range sorted {
		ei := compare.ExperimentInput{Name: name, Changes: []compare.Change{}}
		sp := s.specFor(name, byExp[name])
		if t := bs[name]; len(t) > 0 {
			ei.Base = &compare.SideInput{Spec: sp, Trials: t}
		}
		if t := hs[name]; len(t) > 0 {
			ei.Head = &compare.SideInput{Spec: sp, Trials: t}
		}
		if ei.Base != nil && ei.Head != nil {
			ei.Changes = paramChanges(ei.Base.Trials, ei.Head.Trials)
		}
		in.Experiments = append(in.Experiments, ei)
	}
	return in
}

// groupSide makes trials of a side's runs, per experiment: one trial per
// key, configs numbered by first appearance of their params.
func groupSide(entries []*results.Entry) map[string][]*spec.Trial {
	out := map[string][]*spec.Trial{}
	seen := map[string]bool{}
	configs := map[string]map[string]int{}
	for _, e := range entries {
		if seen[e.TrialKey] {
			continue
		}
		seen[e.TrialKey] = true
		pj := canonicalParams(e.Params)
		if configs[e.Experiment] == nil {
			configs[e.Experiment] = map[string]int{}
		}
		cfg, ok := configs[e.Experiment][pj]
		if !ok {
			cfg = len(configs[e.Experiment])
			configs[e.Experiment][pj] = cfg
		}
		out[e.Experiment] = append(out[e.Experiment], &spec.Trial{
			Experiment: e.Experiment, Index: len(out[e.Experiment]), Config: cfg,
			Params: e.Params, ParamsJSON: pj, Seed: e.Seed, Key: e.TrialKey,
		})
	}
	return out
}

// specFor is the spec a compared experiment is judged by: the working
// tree's, else one that declares the reported metrics without goals.
func (s *Server) specFor(name string, entries []*results.Entry) *spec.Experiment {
	if e := s.specs[name]; e != nil && len(e.Metrics) > 0 {
		return e
	}
	seen := map[string]bool{}
	var names []string
	for _, e := range entries {
		for m := range e.Metrics {
			if !seen[m] {
				seen[m] = true
				names = append(names, m)
			}
		}
	}
	sort.Strings(names)
	out := &spec.Experiment{Name: name}
	for i, n := range names {
		out.Metrics = append(out.Metrics, &spec.Metric{Name: n, Summary: "last", Primary: i == 0})
	}
	return out
}

// paramChanges names the params that differ between two sides with one
// config each: the change a pull request made.
func paramChanges(base, head []*spec.Trial) []compare.Change {
	out := []compare.Change{}
	if len(base) == 0 || len(head) == 0 || base[0].ParamsJSON == head[0].ParamsJSON {
		return out
	}
	for _, t := range append(base[1:], head[1:]...) {
		if t.ParamsJSON != base[0].ParamsJSON && t.ParamsJSON != head[0].ParamsJSON {
			return out // a sweep: configs pair by params instead
		}
	}
	keys := map[string]bool{}
	for k := range base[0].Params {
		keys[k] = true
	}
	for k := range head[0].Params {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		b, h := paramText(base[0].Params, k), paramText(head[0].Params, k)
		if b != h {
			out = append(out, compare.Change{Field: "params." + k, Base: b, Head: h})
		}
	}
	return out
}

func paramText(p map[string]any, k string) string {
	v, ok := p[k]
	if !ok {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// resultOf is the record as far as the index keeps it: everything the
// comparison reads.
func resultOf(e *results.Entry) *runner.Result { return e.Result() }

// choices lists the commits and pull requests with runs, newest first,
// each with where it stands.
func choices(idx *results.Index, branch *pages.Branch) []choice {
	type agg struct {
		c    choice
		exps map[string]bool
	}
	all := map[string]*agg{}
	add := func(key, label string, e *results.Entry) {
		a := all[key]
		if a == nil {
			a = &agg{c: choice{Value: key, Label: label}, exps: map[string]bool{}}
			all[key] = a
		}
		a.c.Runs++
		a.exps[e.Experiment] = true
		if e.Started.After(a.c.Latest) {
			a.c.Latest = e.Started
		}
	}
	for _, e := range idx.Entries {
		if e.SourceCommit != "" {
			// A bare short SHA says nothing: name where the commit
			// stands (the default branch, a pull request) and why it ran.
			label := "commit " + shortCommit(e.SourceCommit)
			switch {
			case e.PR > 0:
				label += fmt.Sprintf(" (PR #%d)", e.PR)
			case branch != nil && branch.Commits[e.SourceCommit]:
				label += " (" + branch.Label() + ", " + e.Trigger + ")"
			case e.Trigger != "":
				label += " (" + e.Trigger + ")"
			}
			add(shortCommit(e.SourceCommit), label, e)
		}
		if e.PR > 0 {
			add(fmt.Sprintf("#%d", e.PR), fmt.Sprintf("pull request #%d, latest commit", e.PR), e)
		}
	}
	out := make([]choice, 0, len(all))
	for _, a := range all {
		var names []string
		for n := range a.exps {
			names = append(names, n)
		}
		sort.Strings(names)
		a.c.Experiments = strings.Join(names, ", ")
		a.c.LatestSort = a.c.Latest.UTC().Format(time.RFC3339)
		out = append(out, a.c)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Latest.Equal(out[j].Latest) {
			return out[i].Latest.After(out[j].Latest)
		}
		return out[i].Value < out[j].Value
	})
	if len(out) > maxChoices {
		out = out[:maxChoices]
	}
	return out
}
