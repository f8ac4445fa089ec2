package spec

import (
	"fmt"
	"math"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// ProjectFile is where a repository's project settings live.
const ProjectFile = "assay.hcl"

// DefaultResultsBranch is the orphan branch results go to unless the
// project block names another.
const DefaultResultsBranch = "assay/results"

// DefaultExperiments is where experiment files are looked for unless the
// project block says otherwise.
var DefaultExperiments = []string{"experiments/**/*.hcl"}

// Settings is the project block of assay.hcl.
type Settings struct {
	// Experiments are doublestar globs, relative to the repository root,
	// that select experiment files.
	Experiments []string
	// ResultsBranch is the branch results are recorded on.
	ResultsBranch string
	// ResultsRepo, when set, is a git URL of another repository that holds
	// the results branch, keeping the code repository's clones lean.
	ResultsRepo string
	// ArtifactStore is a blob URL (file://, s3://, gs://, azblob://) for run
	// artifacts; empty means a directory under .git/assay/.
	ArtifactStore string
	// MaxTrials is the most trials all experiments together may expand
	// to (project { max_trials }); DefaultMaxTotalTrials unless set.
	MaxTrials int
	// maxTrialsRange is where max_trials is set, for the error that names
	// it; nil when it is not.
	maxTrialsRange *hcl.Range
}

// DefaultMaxTotalTrials is the most trials all of a project's experiments
// together may expand to unless project { max_trials } says otherwise. The
// per-experiment limit (DefaultMaxTrials) alone lets a spec of a few KiB
// ask for millions of trials over many experiments; every plan of such a
// spec would spend minutes and gigabytes before running anything.
const DefaultMaxTotalTrials = 100000

var projectBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "experiments"},
		{Name: "results_branch"},
		{Name: "results_repo"},
		{Name: "artifact_store"},
		{Name: "max_trials"},
	},
}

func defaultSettings() Settings {
	return Settings{
		Experiments:   append([]string(nil), DefaultExperiments...),
		ResultsBranch: DefaultResultsBranch,
		MaxTrials:     DefaultMaxTotalTrials,
	}
}

func decodeProjectBlock(block *hcl.Block, ctx *hcl.EvalContext) (Settings, hcl.Diagnostics) {
	s := defaultSettings()
	content, diags := block.Body.Content(projectBlockSchema)
	if a := content.Attributes["experiments"]; a != nil {
		globs, ok, d := evalStringList(a, ctx)
		diags = append(diags, d...)
		if ok {
			for _, g := range globs {
				if err := checkRepoGlob(g); err != "" {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid experiments glob",
						Detail:   fmt.Sprintf("%q %s.", g, err),
						Subject:  a.Expr.Range().Ptr(),
					})
				}
			}
			if len(globs) == 0 {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "No experiments glob",
					Detail:   "project.experiments must name at least one glob, such as \"experiments/**/*.hcl\".",
					Subject:  a.Expr.Range().Ptr(),
				})
			}
			s.Experiments = globs
		}
	}
	if a := content.Attributes["results_branch"]; a != nil {
		b, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if ok {
			if msg := checkBranchName(b); msg != "" {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid results branch",
					Detail:   fmt.Sprintf("%q %s.", b, msg),
					Subject:  a.Expr.Range().Ptr(),
				})
			} else {
				s.ResultsBranch = b
			}
		}
	}
	if a := content.Attributes["results_repo"]; a != nil {
		r, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if ok {
			s.ResultsRepo = r
		}
	}
	if a := content.Attributes["artifact_store"]; a != nil {
		r, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if ok {
			s.ArtifactStore = r
		}
	}
	if a := content.Attributes["max_trials"]; a != nil {
		n, ok, d := evalInt(a, ctx, 1, math.MaxInt32)
		diags = append(diags, d...)
		if ok {
			s.MaxTrials, s.maxTrialsRange = int(n), a.Expr.Range().Ptr()
		}
	}
	return s, diags
}

// checkRepoGlob returns why g cannot be a glob inside the repository, or "".
func checkRepoGlob(g string) string {
	switch {
	case g == "":
		return "is empty"
	case strings.HasPrefix(g, "/"):
		return "is absolute; globs are relative to the repository root"
	case g == ".." || strings.HasPrefix(g, "../") || strings.Contains(g, "/../") || strings.HasSuffix(g, "/.."):
		return "leaves the repository"
	}
	return ""
}

// checkBranchName applies the parts of git-check-ref-format that users hit.
func checkBranchName(b string) string {
	switch {
	case b == "":
		return "is empty"
	case strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") || strings.Contains(b, "//"):
		return "has an empty path component"
	case strings.Contains(b, ".."), strings.ContainsAny(b, " ~^:?*[\\"), strings.HasSuffix(b, ".lock"), strings.HasPrefix(b, "-"):
		return "is not a valid git branch name"
	}
	return ""
}
