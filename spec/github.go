package spec

import "github.com/hashicorp/hcl/v2"

// DefaultApprovalLabel is the label a maintainer puts on a fork's pull
// request to let its trials run.
const DefaultApprovalLabel = "assay:approved"

// GitHub is the github block of assay.hcl.
type GitHub struct {
	// AllowForks lets pull requests from forks run trials without a label.
	// Off by default: a fork's code would run on the team's GPU runners.
	AllowForks bool
	// ApprovalLabel is the label that approves one fork pull request.
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
	}
	return g, diags
}
