package spec

import (
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
)

// GitHubCredentials are the variables that hold a GitHub Actions job's own
// credentials: the token that may write to the repository and the tokens
// of the Actions runtime. assay uses them; a trial never gets them, not
// even when secret_env or pass_env names them (a trial that needs GitHub
// gets a token of its own under another name).
var GitHubCredentials = []string{
	"GITHUB_TOKEN", "GH_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "GH_ENTERPRISE_TOKEN",
	"ACTIONS_RUNTIME_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL",
}

// GitHubCredential reports whether k is one of GitHubCredentials.
func GitHubCredential(k string) bool { return slices.Contains(GitHubCredentials, k) }

// checkPassable refuses a secret_env or pass_env name that can never
// reach a trial.
func checkPassable(a *hcl.Attribute, name string) hcl.Diagnostics {
	if !GitHubCredential(name) {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError, Summary: "GitHub credential passed to a trial",
		Detail: fmt.Sprintf("%s is the GitHub job's own credential, which assay uses and never passes to a trial. "+
			"Store a token for the trial as a secret of its own (for example TRIAL_GITHUB_TOKEN) and name that in %s.", name, a.Name),
		Subject: a.Expr.Range().Ptr(),
	}}
}
