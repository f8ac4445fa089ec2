package fakegithub

import (
	"encoding/json"
	"net/http/httptest"
)

// PullRequestEvent returns the payload GitHub Actions writes to
// GITHUB_EVENT_PATH for a pull_request event of pull request number, with
// its labels as they are now. (A real payload's labels are those at the
// event, which is why label checks must ask the API.)
func (r *Repo) PullRequestEvent(action string, number int) []byte {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	is := r.issues[number]
	if is == nil || is.PR == nil {
		r.s.t.Fatalf("fakegithub: %s#%d is not a pull request", r.FullName(), number)
	}
	q := &request{r: httptest.NewRequest("GET", r.s.URL(), nil), base: r.s.URL()}
	q.r.Host = r.s.srv.Listener.Addr().String()
	ev := map[string]any{
		"action":       action,
		"number":       number,
		"pull_request": r.s.pullJSON(q, r, is),
		"repository":   repoJSON(r.FullName(), false),
		"sender":       userJSON(is.User),
	}
	b, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		r.s.t.Fatalf("fakegithub: %v", err)
	}
	return b
}
