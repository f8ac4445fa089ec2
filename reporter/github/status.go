package github

import (
	"context"
	"fmt"
	"unicode/utf8"

	gh "github.com/google/go-github/v62/github"
)

// StatusContext is the name of assay's commit status, what branch
// protection rules require.
const StatusContext = "assay"

// MaxStatusDescription is GitHub's limit on a status description, in
// characters.
const MaxStatusDescription = 140

// Commit status states.
const (
	StateSuccess = "success"
	StateFailure = "failure"
	StateError   = "error"
	StatePending = "pending"
)

// CommitStatus is the `assay` status of a commit.
type CommitStatus struct {
	// State is success, failure, error or pending.
	State string `json:"state"`
	// Description is the one line a reviewer reads beside the check;
	// shortened to 140 characters.
	Description string `json:"description"`
	// TargetURL is where the check's Details link leads: the comment.
	TargetURL string `json:"target_url,omitempty"`
}

// SetStatus sets the `assay` status of sha.
func (c *Client) SetStatus(ctx context.Context, sha string, st CommitStatus) error {
	switch st.State {
	case StateSuccess, StateFailure, StateError, StatePending:
	default:
		return fmt.Errorf("commit status %q is not one of success, failure, error, pending", st.State)
	}
	rs := &gh.RepoStatus{
		State:       gh.String(st.State),
		Context:     gh.String(StatusContext),
		Description: gh.String(ShortDescription(st.Description)),
	}
	if st.TargetURL != "" {
		rs.TargetURL = gh.String(st.TargetURL)
	}
	if _, _, err := c.gh.Repositories.CreateStatus(ctx, c.owner, c.repo, sha, rs); err != nil {
		return explain(err, fmt.Sprintf("setting the %s status of %s", StatusContext, short(sha)))
	}
	return nil
}

// ShortDescription cuts d to GitHub's 140 characters, ending with an
// ellipsis when cut.
func ShortDescription(d string) string {
	if utf8.RuneCountInString(d) <= MaxStatusDescription {
		return d
	}
	r := []rune(d)
	return string(r[:MaxStatusDescription-1]) + "…"
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
