package github

import (
	"context"
	"fmt"
	"sort"
	"strings"

	gh "github.com/google/go-github/v62/github"

	"github.com/assaylab/assay/reporter/drift"
)

// DriftAction is what SyncDrift did about one experiment.
type DriftAction struct {
	Experiment string `json:"experiment"`
	Verdict    string `json:"verdict"`
	// Action is opened, updated, unchanged, closed or none.
	Action string `json:"action"`
	Issue  int    `json:"issue,omitempty"`
	URL    string `json:"url,omitempty"`
	// Duplicates counts extra open drift issues of the experiment that were
	// closed (left by a create GitHub answered with an error after all).
	Duplicates int `json:"duplicates,omitempty"`
}

// Drift actions.
const (
	ActionOpened    = "opened"
	ActionUpdated   = "updated"
	ActionUnchanged = "unchanged"
	ActionClosed    = "closed"
	ActionNone      = "none"
)

// SyncDrift brings the drift issues in line with the findings: a drifting
// experiment gets an issue labelled assay:drift, opened the first night and
// edited on later ones; a stable experiment's open issue is closed with a
// comment saying it recovered; an experiment without a verdict is left as
// it is. Only open issues that assay's own account wrote, whose first line
// is the experiment's marker, are touched.
func (c *Client) SyncDrift(ctx context.Context, findings []drift.Finding, rule drift.Rule) ([]DriftAction, error) {
	login, err := c.Identity(ctx)
	if err != nil {
		return nil, err
	}
	open, err := c.openDriftIssues(ctx, login)
	if err != nil {
		return nil, err
	}
	var out []DriftAction
	for _, f := range findings {
		a, err := c.syncOne(ctx, f, rule, open[f.Experiment])
		out = append(out, a)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func (c *Client) syncOne(ctx context.Context, f drift.Finding, rule drift.Rule, issues []*gh.Issue) (DriftAction, error) {
	a := DriftAction{Experiment: f.Experiment, Verdict: f.Verdict, Action: ActionNone}
	switch f.Verdict {
	case drift.Drifting:
		body := DriftIssueBody(f, rule)
		if len(issues) == 0 {
			is, _, err := c.gh.Issues.Create(ctx, c.owner, c.repo, &gh.IssueRequest{
				Title: gh.String(DriftTitle(f.Experiment)), Body: gh.String(body), Labels: &[]string{DriftLabel},
			})
			if err != nil {
				return a, explain(err, "opening the drift issue of "+f.Experiment)
			}
			a.Action, a.Issue, a.URL = ActionOpened, is.GetNumber(), is.GetHTMLURL()
			return a, nil
		}
		keep := issues[0]
		a.Action, a.Issue, a.URL = ActionUnchanged, keep.GetNumber(), keep.GetHTMLURL()
		if keep.GetBody() != body {
			if _, _, err := c.gh.Issues.Edit(ctx, c.owner, c.repo, keep.GetNumber(), &gh.IssueRequest{Body: gh.String(body)}); err != nil {
				return a, explain(err, fmt.Sprintf("updating drift issue #%d", keep.GetNumber()))
			}
			a.Action = ActionUpdated
		}
		for _, dup := range issues[1:] {
			msg := fmt.Sprintf("Duplicate of #%d, which assay keeps up to date.", keep.GetNumber())
			if err := c.closeIssue(ctx, dup.GetNumber(), msg, "not_planned"); err != nil {
				return a, err
			}
			a.Duplicates++
		}
	case drift.Stable:
		if len(issues) == 0 {
			return a, nil
		}
		msg := DriftRecoveredComment(f, rule)
		for _, is := range issues {
			if err := c.closeIssue(ctx, is.GetNumber(), msg, "completed"); err != nil {
				return a, err
			}
		}
		a.Action, a.Issue, a.URL = ActionClosed, issues[0].GetNumber(), issues[0].GetHTMLURL()
		a.Duplicates = len(issues) - 1
	}
	return a, nil
}

// closeIssue comments msg on issue number and closes it for reason.
func (c *Client) closeIssue(ctx context.Context, number int, msg, reason string) error {
	if _, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.repo, number, &gh.IssueComment{Body: gh.String(msg)}); err != nil {
		return explain(err, fmt.Sprintf("commenting on drift issue #%d", number))
	}
	req := &gh.IssueRequest{State: gh.String("closed"), StateReason: gh.String(reason)}
	if _, _, err := c.gh.Issues.Edit(ctx, c.owner, c.repo, number, req); err != nil {
		return explain(err, fmt.Sprintf("closing drift issue #%d", number))
	}
	return nil
}

// openDriftIssues returns login's open drift issues by experiment, oldest
// first, from every page.
func (c *Client) openDriftIssues(ctx context.Context, login string) (map[string][]*gh.Issue, error) {
	out := map[string][]*gh.Issue{}
	opts := &gh.IssueListByRepoOptions{State: "open", Labels: []string{DriftLabel}, ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.gh.Issues.ListByRepo(ctx, c.owner, c.repo, opts)
		if err != nil {
			return nil, explain(err, "listing open "+DriftLabel+" issues")
		}
		for _, is := range page {
			if is.IsPullRequest() || !strings.EqualFold(is.GetUser().GetLogin(), login) {
				continue
			}
			if exp := driftExperiment(is.GetBody()); exp != "" {
				out[exp] = append(out[exp], is)
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	for _, list := range out {
		sort.Slice(list, func(i, j int) bool { return list[i].GetNumber() < list[j].GetNumber() })
	}
	return out, nil
}
