package github

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Event is what assay reads from the webhook payload of the running
// workflow (GITHUB_EVENT_PATH).
type Event struct {
	// Name is GITHUB_EVENT_NAME: pull_request, pull_request_target,
	// schedule, push, workflow_dispatch...
	Name string
	// Repository is the full name of the repository the workflow runs in.
	Repository string
	// PR is the pull request the event is about; nil for events about
	// none.
	PR *PullRequest
}

// PullRequest is a pull request as assay needs it.
type PullRequest struct {
	Number int
	// HeadSHA and BaseSHA are the commits compared; empty when the
	// payload does not carry them (issue_comment), and then read with
	// GetPullRequest.
	HeadSHA, BaseSHA string
	HeadRef, BaseRef string
	// HeadRepo and BaseRepo are full names. HeadRepo is empty when the
	// fork it came from was deleted.
	HeadRepo, BaseRepo string
	// Labels are those in the payload: the labels when the event fired,
	// which is why fork approval asks the API instead.
	Labels []string
}

// IsFork reports whether the pull request comes from another repository
// than the one it targets (a deleted fork counts as one).
func (p *PullRequest) IsFork() bool {
	return p.HeadRepo == "" || !strings.EqualFold(p.HeadRepo, p.BaseRepo)
}

// payload is the part of a webhook payload assay reads.
type payload struct {
	Number      int        `json:"number"`
	PullRequest *prPayload `json:"pull_request"`
	Issue       *struct {
		Number      int             `json:"number"`
		PullRequest json.RawMessage `json:"pull_request"`
	} `json:"issue"`
	Repository *repoPayload `json:"repository"`
}

type prPayload struct {
	Number int `json:"number"`
	Head   struct {
		SHA  string       `json:"sha"`
		Ref  string       `json:"ref"`
		Repo *repoPayload `json:"repo"`
	} `json:"head"`
	Base struct {
		SHA  string       `json:"sha"`
		Ref  string       `json:"ref"`
		Repo *repoPayload `json:"repo"`
	} `json:"base"`
	Labels []struct {
		Name string `json:"name"`
	} `json:"labels"`
}

type repoPayload struct {
	FullName string `json:"full_name"`
}

// ReadEvent reads the payload at path for the event named name. A payload
// about a pull request (pull_request, pull_request_target, an
// issue_comment on one, a review) yields PR; any other yields none.
func ReadEvent(path, name string) (*Event, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the workflow's event (GITHUB_EVENT_PATH): %w", err)
	}
	return ParseEvent(data, name)
}

// ParseEvent is ReadEvent of a payload in memory.
func ParseEvent(data []byte, name string) (*Event, error) {
	var p payload
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("the workflow's event (GITHUB_EVENT_PATH) is not a webhook payload: %w", err)
	}
	ev := &Event{Name: name}
	if p.Repository != nil {
		ev.Repository = p.Repository.FullName
	}
	switch {
	case p.PullRequest != nil:
		pr := p.PullRequest
		out := &PullRequest{
			Number:  pr.Number,
			HeadSHA: pr.Head.SHA, BaseSHA: pr.Base.SHA,
			HeadRef: pr.Head.Ref, BaseRef: pr.Base.Ref,
		}
		if out.Number == 0 {
			out.Number = p.Number
		}
		if pr.Head.Repo != nil {
			out.HeadRepo = pr.Head.Repo.FullName
		}
		if pr.Base.Repo != nil {
			out.BaseRepo = pr.Base.Repo.FullName
		}
		if out.BaseRepo == "" {
			out.BaseRepo = ev.Repository
		}
		for _, l := range pr.Labels {
			out.Labels = append(out.Labels, l.Name)
		}
		ev.PR = out
	case p.Issue != nil && len(p.Issue.PullRequest) > 0 && string(p.Issue.PullRequest) != "null":
		ev.PR = &PullRequest{Number: p.Issue.Number, BaseRepo: ev.Repository}
	}
	if ev.PR != nil && ev.PR.Number <= 0 {
		return nil, fmt.Errorf("the workflow's event (GITHUB_EVENT_PATH) names a pull request without a number")
	}
	return ev, nil
}
