package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v62/github"
)

// Marker is the hidden first line of assay's pull-request comment: the
// comment assay edits is the one by its own account whose body starts
// with it. A comment that merely quotes the marker further down, or one
// by anyone else, is never touched.
const Marker = "<!-- assay:report -->"

// CommentResult says what UpsertComment did.
type CommentResult struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
	// Action is "created", "updated" or "unchanged" (the body was already
	// what it would have been edited to).
	Action string `json:"action"`
	// Removed counts duplicates of the sticky comment deleted: left by an
	// earlier run whose create GitHub answered with an error after all.
	Removed int `json:"removed,omitempty"`
}

// IsSticky reports whether a comment is assay's sticky comment for login:
// written by login and with Marker as its first line.
func IsSticky(author, body, login string) bool {
	if !strings.EqualFold(author, login) {
		return false
	}
	first, _, _ := strings.Cut(body, "\n")
	return strings.TrimSpace(strings.TrimSuffix(first, "\r")) == Marker
}

// UpsertComment makes body (which must start with Marker) the sticky
// comment of pull request pr: it reads every page of comments, edits the
// oldest sticky comment when there is one, and creates it otherwise.
// Further sticky comments, duplicates, are deleted.
func (c *Client) UpsertComment(ctx context.Context, pr int, body string) (*CommentResult, error) {
	if !strings.HasPrefix(body, Marker+"\n") {
		return nil, fmt.Errorf("the comment body must start with the line %s", Marker)
	}
	login, err := c.Identity(ctx)
	if err != nil {
		return nil, err
	}
	mine, err := c.stickyComments(ctx, pr, login)
	if err != nil {
		return nil, err
	}
	res := &CommentResult{}
	if len(mine) == 0 {
		cm, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.repo, pr, &gh.IssueComment{Body: gh.String(body)})
		if err != nil {
			return nil, explain(err, fmt.Sprintf("creating the report comment on #%d", pr))
		}
		res.ID, res.URL, res.Action = cm.GetID(), cm.GetHTMLURL(), "created"
		return res, nil
	}
	keep := mine[0]
	res.ID, res.URL, res.Action = keep.GetID(), keep.GetHTMLURL(), "unchanged"
	if keep.GetBody() != body {
		cm, _, err := c.gh.Issues.EditComment(ctx, c.owner, c.repo, keep.GetID(), &gh.IssueComment{Body: gh.String(body)})
		if err != nil {
			return nil, explain(err, fmt.Sprintf("editing the report comment %d on #%d", keep.GetID(), pr))
		}
		res.URL, res.Action = cm.GetHTMLURL(), "updated"
	}
	for _, dup := range mine[1:] {
		if _, err := c.gh.Issues.DeleteComment(ctx, c.owner, c.repo, dup.GetID()); err != nil && !isStatus(err, 404) {
			return res, explain(err, fmt.Sprintf("deleting duplicate report comment %d on #%d", dup.GetID(), pr))
		}
		res.Removed++
	}
	return res, nil
}

// stickyComments returns login's sticky comments on pr, oldest first,
// reading every page (100 comments a page, GitHub's most).
func (c *Client) stickyComments(ctx context.Context, pr int, login string) ([]*gh.IssueComment, error) {
	var mine []*gh.IssueComment
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.gh.Issues.ListComments(ctx, c.owner, c.repo, pr, opts)
		if err != nil {
			return nil, explain(err, fmt.Sprintf("reading the comments of #%d", pr))
		}
		for _, cm := range page {
			if IsSticky(cm.GetUser().GetLogin(), cm.GetBody(), login) {
				mine = append(mine, cm)
			}
		}
		if resp.NextPage == 0 {
			return mine, nil
		}
		opts.Page = resp.NextPage
	}
}
