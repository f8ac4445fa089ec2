package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
)

// maxListedRuns bounds the runs a commit message lists one per line.
const maxListedRuns = 40

// commitMessage is the message assay's writer gives a commit of these
// runs (reporter/results keeps its own unexported; the test compares the
// two on a branch assay writes): a subject, one line per run in run id
// order, the trailers of every source commit, PR and trigger, and the
// Assay-Index trailer line (empty without segments).
func commitMessage(runs []*runner.Result, indexTrailer string) string {
	runs = append([]*runner.Result(nil), runs...)
	sort.Slice(runs, func(i, j int) bool { return runs[i].RunID < runs[j].RunID })
	exps := map[string]bool{}
	var names, sources, prs, triggers []string
	seen := map[string]bool{}
	add := func(list *[]string, kind, v string) {
		if v != "" && !seen[kind+v] {
			seen[kind+v] = true
			*list = append(*list, v)
		}
	}
	for _, r := range runs {
		if !exps[r.Experiment] {
			exps[r.Experiment] = true
			names = append(names, r.Experiment)
		}
		add(&sources, "s", r.SourceCommit)
		if r.PR > 0 {
			add(&prs, "p", strconv.Itoa(r.PR))
		}
		add(&triggers, "t", r.Trigger)
	}
	sort.Strings(names)
	var b strings.Builder
	noun := "runs"
	if len(runs) == 1 {
		noun = "run"
	}
	fmt.Fprintf(&b, "assay: record %d %s of %s\n\n", len(runs), noun, strings.Join(names, ", "))
	for i, r := range runs {
		if i == maxListedRuns {
			fmt.Fprintf(&b, "... and %d more\n", len(runs)-i)
			break
		}
		key := r.TrialKey
		if len(key) > 12 {
			key = key[:12]
		}
		fmt.Fprintf(&b, "%s %s seed=%d %s %s\n", r.RunID, r.Experiment, r.Seed, r.Status, key)
	}
	b.WriteString("\n")
	for _, s := range sources {
		fmt.Fprintf(&b, "%s: %s\n", results.TrailerSourceCommit, s)
	}
	for _, p := range prs {
		fmt.Fprintf(&b, "%s: %s\n", results.TrailerPR, p)
	}
	for _, t := range triggers {
		fmt.Fprintf(&b, "%s: %s\n", results.TrailerTrigger, t)
	}
	if indexTrailer != "" {
		b.WriteString(indexTrailer + "\n")
	}
	return b.String()
}
