package fakegithub

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

func userJSON(login string) map[string]any {
	typ := "User"
	if strings.HasSuffix(login, "[bot]") {
		typ = "Bot"
	}
	return map[string]any{"login": login, "id": loginID(login), "type": typ}
}

// loginID is a stable id for a login.
func loginID(login string) int64 {
	var h int64 = 7
	for _, c := range login {
		h = h*31 + int64(c)
	}
	if h < 0 {
		h = -h
	}
	return h%1_000_000 + 1
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *Server) web(q *request) string { return "http://" + q.r.Host }

func (s *Server) getUser(q *request) response {
	if q.who.actions {
		return reply(http.StatusForbidden, apiError("Resource not accessible by integration"))
	}
	return reply(http.StatusOK, userJSON(q.who.login))
}

func (s *Server) commentJSON(q *request, r *Repo, c *Comment) map[string]any {
	return map[string]any{
		"id":         c.ID,
		"node_id":    fmt.Sprintf("IC_%d", c.ID),
		"body":       c.Body,
		"user":       userJSON(c.User),
		"created_at": stamp(c.Created),
		"updated_at": stamp(c.Updated),
		"html_url":   fmt.Sprintf("%s/%s/issues/%d#issuecomment-%d", s.web(q), r.FullName(), c.Issue, c.ID),
		"url":        fmt.Sprintf("%srepos/%s/issues/comments/%d", q.base, r.FullName(), c.ID),
		"issue_url":  fmt.Sprintf("%srepos/%s/issues/%d", q.base, r.FullName(), c.Issue),
	}
}

func (s *Server) listComments(q *request) response {
	r, is, resp, ok := s.lookupIssue(q)
	if !ok {
		return resp
	}
	var all []*Comment
	for _, c := range r.comments {
		if c.Issue == is.Number {
			all = append(all, c)
		}
	}
	p := paginate(q, len(all))
	out := []map[string]any{}
	for _, c := range all[p.start:p.end] {
		out = append(out, s.commentJSON(q, r, c))
	}
	return p.reply(out)
}

func (s *Server) createComment(q *request) response {
	r, is, resp, ok := s.lookupIssue(q)
	if !ok {
		return resp
	}
	body, resp, ok := commentBody(q)
	if !ok {
		return resp
	}
	now := s.now()
	c := &Comment{ID: s.newID(), Issue: is.Number, User: q.who.login, Body: body, Created: now, Updated: now}
	r.comments = append(r.comments, c)
	return reply(http.StatusCreated, s.commentJSON(q, r, c))
}

// commentBody reads a new or edited comment's body, which GitHub refuses
// when it is missing, empty or too long.
func commentBody(q *request) (string, response, bool) {
	var in struct {
		Body *string `json:"body"`
	}
	if resp, ok := decodeBody(q, &in); !ok {
		return "", resp, false
	}
	if in.Body == nil || *in.Body == "" {
		return "", validationFailed("IssueComment", "body", "missing_field", "body is missing"), false
	}
	if bodyTooLong(*in.Body) {
		return "", validationFailed("IssueComment", "body", "custom", fmt.Sprintf("body is too long (maximum is %d characters)", MaxBodyChars)), false
	}
	return *in.Body, response{}, true
}

// findComment finds the comment a request names by id.
func (s *Server) findComment(q *request) (*Repo, int, response, bool) {
	r, resp, ok := s.lookupRepo(q)
	if !ok {
		return nil, 0, resp, false
	}
	id, err := strconv.ParseInt(q.params["id"], 10, 64)
	if err == nil {
		for i, c := range r.comments {
			if c.ID == id {
				return r, i, response{}, true
			}
		}
	}
	return nil, 0, reply(http.StatusNotFound, apiError("Not Found")), false
}

func (s *Server) editComment(q *request) response {
	r, i, resp, ok := s.findComment(q)
	if !ok {
		return resp
	}
	body, resp, ok := commentBody(q)
	if !ok {
		return resp
	}
	c := r.comments[i]
	c.Body, c.Updated = body, s.now()
	return reply(http.StatusOK, s.commentJSON(q, r, c))
}

func (s *Server) deleteComment(q *request) response {
	r, i, resp, ok := s.findComment(q)
	if !ok {
		return resp
	}
	r.comments = slices.Delete(r.comments, i, i+1)
	return reply(http.StatusNoContent, nil)
}

func labelsJSON(labels []string) []map[string]any {
	out := []map[string]any{}
	for _, l := range labels {
		out = append(out, map[string]any{"id": loginID("label:" + l), "name": l, "color": "ededed", "default": false})
	}
	return out
}

func (s *Server) listIssueLabels(q *request) response {
	_, is, resp, ok := s.lookupIssue(q)
	if !ok {
		return resp
	}
	p := paginate(q, len(is.Labels))
	return p.reply(labelsJSON(is.Labels[p.start:p.end]))
}

