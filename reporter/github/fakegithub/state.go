package fakegithub

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Repo is one repository of the fake: its issues and pull requests (which
// share numbers, as on GitHub), their comments and labels, and the
// statuses of its commits.
type Repo struct {
	s           *Server
	owner, name string
	issues      map[int]*Issue
	comments    []*Comment
	statuses    map[string][]Status
	files       func(ref, path string) ([]byte, bool)
	nextNumber  int
	// roles are the repository roles of users, by lower-case login.
	roles     map[string]string
	releases  []*Release
	downloads map[assetKey]int
}

// Issue is an issue or a pull request, as the issues API sees both.
type Issue struct {
	Number      int
	Title       string
	Body        string
	User        string
	State       string
	StateReason string
	Labels      []string
	Created     time.Time
	Updated     time.Time
	// PR is set for a pull request.
	PR *PullRequest
}

// PullRequest is what a test declares about a pull request.
type PullRequest struct {
	Number int
	Title  string
	// User opened it; "octocat" when empty.
	User    string
	HeadSHA string
	BaseSHA string
	// HeadRef and BaseRef are branch names; "feature" and "main" when
	// empty.
	HeadRef, BaseRef string
	// HeadRepo is the full name of the repository the head branch lives
	// in; empty means this repository. Another name makes it a fork.
	HeadRepo string
	Labels   []string
}

// Comment is an issue or pull-request comment.
type Comment struct {
	ID      int64
	Issue   int
	User    string
	Body    string
	Created time.Time
	Updated time.Time
}

// Status is a commit status.
type Status struct {
	ID          int64
	SHA         string
	State       string
	Context     string
	Description string
	TargetURL   string
	Creator     string
	Created     time.Time
}

// Repo returns the repository "owner/name", creating it on first use.
func (s *Server) Repo(fullName string) *Repo {
	owner, name, ok := strings.Cut(fullName, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		s.t.Fatalf("fakegithub: repository %q is not owner/name", fullName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(fullName)
	if r := s.repos[key]; r != nil {
		return r
	}
	r := &Repo{s: s, owner: owner, name: name, issues: map[int]*Issue{}, statuses: map[string][]Status{}}
	s.repos[key] = r
	return r
}

// FullName is "owner/name".
func (r *Repo) FullName() string { return r.owner + "/" + r.name }

// AddPullRequest opens a pull request. Number 0 takes the next free
// number.
func (r *Repo) AddPullRequest(pr PullRequest) int {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if pr.User == "" {
		pr.User = "octocat"
	}
	if pr.HeadRef == "" {
		pr.HeadRef = "feature"
	}
	if pr.BaseRef == "" {
		pr.BaseRef = "main"
	}
	if pr.Title == "" {
		pr.Title = "A change"
	}
	pr.Number = r.number(pr.Number)
	now := r.s.now()
	p := pr
	r.issues[pr.Number] = &Issue{
		Number: pr.Number, Title: pr.Title, User: pr.User, State: "open",
		Labels: slices.Clone(pr.Labels), Created: now, Updated: now, PR: &p,
	}
	return pr.Number
}

// AddIssue files an issue; Number 0 takes the next free number. It
// returns the number.
func (r *Repo) AddIssue(is Issue) int {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	is.Number = r.number(is.Number)
	if is.State == "" {
		is.State = "open"
	}
	if is.User == "" {
		is.User = "octocat"
	}
	if is.Created.IsZero() {
		is.Created = r.s.now()
	}
	is.Updated = is.Created
	is.PR = nil
	is.Labels = slices.Clone(is.Labels)
	r.issues[is.Number] = &is
	return is.Number
}

func (r *Repo) number(n int) int {
	if n == 0 {
		n = r.nextNumber + 1
	}
	if _, taken := r.issues[n]; taken {
		r.s.t.Fatalf("fakegithub: %s#%d exists already", r.FullName(), n)
	}
	r.nextNumber = max(r.nextNumber, n)
	return n
}

// AddComment writes a comment on issue or pull request number as login,
// and returns its id.
func (r *Repo) AddComment(number int, login, body string) int64 {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if r.issues[number] == nil {
		r.s.t.Fatalf("fakegithub: %s#%d does not exist", r.FullName(), number)
	}
	now := r.s.now()
	c := &Comment{ID: r.s.newID(), Issue: number, User: login, Body: body, Created: now, Updated: now}
	r.comments = append(r.comments, c)
	return c.ID
}

// SetLabels replaces the labels of issue or pull request number, as a
// maintainer would in the web UI.
func (r *Repo) SetLabels(number int, labels ...string) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	is := r.issues[number]
	if is == nil {
		r.s.t.Fatalf("fakegithub: %s#%d does not exist", r.FullName(), number)
	}
	is.Labels = slices.Clone(labels)
}

// Push moves the head of pull request number to sha, as a push to its
// branch does.
func (r *Repo) Push(number int, sha string) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	is := r.issues[number]
	if is == nil || is.PR == nil {
		r.s.t.Fatalf("fakegithub: %s#%d is not a pull request", r.FullName(), number)
	}
	is.PR.HeadSHA = sha
	is.Updated = r.s.now()
}

// Roles are the repository roles GitHub knows, least access first.
var Roles = []string{"none", "read", "triage", "write", "maintain", "admin"}

// SetRole gives login a repository role: one of Roles. A login without
// one has read access, as anyone has to a public repository.
func (r *Repo) SetRole(login, role string) {
	if !slices.Contains(Roles, role) {
		r.s.t.Fatalf("fakegithub: no role %q; roles: %s", role, strings.Join(Roles, ", "))
	}
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if r.roles == nil {
		r.roles = map[string]string{}
	}
	r.roles[strings.ToLower(login)] = role
}

// ServeFiles answers web blob pages of this repository from files: the
// content of path on branch ref, or false when it does not exist.
func (r *Repo) ServeFiles(files func(ref, path string) ([]byte, bool)) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.files = files
}

