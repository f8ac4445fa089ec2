package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/assaylab/assay/runner/gitrepo"
)

// The GitHub Actions events that choose a plan's sides.
const (
	eventPullRequest       = "pull_request"
	eventPullRequestTarget = "pull_request_target"
	eventPush              = "push"
	eventWorkflowDispatch  = "workflow_dispatch"
)

// githubEvent is the part of a GitHub Actions event payload
// (GITHUB_EVENT_PATH) that the plan reads.
type githubEvent struct {
	// name is GITHUB_EVENT_NAME; path is GITHUB_EVENT_PATH.
	name, path string

	PullRequest *struct {
		Number int `json:"number"`
		Base   struct {
			Ref string `json:"ref"`
			SHA string `json:"sha"`
		} `json:"base"`
		Head struct {
			Ref string `json:"ref"`
			SHA string `json:"sha"`
		} `json:"head"`
	} `json:"pull_request"`

	// Ref is the pushed ref, or the ref a workflow_dispatch runs on
	// (refs/heads/main). Before and After are a push's: the ref's commit
	// before the push (all zeros when the push created the ref) and after.
	Ref    string `json:"ref"`
	Before string `json:"before"`
	After  string `json:"after"`

	Repository struct {
		DefaultBranch string `json:"default_branch"`
	} `json:"repository"`
}

// readGitHubEvent reads the event of a GitHub Actions pull_request,
// pull_request_target, push or workflow_dispatch run; it returns nil for
// any other event and outside Actions.
func readGitHubEvent(getenv func(string) string) (*githubEvent, error) {
	if getenv == nil {
		return nil, nil
	}
	name := getenv("GITHUB_EVENT_NAME")
	switch name {
	case eventPullRequest, eventPullRequestTarget, eventPush, eventWorkflowDispatch:
	default:
		return nil, nil
	}
	path := getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the GitHub event (GITHUB_EVENT_PATH): %w", err)
	}
	ev := &githubEvent{name: name, path: path}
	if err := json.Unmarshal(b, ev); err != nil {
		return nil, fmt.Errorf("reading the GitHub event %s: %w", path, err)
	}
	switch {
	case ev.isPullRequest() && (ev.PullRequest == nil || ev.PullRequest.Base.SHA == "" || ev.PullRequest.Head.SHA == ""):
		return nil, fmt.Errorf("the GitHub event %s has no pull_request with base and head commits", path)
	case ev.isPush() && (ev.After == "" || ev.Ref == ""):
		return nil, fmt.Errorf("the GitHub %s event %s has no ref and after commit; is GITHUB_EVENT_NAME right?", name, path)
	case ev.isPush() && zeroSHA(ev.After):
		return nil, fmt.Errorf("the push of %s deleted it (its after commit is %s), so there is nothing to plan; "+
			"run assay only on pushes that leave the branch in place (on: push: branches)", ev.branch(), ev.After)
	}
	return ev, nil
}

func (e *githubEvent) isPullRequest() bool {
	return e != nil && (e.name == eventPullRequest || e.name == eventPullRequestTarget)
}

func (e *githubEvent) isPush() bool { return e != nil && e.name == eventPush }

func (e *githubEvent) isDispatch() bool { return e != nil && e.name == eventWorkflowDispatch }

// branch is the event's ref without refs/heads/ (a tag keeps refs/tags/).
func (e *githubEvent) branch() string { return strings.TrimPrefix(e.Ref, "refs/heads/") }

// onDefaultBranch reports whether the event's ref is the repository's
// default branch: the payload's repository.default_branch, else the
// clone's (origin/HEAD, main or master).
func (e *githubEvent) onDefaultBranch(repo *gitrepo.Repo) bool {
	if !strings.HasPrefix(e.Ref, "refs/heads/") {
		return false
	}
	def := e.Repository.DefaultBranch
	if def == "" {
		name, _, err := repo.DefaultBranch()
		if err != nil {
			return false
		}
		def = strings.TrimPrefix(name, "origin/")
	}
	return e.branch() == def
}

// zeroSHA reports whether s is git's null object id (all zeros), which a
// push event names as before when the push created the ref.
func zeroSHA(s string) bool { return s != "" && strings.Trim(s, "0") == "" }
