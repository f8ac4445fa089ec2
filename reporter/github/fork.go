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
	// whose head commit no maintainer approved.
	Allowed bool `json:"allowed"`
	// Fork is set when the pull request comes from a fork.
	Fork bool `json:"fork"`
	// PR is the pull request's number, 0 outside one.
	PR int `json:"pr,omitempty"`
	// Head is the commit the decision is about.
	Head string `json:"head,omitempty"`
	// Approval is the comment that approved Head, when one did.
	Approval *Approval `json:"approval,omitempty"`
	// Reason says in one line why, for the log; empty for a pull request
	// from the repository itself or for an event that is none.
	Reason string `json:"reason,omitempty"`
}

// ForkCheck is what CheckFork is asked.
type ForkCheck struct {
	// Event is the workflow's event.
	Event *Event
	// Head is the commit that would run, when the caller knows it (the
	// plan's head); empty means the pull request's head as the event or,
	// for an event that does not carry it, the API says.
	Head string
	// AllowForks is github { allow_forks } of the base's assay.hcl.
	AllowForks bool
	// Label is the label that approved a fork's pull request before
	// approvals named a commit (approval_label); a refusal of a pull
	// request that carries it says that it no longer approves.
	Label string
}

// CheckFork decides whether the workflow may run trials. A pull request
// from a fork may run only when AllowForks is set (github { allow_forks =
// true }) or when a maintainer approved the very commit that would run,
// with a comment `/assay approve <sha>` (see approval.go). A push makes
// a new head, which needs a new approval.
//
// Comments and permissions are read from the API when the check runs. Any
// error reading them is returned, and the caller must then run nothing:
// the gate fails closed. client may be nil when there is no token; a
// fork's pull request is then refused, because no approval can be checked.
//
// Events that are not about a pull request (push, schedule) and pull
// requests from the repository itself are allowed.
func CheckFork(ctx context.Context, client *Client, q ForkCheck) (Decision, error) {
	ev := q.Event
	if ev == nil || ev.PR == nil {
		return Decision{Allowed: true}, nil
	}
	label := q.Label
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
	head := strings.ToLower(q.Head)
	if head == "" {
		head = strings.ToLower(pr.HeadSHA)
	}
	d := Decision{PR: pr.Number, Fork: pr.IsFork(), Head: head}
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
	if q.AllowForks {
		d.Allowed = true
		d.Reason = fmt.Sprintf("pull request #%d comes from %s; running its trials because assay.hcl sets github { allow_forks = true }", pr.Number, from)
		return d, nil
	}
	refuse := fmt.Sprintf("pull request #%d comes from %s, so assay runs none of its trials at %s: "+
		"a maintainer (write access or more) who has reviewed that commit approves it by commenting `%s %s`, then re-runs this workflow",
		pr.Number, from, shortHead(head), ApproveCommand, orPlaceholder(head))
	if client == nil {
		d.Reason = refuse + " (and GITHUB_TOKEN is needed to check for it)"
		return d, nil
	}
	if !isFullSHA(head) {
		// Nothing can be approved without knowing the commit.
		d.Reason = refuse + " (the head commit of the pull request is not known)"
		return d, nil
	}
	found, err := client.findApproval(ctx, pr.Number, head)
	if err != nil {
		return d, err
	}
	if found.approval != nil {
		d.Allowed, d.Approval = true, found.approval
		d.Reason = fmt.Sprintf("pull request #%d comes from %s; running its trials at %s because @%s (%s) approved that commit: %s",
			pr.Number, from, short(head), found.approval.User, found.approval.Permission, found.approval.URL)
		return d, nil
	}
	notes := found.notes
	// The label was an approval once; say that it is no longer one. The
	// note is a courtesy: the pull request is refused whatever the labels
	// say, so an error reading them changes nothing.
	if labels, err := client.Labels(ctx, pr.Number); err == nil {
		for _, l := range labels {
			if strings.EqualFold(l, label) {
				notes = append(notes, fmt.Sprintf("the label %q no longer approves: a label cannot say which commit it approves", l))
				break
			}
		}
	}
	d.Reason = refuse
	if len(notes) > 0 {
		d.Reason += " (" + strings.Join(notes, "; ") + ")"
	}
	return d, nil
}

func orPlaceholder(sha string) string {
	if sha == "" {
		return "<full commit sha>"
	}
	return sha
}

// shortHead is a commit's first 7 characters, as git and GitHub show it.
func shortHead(sha string) string {
	if sha == "" {
		return "its head commit"
	}
	return short(sha)
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
