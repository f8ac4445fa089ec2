package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v62/github"
)

// Decision is the fork gate's answer for the running workflow.
type Decision struct {
	// Allowed is false when trials must not run: a fork's pull request
	// that no maintainer approved.
	Allowed bool `json:"allowed"`
	// Fork is set when the pull request comes from a fork.
	Fork bool `json:"fork"`
	// PR is the pull request's number, 0 outside one.
	PR int `json:"pr,omitempty"`
	// Reason says in one line why, for the log; empty for a pull request
	// from the repository itself or for an event that is none.
	Reason string `json:"reason,omitempty"`
}

// CheckFork decides whether the workflow may run trials. A pull request
// from a fork may run only when allowForks is set (github { allow_forks =
// true }) or when it carries label (assay:approved by default), which
// only someone with triage or write access can set. The labels are read
// from the API, not the event, because a label added after the push (the
// usual way to approve) is not in the event's payload. client may be nil
// when there is no token; a fork's pull request is then refused, because
// its labels cannot be checked.
//
// Events that are not about a pull request (push, schedule) and pull
// requests from the repository itself are allowed.
func CheckFork(ctx context.Context, client *Client, ev *Event, allowForks bool, label string) (Decision, error) {
	if ev == nil || ev.PR == nil {
		return Decision{Allowed: true}, nil
	}
	if label == "" {
		label = "assay:approved"
	}
	pr := ev.PR
	if pr.HeadSHA == "" && client != nil {
		// The payload (an issue_comment) does not say where the head is.
		full, err := client.PullRequest(ctx, pr.Number)
		if err != nil {
			return Decision{PR: pr.Number}, err
		}
		pr = full
	}
	d := Decision{PR: pr.Number, Fork: pr.IsFork()}
	if !d.Fork {
		d.Allowed = true
		return d, nil
	}
	from := pr.HeadRepo
	if from == "" {
		from = "a deleted fork"
	} else {
		from = "the fork " + from
	}
	if allowForks {
		d.Allowed = true
		d.Reason = fmt.Sprintf("pull request #%d comes from %s; running its trials because assay.hcl sets github { allow_forks = true }", pr.Number, from)
		return d, nil
	}
	refuse := fmt.Sprintf("pull request #%d comes from %s, so assay runs none of its trials: a maintainer approves it by adding the label %q", pr.Number, from, label)
	if client == nil {
		d.Reason = refuse + " (and GITHUB_TOKEN is needed to check for it)"
		return d, nil
	}
	labels, err := client.Labels(ctx, pr.Number)
	if err != nil {
		return d, err
	}
	for _, l := range labels {
		if strings.EqualFold(l, label) {
			d.Allowed = true
			d.Reason = fmt.Sprintf("pull request #%d comes from %s; running its trials because it carries the label %q", pr.Number, from, label)
			return d, nil
		}
	}
	d.Reason = refuse
	return d, nil
}

// Labels returns the labels an issue or pull request carries now, every
// page of them.
func (c *Client) Labels(ctx context.Context, number int) ([]string, error) {
	var out []string
	opts := &gh.ListOptions{PerPage: 100}
	for {
		page, resp, err := c.gh.Issues.ListLabelsByIssue(ctx, c.owner, c.repo, number, opts)
		if err != nil {
			return nil, explain(err, fmt.Sprintf("reading the labels of #%d", number))
		}
		for _, l := range page {
			out = append(out, l.GetName())
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// PullRequest reads pull request number: its head and base.
func (c *Client) PullRequest(ctx context.Context, number int) (*PullRequest, error) {
	p, _, err := c.gh.PullRequests.Get(ctx, c.owner, c.repo, number)
	if err != nil {
		return nil, explain(err, fmt.Sprintf("reading pull request #%d", number))
	}
	out := &PullRequest{
		Number:  p.GetNumber(),
		HeadSHA: p.GetHead().GetSHA(), BaseSHA: p.GetBase().GetSHA(),
		HeadRef: p.GetHead().GetRef(), BaseRef: p.GetBase().GetRef(),
		HeadRepo: p.GetHead().GetRepo().GetFullName(),
		BaseRepo: p.GetBase().GetRepo().GetFullName(),
	}
	if out.BaseRepo == "" {
		out.BaseRepo = c.Repository()
	}
	for _, l := range p.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	return out, nil
}
