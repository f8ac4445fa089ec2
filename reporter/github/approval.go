package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v62/github"
)

// ApproveCommand begins the comment line that approves one commit of a
// fork's pull request: `/assay approve <full commit sha>`.
//
// The rules, and why:
//
//   - The line names the full commit id (40 hex digits, or 64 in a SHA-256
//     repository). A short id is refused: anyone can make a commit whose
//     id starts with the same 7 or 12 digits in minutes, and push it
//     after the approval.
//   - The line stands alone, outside quotes and code blocks, so quoting
//     or explaining the command approves nothing.
//   - The commenter has write, maintain or admin permission on the
//     repository now, as the API says when the check runs; a comment by
//     anyone else does not count, and neither does one whose author has
//     since lost access. Editing or deleting the comment withdraws it.
//   - It approves that commit only. A push makes a new head, which needs a
//     new approval; "Re-run jobs" of a run replays that run's event, so
//     the run of an approved commit can be re-run, and the run of an
//     unapproved one passes once its commit is approved.
const ApproveCommand = "/assay approve"

// Approval is a comment that approves a commit.
type Approval struct {
	User string `json:"user"`
	// Permission is the commenter's role on the repository: admin,
	// maintain or write.
	Permission string    `json:"permission"`
	CommentID  int64     `json:"comment_id"`
	URL        string    `json:"url,omitempty"`
	Created    time.Time `json:"created"`
}

// approveLine is one `/assay approve X` line of a comment.
type approveLine struct {
	user      string
	target    string // as written, lower-cased
	commentID int64
	url       string
	created   time.Time
}

// parseApprovals returns what each `/assay approve X` line of body names.
// A line counts only when it is the command alone, outside a fenced code
// block; a quoted line begins with ">" and so never counts.
func parseApprovals(body string) []string {
	var out []string
	fenced := false
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		rest, ok := strings.CutPrefix(line, ApproveCommand)
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 1 || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
			continue
		}
		out = append(out, asciiLower(fields[0]))
	}
	return out
}

// asciiLower lower-cases A to Z only: a commit id is ASCII, and Unicode's
// lower case can change other bytes (İ becomes two runes, invalid UTF-8
// becomes U+FFFD), so the target would no longer be what the line says.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// isFullSHA reports whether s is a whole commit id: 40 hex digits (SHA-1)
// or 64 (SHA-256), lower case.
func isFullSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	return isHex(s)
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// approvalSearch is what findApproval found: the approval of head, or
// notes that say why none counts.
type approvalSearch struct {
	approval *Approval
	notes    []string
}

// findApproval reads every comment of pull request number and returns the
// newest approval of head by someone with write access or more. Every
// error, from reading the comments or a permission, is returned.
func (c *Client) findApproval(ctx context.Context, number int, head string) (approvalSearch, error) {
	var lines []approveLine
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.gh.Issues.ListComments(ctx, c.owner, c.repo, number, opts)
		if err != nil {
			return approvalSearch{}, explain(err, fmt.Sprintf("reading the comments of #%d for a maintainer's approval", number))
		}
		for _, cm := range page {
			for _, target := range parseApprovals(cm.GetBody()) {
				lines = append(lines, approveLine{
					user: cm.GetUser().GetLogin(), target: target,
					commentID: cm.GetID(), url: cm.GetHTMLURL(), created: cm.GetCreatedAt().Time,
				})
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}

	var found approvalSearch
	checked := map[string]bool{}
	var otherCommit, shortID *approveLine
	// Newest first: the latest approval is the one a reader of the pull
	// request sees last.
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		switch {
		case l.target == head:
		case isHex(l.target) && len(l.target) < len(head) && strings.HasPrefix(head, l.target):
			if shortID == nil {
				shortID = &lines[i]
			}
			continue
		default:
			if otherCommit == nil {
				otherCommit = &lines[i]
			}
			continue
		}
		key := strings.ToLower(l.user)
		if checked[key] {
			continue
		}
		checked[key] = true
		role, legacy, err := c.permission(ctx, l.user)
		if err != nil {
			return approvalSearch{}, err
		}
		if legacy == "admin" || legacy == "write" {
			found.approval = &Approval{User: l.user, Permission: role, CommentID: l.commentID, URL: l.url, Created: l.created}
			return found, nil
		}
		found.notes = append(found.notes, fmt.Sprintf("@%s's approval does not count: approvals need write, maintain or admin permission, and @%s has %s", l.user, l.user, describeRole(role)))
	}
	if shortID != nil {
		found.notes = append(found.notes, fmt.Sprintf("@%s's approval names %s, a short commit id: an approval names the full %d-character id, because a commit with the same short id can be made on purpose",
			shortID.user, shortID.target, len(head)))
	}
	if otherCommit != nil {
		what := "not a commit id"
		if isHex(otherCommit.target) {
			what = "another commit"
		}
		found.notes = append(found.notes, fmt.Sprintf("@%s's latest approval names %s, %s: every push needs a new approval", otherCommit.user, short(otherCommit.target), what))
	}
	return found, nil
}

func describeRole(role string) string {
	switch role {
	case "none", "":
		return "no access"
	default:
		return role + " access"
	}
}

// permissionLevel is GitHub's answer to "Get repository permissions for a
// user": permission is the legacy base role (maintain reads as write,
// triage as read), role_name the role itself. go-github's type lacks
// role_name.
type permissionLevel struct {
	Permission string `json:"permission"`
	RoleName   string `json:"role_name"`
}

// permission returns user's role on the repository and the legacy base
// role that decides (admin, write, read, none). A user GitHub does not
// know (404) has none.
func (c *Client) permission(ctx context.Context, user string) (role, legacy string, err error) {
	u := fmt.Sprintf("repos/%s/%s/collaborators/%s/permission", url.PathEscape(c.owner), url.PathEscape(c.repo), url.PathEscape(user))
	req, err := c.gh.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return "", "", err
	}
	var p permissionLevel
	if _, err := c.gh.Do(ctx, req, &p); err != nil {
		if isStatus(err, http.StatusNotFound) {
			return "none", "none", nil
		}
		return "", "", explain(err, fmt.Sprintf("reading @%s's permission on %s, to check their approval", user, c.Repository()))
	}
	legacy = strings.ToLower(p.Permission)
	role = strings.ToLower(p.RoleName)
	if role == "" {
		role = legacy
	}
	return role, legacy, nil
}