// Comments returns the comments on number, oldest first.
func (r *Repo) Comments(number int) []Comment {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []Comment
	for _, c := range r.comments {
		if c.Issue == number {
			out = append(out, *c)
		}
	}
	return out
}

// Comment returns the comment with id, or false once it is deleted.
func (r *Repo) Comment(id int64) (Comment, bool) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	for _, c := range r.comments {
		if c.ID == id {
			return *c, true
		}
	}
	return Comment{}, false
}

// Issue returns issue or pull request number.
func (r *Repo) Issue(number int) (Issue, bool) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	is := r.issues[number]
	if is == nil {
		return Issue{}, false
	}
	out := *is
	out.Labels = slices.Clone(is.Labels)
	return out, true
}

// Issues returns every issue that is not a pull request, by number.
func (r *Repo) Issues() []Issue {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []Issue
	for _, is := range r.issues {
		if is.PR == nil {
			c := *is
			c.Labels = slices.Clone(is.Labels)
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// Statuses returns the statuses set on sha, oldest first.
func (r *Repo) Statuses(sha string) []Status {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return slices.Clone(r.statuses[sha])
}

// lookupRepo finds the repository a request names.
func (s *Server) lookupRepo(q *request) (*Repo, response, bool) {
	r := s.repos[strings.ToLower(q.params["owner"]+"/"+q.params["repo"])]
	if r == nil {
		return nil, reply(404, apiError("Not Found")), false
	}
	return r, response{}, true
}

// lookupIssue finds the issue or pull request a request names.
func (s *Server) lookupIssue(q *request) (*Repo, *Issue, response, bool) {
	r, resp, ok := s.lookupRepo(q)
	if !ok {
		return nil, nil, resp, false
	}
	var n int
	if _, err := fmt.Sscanf(q.params["number"], "%d", &n); err != nil {
		return nil, nil, reply(404, apiError("Not Found")), false
	}
	is := r.issues[n]
	if is == nil {
		return nil, nil, reply(404, apiError("Not Found")), false
	}
	return r, is, response{}, true
}

// decodeBody reads a JSON request body, answering 400 as GitHub does for
// one that does not parse.
func decodeBody(q *request, v any) (response, bool) {
	if err := json.Unmarshal(q.body, v); err != nil {
		return reply(400, apiError("Problems parsing JSON")), false
	}
	return response{}, true
}

// bodyTooLong reports whether s is over GitHub's limit, counted in
// characters as GitHub counts them.
func bodyTooLong(s string) bool { return len([]rune(s)) > MaxBodyChars }
