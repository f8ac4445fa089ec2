package spec

import "github.com/hashicorp/hcl/v2"

// DefaultApprovalLabel is the label that approved a fork's pull request
// before approvals named a commit. It approves nothing now; the fork gate
// only tells a pull request that carries it so.
const DefaultApprovalLabel = "assay:approved"

// GitHub is the github block of assay.hcl.
type GitHub struct {
	// AllowForks lets pull requests from forks run trials without a
	// maintainer's approval of their head commit. Off by default: a fork's
	// code would run on the team's GPU runners.
	AllowForks bool
	// ApprovalLabel is approval_label, the label that approved a fork's
	// pull request once (DefaultApprovalLabel unless set). Kept so that
	// the fork gate can say it no longer approves.
	ApprovalLabel string
}

var githubBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "allow_forks"}, {Name: "approval_label"}},
}

func decodeGitHubBlock(block *hcl.Block, ctx *hcl.EvalContext) (GitHub, hcl.Diagnostics) {
	g := GitHub{ApprovalLabel: DefaultApprovalLabel}
	content, diags := block.Body.Content(githubBlockSchema)
	if a := content.Attributes["allow_forks"]; a != nil {
		v, ok, d := evalBool(a, ctx)
		diags = append(diags, d...)
		if ok {
			g.AllowForks = v
		}
	}
	if a := content.Attributes["approval_label"]; a != nil {
		v, ok, d := evalString(a, ctx)
		diags = append(diags, d...)
		if ok && v != "" {
			g.ApprovalLabel = v
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "approval_label no longer approves",
			Detail: "A label cannot say which commit it approves, so a push after it ran code nobody reviewed. " +
				"A maintainer now approves a fork's pull request by commenting /assay approve <full commit sha>, " +
				"once for each commit. Remove approval_label.",
			Subject: a.NameRange.Ptr(),
		})
	}
	return g, diags
}
