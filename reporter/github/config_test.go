package github

import (
	"strings"
	"testing"
)

func TestWebURLFromTheAPIURL(t *testing.T) {
	for _, c := range []struct{ api, server, want string }{
		{"https://api.github.com", "", "https://github.com"},
		{"https://api.github.com/", "", "https://github.com"},
		{"https://ghe.example.com/api/v3", "", "https://ghe.example.com"},
		{"https://ghe.example.com/api/v3/", "", "https://ghe.example.com"},
		{"https://api.acme.ghe.com", "", "https://acme.ghe.com"},
		{"http://127.0.0.1:8080/", "", "http://127.0.0.1:8080"},
		{"https://api.github.com", "https://github.com/", "https://github.com"},
		{"https://proxy.example.com/gh/", "https://ghe.example.com", "https://ghe.example.com"},
	} {
		cfg := Config{APIURL: c.api, ServerURL: c.server}
		if got := cfg.WebURL(); got != c.want {
			t.Errorf("WebURL(%q, %q) = %q, want %q", c.api, c.server, got, c.want)
		}
	}
	cfg := Config{APIURL: "https://api.github.com"}
	if got := cfg.BlobURL("acme", "models", "assay/results", "reports/pr-7/abc.md"); got != "https://github.com/acme/models/blob/assay/results/reports/pr-7/abc.md" {
		t.Errorf("BlobURL = %s", got)
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"GITHUB_REPOSITORY": "acme/models",
		"GITHUB_TOKEN":      "t",
		"GITHUB_API_URL":    "https://ghe.example.com/api/v3",
	}
	cfg, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil || cfg.Owner != "acme" || cfg.Repo != "models" || cfg.APIURL != "https://ghe.example.com/api/v3" {
		t.Errorf("cfg = %+v, err = %v", cfg, err)
	}
	cfg, err = ConfigFromEnv(func(string) string { return "" })
	if err != nil || cfg.APIURL != DefaultAPIURL {
		t.Errorf("defaults: cfg = %+v, err = %v", cfg, err)
	}
	for k, v := range map[string]string{"GITHUB_REPOSITORY": "just-a-name", "GITHUB_API_URL": "ftp://x"} {
		_, err := ConfigFromEnv(func(key string) string {
			if key == k {
				return v
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: err = %v, want it named", k, v, err)
		}
	}
}

func TestNewClientNeedsTokenAndRepository(t *testing.T) {
	if _, err := NewClient(Config{APIURL: DefaultAPIURL, Owner: "a", Repo: "b"}, RetryPolicy{}); err == nil || !strings.Contains(err.Error(), "GITHUB_TOKEN is not set") {
		t.Errorf("err = %v", err)
	}
	if _, err := NewClient(Config{APIURL: DefaultAPIURL, Token: "t"}, RetryPolicy{}); err == nil || !strings.Contains(err.Error(), "GITHUB_REPOSITORY") {
		t.Errorf("err = %v", err)
	}
}

func TestResultsRepository(t *testing.T) {
	cfg := Config{Owner: "acme", Repo: "models"}
	for in, want := range map[string]string{
		"":                                     "acme/models",
		"https://github.com/acme/results.git":  "acme/results",
		"git@github.com:acme/results.git":      "acme/results",
		"ssh://git@ghe.example.com/ml/results": "ml/results",
		"../results":                           "acme/models",
		"https://ghe.example.com/scm/ml/results/": "ml/results",
		"https://github.com/results":              "acme/models",
		"git@github.com:results.git":              "acme/models",
		"git@github.com:/acme/results":            "acme/results",
		"results@v2":                              "acme/models",
		"@github.com:acme/results.git":            "acme/results",
		"github.com:acme/results.git":             "acme/results",
		"ghe.example.com:ml/results":              "ml/results",
		"./a:b/results":                           "acme/models",
		// No host before the colon: not a remote git can reach, so no
		// repository to link to either.
		":acme/results.git": "acme/models",
	} {
		o, r := cfg.ResultsRepository(in)
		if o+"/"+r != want {
			t.Errorf("ResultsRepository(%q) = %s/%s, want %s", in, o, r, want)
		}
	}
}

// TestSplitRepositoryTakesOnlyOwnerSlashName: GITHUB_REPOSITORY is
// owner/name; anything else is refused with an example.
func TestSplitRepositoryTakesOnlyOwnerSlashName(t *testing.T) {
	if o, r, err := SplitRepository("acme/models"); err != nil || o != "acme" || r != "models" {
		t.Errorf("acme/models: %q %q %v", o, r, err)
	}
	for _, bad := range []string{"models", "/models", "acme/", "acme/models/x", "acme/my models", "ac me/models", ""} {
		if _, _, err := SplitRepository(bad); err == nil || !strings.Contains(err.Error(), "write owner/name, such as acme/models") {
			t.Errorf("%q: err = %v, want it refused", bad, err)
		}
	}
}

// TestAPIURLsThatAreNotHTTP: an API URL must be http(s) with a host; a
// bad one is refused by ConfigFromEnv and NewClient, and links fall back
// to github.com.
func TestAPIURLsThatAreNotHTTP(t *testing.T) {
	for _, bad := range []string{"ftp://example.com", "https://", "http:///api", "example.com/api", "://x"} {
		_, err := ConfigFromEnv(func(k string) string {
			if k == "GITHUB_API_URL" {
				return bad
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), "is not an http(s) URL") {
			t.Errorf("GITHUB_API_URL=%q: err = %v", bad, err)
		}
		if _, err := NewClient(Config{APIURL: bad, Token: "t", Owner: "a", Repo: "b"}, RetryPolicy{}); err == nil || !strings.Contains(err.Error(), "is not an http(s) URL") {
			t.Errorf("NewClient with %q: err = %v", bad, err)
		}
		if got := (Config{APIURL: bad}).WebURL(); got != "https://github.com" {
			t.Errorf("WebURL with %q = %q, want https://github.com", bad, got)
		}
	}
	for _, good := range []string{"http://127.0.0.1:8080", "https://ghe.example.com/api/v3"} {
		if _, err := ConfigFromEnv(func(k string) string {
			if k == "GITHUB_API_URL" {
				return good
			}
			return ""
		}); err != nil {
			t.Errorf("GITHUB_API_URL=%q: %v", good, err)
		}
	}
}

// TestBlobURLEscapesAndNeedsARepository: each part of the branch and the
// path is escaped on its own; without a repository there is no link.
func TestBlobURLEscapesAndNeedsARepository(t *testing.T) {
	cfg := Config{APIURL: "https://api.github.com"}
	if got := cfg.BlobURL("acme", "models", "assay/results", "reports/pr 7/a#b.md"); got != "https://github.com/acme/models/blob/assay/results/reports/pr%207/a%23b.md" {
		t.Errorf("BlobURL = %s", got)
	}
	for _, c := range [][2]string{{"", "models"}, {"acme", ""}} {
		if got := cfg.BlobURL(c[0], c[1], "assay/results", "x.md"); got != "" {
			t.Errorf("BlobURL(%q, %q) = %q, want none", c[0], c[1], got)
		}
	}
}