func (s *Server) issueJSON(q *request, r *Repo, is *Issue) map[string]any {
	n := 0
	for _, c := range r.comments {
		if c.Issue == is.Number {
			n++
		}
	}
	out := map[string]any{
		"id":         loginID(fmt.Sprintf("%s#%d", r.FullName(), is.Number)),
		"number":     is.Number,
		"title":      is.Title,
		"body":       is.Body,
		"user":       userJSON(is.User),
		"state":      is.State,
		"labels":     labelsJSON(is.Labels),
		"comments":   n,
		"created_at": stamp(is.Created),
		"updated_at": stamp(is.Updated),
		"html_url":   fmt.Sprintf("%s/%s/issues/%d", s.web(q), r.FullName(), is.Number),
		"url":        fmt.Sprintf("%srepos/%s/issues/%d", q.base, r.FullName(), is.Number),
	}
	if is.StateReason != "" {
		out["state_reason"] = is.StateReason
	}
	if is.PR != nil {
		out["html_url"] = fmt.Sprintf("%s/%s/pull/%d", s.web(q), r.FullName(), is.Number)
		out["pull_request"] = map[string]any{"url": fmt.Sprintf("%srepos/%s/pulls/%d", q.base, r.FullName(), is.Number)}
	}
	return out
}

// listIssues filters by state (open by default) and by labels (all of
// them), newest first, and includes pull requests, as GitHub does.
func (s *Server) listIssues(q *request) response {
	r, resp, ok := s.lookupRepo(q)
	if !ok {
		return resp
	}
	state := q.query("state")
	if state == "" {
		state = "open"
	}
	var want []string
	if l := q.query("labels"); l != "" {
		want = strings.Split(l, ",")
	}
	var all []*Issue
	for _, is := range r.issues {
		if state != "all" && is.State != state {
			continue
		}
		if !hasAll(is.Labels, want) {
			continue
		}
		all = append(all, is)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Number > all[j].Number })
	p := paginate(q, len(all))
	out := []map[string]any{}
	for _, is := range all[p.start:p.end] {
		out = append(out, s.issueJSON(q, r, is))
	}
	return p.reply(out)
}

func hasAll(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if strings.EqualFold(h, strings.TrimSpace(w)) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (s *Server) getIssue(q *request) response {
	r, is, resp, ok := s.lookupIssue(q)
	if !ok {
		return resp
	}
	return reply(http.StatusOK, s.issueJSON(q, r, is))
}

type issueRequest struct {
	Title       *string   `json:"title"`
	Body        *string   `json:"body"`
	State       *string   `json:"state"`
	StateReason *string   `json:"state_reason"`
	Labels      *[]string `json:"labels"`
}

func (in issueRequest) validate(create bool) (response, bool) {
	if create && (in.Title == nil || *in.Title == "") {
		return validationFailed("Issue", "title", "missing_field", "title is missing"), false
	}
	if in.Body != nil && bodyTooLong(*in.Body) {
		return validationFailed("Issue", "body", "custom", fmt.Sprintf("body is too long (maximum is %d characters)", MaxBodyChars)), false
	}
	if in.State != nil && *in.State != "open" && *in.State != "closed" {
		return validationFailed("Issue", "state", "invalid", "state is not included in the list"), false
	}
	if in.StateReason != nil && !slices.Contains([]string{"completed", "not_planned", "reopened"}, *in.StateReason) {
		return validationFailed("Issue", "state_reason", "invalid", "state_reason is not included in the list"), false
	}
	return response{}, true
}

func (s *Server) createIssue(q *request) response {
	r, resp, ok := s.lookupRepo(q)
	if !ok {
		return resp
	}
	var in issueRequest
	if resp, ok := decodeBody(q, &in); !ok {
		return resp
	}
	if resp, ok := in.validate(true); !ok {
		return resp
	}
	now := s.now()
	is := &Issue{Number: r.number(0), Title: *in.Title, User: q.who.login, State: "open", Created: now, Updated: now}
	if in.Body != nil {
		is.Body = *in.Body
	}
	if in.Labels != nil {
		is.Labels = slices.Clone(*in.Labels)
	}
	r.issues[is.Number] = is
	return reply(http.StatusCreated, s.issueJSON(q, r, is))
}

func (s *Server) editIssue(q *request) response {
	r, is, resp, ok := s.lookupIssue(q)
	if !ok {
		return resp
	}
	var in issueRequest
	if resp, ok := decodeBody(q, &in); !ok {
		return resp
	}
	if resp, ok := in.validate(false); !ok {
		return resp
	}
	if in.Title != nil {
		is.Title = *in.Title
	}
	if in.Body != nil {
		is.Body = *in.Body
	}
	if in.Labels != nil {
		is.Labels = slices.Clone(*in.Labels)
	}
	if in.State != nil {
		is.State = *in.State
		is.StateReason = ""
		if *in.State == "closed" {
			is.StateReason = "completed"
		}
	}
	if in.StateReason != nil {
		is.StateReason = *in.StateReason
	}
	is.Updated = s.now()
	return reply(http.StatusOK, s.issueJSON(q, r, is))
}
