// Package fakegithub is an in-process GitHub REST server for tests: it
// speaks the endpoints assay uses the way github.com does, so go-github and
// everything above it run unmodified against it through GITHUB_API_URL.
//
// It keeps real state (repositories, pull requests and pushes to them,
// issues, comments, labels, commit statuses, users' repository roles) and
// answers as GitHub does: Link-header
// pagination with per_page capped at 100, 422 for bodies over 65,536
// characters, 401 for a bad token, 403 from GET /user for an Actions
// token, rate-limit headers on every response.
//
// A test says which calls it expects. A call nobody expected, a call more
// often than Times allows, or an expectation never met fails the test at
// cleanup, as cli/cli's httpmock does. Faults (502, secondary and primary
// rate limits, 429) are queued on an expectation and answered before the
// real handler runs:
//
//	gh := fakegithub.New(t)
//	gh.AddToken("t0ken", "assay-bot")
//	repo := gh.Repo("acme/models")
//	repo.AddPullRequest(fakegithub.PullRequest{Number: 7, HeadSHA: sha})
//	gh.Expect(fakegithub.CreateStatus).Times(3).Fail(fakegithub.ServerError(502), fakegithub.ServerError(502))
//	// ... point the code under test at gh.URL() with token t0ken ...
//	statuses := repo.Statuses(sha)
//
// The server also answers the web URL of a file on a branch
// (/{owner}/{repo}/blob/{branch}/{path}) from whatever the test registers
// with Repo.ServeFiles, so a link in a comment can be followed.
package fakegithub
