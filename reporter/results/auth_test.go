package results

import (
	"testing"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// GITHUB_TOKEN goes with a push or fetch over http or https, as GitHub
// expects it (user x-access-token), to github.com or to the host of
// GITHUB_SERVER_URL (GitHub Enterprise), and nowhere else: not to another
// host, not over ssh or git://, and not in place of credentials the URL
// already carries. (TestHTTPSendsGitHubTokenOnlyWhereItBelongs pushes
// through a real git http-backend; this covers the URLs a test server
// cannot be: https and github.com.)
func TestGitHubTokenGoesOnlyWhereItBelongs(t *testing.T) {
	for _, c := range []struct {
		url, token, server string
		sent               bool
	}{
		{url: "https://github.com/team/results.git", token: "t0k", sent: true},
		{url: "http://github.com/team/results.git", token: "t0k", sent: true},
		{url: "https://github.com/team/results.git", token: "", sent: false},
		{url: "https://github.com/team/results.git", token: "t0k", server: "https://ghe.example.com", sent: true},
		{url: "https://ghe.example.com/team/results.git", token: "t0k", server: "https://GHE.example.com", sent: true},
		{url: "https://ghe.example.com/team/results.git", token: "t0k", sent: false},
		{url: "https://gitlab.com/team/results.git", token: "t0k", server: "https://ghe.example.com", sent: false},
		{url: "https://someone:pw@github.com/team/results.git", token: "t0k", sent: false},
		{url: "ssh://git@github.com/team/results.git", token: "t0k", sent: false},
		{url: "git@github.com:team/results.git", token: "t0k", sent: false},
		{url: "git://github.com/team/results.git", token: "t0k", sent: false},
	} {
		env := map[string]string{"GITHUB_TOKEN": c.token, "GITHUB_SERVER_URL": c.server}
		s := &Store{opts: Options{Getenv: func(k string) string { return env[k] }}}
		auth := s.authFor(c.url)
		if !c.sent {
			if auth != nil {
				t.Errorf("%s (GITHUB_SERVER_URL %q): sends %v, want nothing", c.url, c.server, auth)
			}
			continue
		}
		if b, ok := auth.(*githttp.BasicAuth); !ok || b.Username != "x-access-token" || b.Password != c.token {
			t.Errorf("%s (GITHUB_SERVER_URL %q): sends %v, want the token as user x-access-token", c.url, c.server, auth)
		}
	}
}
