package fakegithub

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxStatusDescription is GitHub's limit on a commit status description.
const maxStatusDescription = 140

func repoJSON(fullName string, fork bool) map[string]any {
	owner, name, _ := strings.Cut(fullName, "/")
	return map[string]any{"full_name": fullName, "name": name, "owner": userJSON(owner), "fork": fork}
}

func (s *Server) pullJSON(q *request, r *Repo, is *Issue) map[string]any {
	pr := is.PR
	headRepo := pr.HeadRepo
	if headRepo == "" {
		headRepo = r.FullName()
	}
	fork := !strings.EqualFold(headRepo, r.FullName())
	headOwner, _, _ := strings.Cut(headRepo, "/")
	return map[string]any{
		"number":   is.Number,
		"state":    is.State,
		"title":    is.Title,
		"user":     userJSON(is.User),
		"labels":   labelsJSON(is.Labels),
		"html_url": fmt.Sprintf("%s/%s/pull/%d", s.web(q), r.FullName(), is.Number),
		"head": map[string]any{
			"sha": pr.HeadSHA, "ref": pr.HeadRef, "label": headOwner + ":" + pr.HeadRef,
			"repo": repoJSON(headRepo, fork),
		},
		"base": map[string]any{
			"sha": pr.BaseSHA, "ref": pr.BaseRef, "label": r.owner + ":" + pr.BaseRef,
			"repo": repoJSON(r.FullName(), false),
		},
	}
}

func (s *Server) getPull(q *request) response {
	r, is, resp, ok := s.lookupIssue(q)
	if !ok {
		return resp
	}
	if is.PR == nil {
		return reply(http.StatusNotFound, apiError("Not Found"))
	}
	return reply(http.StatusOK, s.pullJSON(q, r, is))
}

func (s *Server) statusJSON(q *request, r *Repo, st Status) map[string]any {
	return map[string]any{
		"id":          st.ID,
		"state":       st.State,
		"context":     st.Context,
		"description": st.Description,
		"target_url":  st.TargetURL,
		"creator":     userJSON(st.Creator),
		"created_at":  stamp(st.Created),
		"updated_at":  stamp(st.Created),
		"url":         fmt.Sprintf("%srepos/%s/statuses/%s", q.base, r.FullName(), st.SHA),
	}
}

// createStatus validates as GitHub does: a known state, a description of
// at most 140 characters, an http(s) target URL.
func (s *Server) createStatus(q *request) response {
	r, resp, ok := s.lookupRepo(q)
	if !ok {
		return resp
	}
	var in struct {
		State       string `json:"state"`
		Context     string `json:"context"`
		Description string `json:"description"`
		TargetURL   string `json:"target_url"`
	}
	if resp, ok := decodeBody(q, &in); !ok {
		return resp
	}
	sha := q.params["sha"]
	if !isSHA(sha) {
		return validationFailed("Status", "sha", "invalid", "No commit found for SHA: "+sha)
	}
	if !slices.Contains([]string{"error", "failure", "pending", "success"}, in.State) {
		return validationFailed("Status", "state", "invalid", "state is not included in the list")
	}
	if utf8.RuneCountInString(in.Description) > maxStatusDescription {
		return validationFailed("Status", "description", "custom", "description is too long (maximum is 140 characters)")
	}
	if in.TargetURL != "" {
		u, err := url.Parse(in.TargetURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return validationFailed("Status", "target_url", "invalid", "target_url must use http(s) scheme")
		}
	}
	if in.Context == "" {
		in.Context = "default"
	}
	st := Status{ID: s.newID(), SHA: sha, State: in.State, Context: in.Context, Description: in.Description,
		TargetURL: in.TargetURL, Creator: q.who.login, Created: s.now()}
	r.statuses[sha] = append(r.statuses[sha], st)
	return reply(http.StatusCreated, s.statusJSON(q, r, st))
}

// listStatuses lists a commit's statuses newest first, as GitHub does.
func (s *Server) listStatuses(q *request) response {
	r, resp, ok := s.lookupRepo(q)
	if !ok {
		return resp
	}
	all := slices.Clone(r.statuses[q.params["ref"]])
	slices.Reverse(all)
	p := paginate(q, len(all))
	out := []map[string]any{}
	for _, st := range all[p.start:p.end] {
		out = append(out, s.statusJSON(q, r, st))
	}
	return p.reply(out)
}

func isSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// webBlob answers /{owner}/{repo}/blob/{branch}/{path} from the files the
// test registered. Branch names may hold slashes (assay/results), so each
// split of the rest into branch and path is tried, shortest branch first.
func (s *Server) webBlob(q *request) response {
	r, resp, ok := s.lookupRepo(q)
	if !ok || r.files == nil {
		if ok {
			resp = reply(http.StatusNotFound, []byte("Not Found"))
		}
		return resp
	}
	parts := strings.Split(q.params["rest"], "/")
	for i := 1; i < len(parts); i++ {
		ref, path := strings.Join(parts[:i], "/"), strings.Join(parts[i:], "/")
		if data, ok := r.files(ref, path); ok {
			return response{status: http.StatusOK, header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, body: data}
		}
	}
	return reply(http.StatusNotFound, []byte("Not Found"))
}

// getPermission answers as GitHub does: permission is the legacy base
// role (maintain reads as write, triage as read) and role_name the role
// itself.
func (s *Server) getPermission(q *request) response {
	r, resp, ok := s.lookupRepo(q)
	if !ok {
		return resp
	}
	login := q.params["username"]
	role := r.roles[strings.ToLower(login)]
	if role == "" {
		role = "read"
	}
	legacy := role
	switch role {
	case "maintain":
		legacy = "write"
	case "triage":
		legacy = "read"
	}
	return reply(http.StatusOK, map[string]any{"permission": legacy, "role_name": role, "user": userJSON(login)})
}
