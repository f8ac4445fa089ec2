package github

import (
	"fmt"
	"net/url"
	"strings"
)

// DefaultAPIURL is the REST base of github.com.
const DefaultAPIURL = "https://api.github.com/"

// Config says where GitHub is and who assay is there, the way GitHub
// Actions says it: in environment variables.
type Config struct {
	// APIURL is the REST base, used as is (GITHUB_API_URL): api.github.com,
	// a GitHub Enterprise Server's https://host/api/v3, or a test server.
	APIURL string
	// ServerURL is the web root (GITHUB_SERVER_URL); derived from APIURL
	// when empty (see WebURL).
	ServerURL string
	// Token authenticates every call (GITHUB_TOKEN).
	Token string
	// Owner and Repo name the repository (GITHUB_REPOSITORY).
	Owner, Repo string
	// EventPath is the webhook payload of the running workflow
	// (GITHUB_EVENT_PATH), and EventName its event (GITHUB_EVENT_NAME).
	EventPath, EventName string
	// Login, when set (ASSAY_GITHUB_LOGIN), is the account whose comments
	// and issues are assay's, for tokens that cannot read GET /user other
	// than the Actions GITHUB_TOKEN, such as a GitHub App's
	// ("my-app[bot]").
	Login string
}

// ConfigFromEnv reads the Actions variables. It fails only on a value
// that is present but malformed; what a command needs but lacks is
// reported by the command.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		APIURL:    getenv("GITHUB_API_URL"),
		ServerURL: getenv("GITHUB_SERVER_URL"),
		Token:     getenv("GITHUB_TOKEN"),
		EventPath: getenv("GITHUB_EVENT_PATH"),
		EventName: getenv("GITHUB_EVENT_NAME"),
		Login:     getenv("ASSAY_GITHUB_LOGIN"),
	}
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if _, err := apiBase(c.APIURL); err != nil {
		return c, err
	}
	if r := getenv("GITHUB_REPOSITORY"); r != "" {
		owner, repo, err := SplitRepository(r)
		if err != nil {
			return c, fmt.Errorf("GITHUB_REPOSITORY: %w", err)
		}
		c.Owner, c.Repo = owner, repo
	}
	return c, nil
}

// SplitRepository splits "owner/name".
func SplitRepository(full string) (owner, repo string, err error) {
	owner, repo, ok := strings.Cut(full, "/")
	if !ok || owner == "" || repo == "" || strings.ContainsAny(repo, "/ ") || strings.ContainsAny(owner, " ") {
		return "", "", fmt.Errorf("%q is not a repository; write owner/name, such as acme/models", full)
	}
	return owner, repo, nil
}

// FullName is "owner/repo".
func (c Config) FullName() string { return c.Owner + "/" + c.Repo }

// apiBase parses the API URL and gives it the trailing slash go-github
// needs to resolve relative paths under it.
func apiBase(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("GITHUB_API_URL %q is not an http(s) URL such as https://api.github.com or https://github.example.com/api/v3", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// WebURL is the web root that pages and files are linked under, without a
// trailing slash. GITHUB_SERVER_URL wins; otherwise it is derived from the
// API URL:
//
//	https://api.github.com            → https://github.com
//	https://HOST/api/v3               → https://HOST   (GitHub Enterprise Server)
//	https://api.SUBDOMAIN.ghe.com     → https://SUBDOMAIN.ghe.com
//	anything else                     → the API URL itself
func (c Config) WebURL() string {
	if c.ServerURL != "" {
		return strings.TrimRight(c.ServerURL, "/")
	}
	u, err := apiBase(c.APIURL)
	if err != nil {
		return "https://github.com"
	}
	switch {
	case u.Host == "api.github.com":
		u.Host = "github.com"
		u.Path = "/"
	case strings.HasSuffix(u.Path, "/api/v3/"):
		u.Path = strings.TrimSuffix(u.Path, "api/v3/")
	case strings.HasPrefix(u.Host, "api.") && strings.HasSuffix(u.Host, ".ghe.com"):
		u.Host = strings.TrimPrefix(u.Host, "api.")
	}
	return strings.TrimRight(u.String(), "/")
}

// BlobURL is the web page of path on branch in the repository
// owner/repo: WebURL/owner/repo/blob/branch/path; "" when the repository
// is not known (GITHUB_REPOSITORY unset), as no link beats one that leads
// nowhere.
func (c Config) BlobURL(owner, repo, branch, path string) string {
	if owner == "" || repo == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/%s/blob/%s/%s", c.WebURL(), owner, repo, escapeSegments(branch), escapeSegments(path))
}

// escapeSegments escapes each /-separated part of p for a URL path.
func escapeSegments(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// ResultsRepository returns the owner and name of the repository that
// holds the results branch: that of results_repo when it is a GitHub URL
// (https://HOST/owner/name(.git), [git@]HOST:owner/name.git), else the
// repository itself.
func (c Config) ResultsRepository(resultsRepo string) (owner, repo string) {
	if resultsRepo == "" {
		return c.Owner, c.Repo
	}
	p := resultsRepo
	if u, err := url.Parse(p); err == nil && u.Host != "" {
		p = u.Path
	} else if colon := strings.IndexByte(p, ':'); colon > 0 && !strings.Contains(p[:colon], "/") {
		// git's short ssh form, [user@]host:path: a colon before any slash.
		p = p[colon+1:]
	} else {
		return c.Owner, c.Repo
	}
	p = strings.TrimSuffix(strings.Trim(p, "/"), ".git")
	parts := strings.Split(p, "/")
	if len(parts) < 2 || parts[len(parts)-2] == "" || parts[len(parts)-1] == "" {
		return c.Owner, c.Repo
	}
	return parts[len(parts)-2], parts[len(parts)-1]
}
