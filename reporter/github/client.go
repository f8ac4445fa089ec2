package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v62/github"
)

// ActionsBot is the account the Actions GITHUB_TOKEN writes as.
const ActionsBot = "github-actions[bot]"

// Client is go-github bound to one repository, retrying as Transport
// does, and knowing which account it writes as.
type Client struct {
	gh          *gh.Client
	owner, repo string
	login       string
}

// NewClient returns a client for cfg's repository. It needs a token and a
// repository and fails, saying how to provide them, without either.
func NewClient(cfg Config, policy RetryPolicy) (*Client, error) {
	if cfg.Token == "" {
		return nil, errors.New("GITHUB_TOKEN is not set: assay needs a token to talk to GitHub. " +
			"In a workflow, add `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` to the step")
	}
	if cfg.Owner == "" || cfg.Repo == "" {
		return nil, errors.New("GITHUB_REPOSITORY is not set: name the repository as owner/name, as GitHub Actions does")
	}
	base, err := apiBase(cfg.APIURL)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: NewTransport(nil, policy)}
	c := gh.NewClient(hc).WithAuthToken(cfg.Token)
	// The API URL is used as is: WithEnterpriseURLs would append /api/v3
	// to any host but api.*, which breaks test servers and proxies.
	c.BaseURL = base
	c.UploadURL = base
	return &Client{gh: c, owner: cfg.Owner, repo: cfg.Repo, login: cfg.Login}, nil
}

// Repository is "owner/name".
func (c *Client) Repository() string { return c.owner + "/" + c.repo }

// Identity is the login assay writes as: ASSAY_GITHUB_LOGIN when set, else
// GET /user, else github-actions[bot] when the token cannot read /user
// (the Actions GITHUB_TOKEN answers 403 "Resource not accessible by
// integration"). Only comments and issues by this login are ever edited.
func (c *Client) Identity(ctx context.Context) (string, error) {
	if c.login != "" {
		return c.login, nil
	}
	u, _, err := c.gh.Users.Get(ctx, "")
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden {
		c.login = ActionsBot
		return c.login, nil
	}
	if err != nil {
		return "", explain(err, "finding which account the token belongs to (GET /user)")
	}
	c.login = u.GetLogin()
	if c.login == "" {
		return "", errors.New("GitHub's GET /user answered without a login")
	}
	return c.login, nil
}

// explain turns a go-github error into one a user can act on, saying what
// assay was doing.
func explain(err error, doing string) error {
	if err == nil {
		return nil
	}
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return fmt.Errorf("%s: %w", doing, err)
	}
	status := er.Response.StatusCode
	msg := er.Message
	for _, e := range er.Errors {
		if e.Message != "" {
			msg += ": " + e.Message
		}
	}
	var hint string
	switch {
	case status == http.StatusUnauthorized:
		hint = "GitHub rejected GITHUB_TOKEN; check that it is set to a valid token"
	case status == http.StatusForbidden && strings.Contains(msg, "not accessible by integration"):
		hint = "the token lacks a permission; give the workflow `permissions: { pull-requests: write, statuses: write, issues: write }`"
	case status == http.StatusForbidden:
		hint = "the token may not do this; check its scopes and the repository's settings"
	case status == http.StatusNotFound:
		hint = "not found, or the token cannot see it; check GITHUB_REPOSITORY and the token's access"
	}
	if hint != "" {
		return fmt.Errorf("%s: GitHub answered %d %s: %s", doing, status, msg, hint)
	}
	return fmt.Errorf("%s: GitHub answered %d %s", doing, status, msg)
}

// isStatus reports whether err is GitHub answering code.
func isStatus(err error, code int) bool {
	var er *gh.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == code
}
