package fakegithub

import (
	"net/http"
	"strings"
)

// The routes the server answers, named as GitHub's REST reference writes
// them. Pass them to Expect.
const (
	GetUser         = "GET /user"
	GetPull         = "GET /repos/{owner}/{repo}/pulls/{number}"
	ListComments    = "GET /repos/{owner}/{repo}/issues/{number}/comments"
	CreateComment   = "POST /repos/{owner}/{repo}/issues/{number}/comments"
	EditComment     = "PATCH /repos/{owner}/{repo}/issues/comments/{id}"
	DeleteComment   = "DELETE /repos/{owner}/{repo}/issues/comments/{id}"
	ListIssueLabels = "GET /repos/{owner}/{repo}/issues/{number}/labels"
	ListIssues      = "GET /repos/{owner}/{repo}/issues"
	CreateIssue     = "POST /repos/{owner}/{repo}/issues"
	GetIssue        = "GET /repos/{owner}/{repo}/issues/{number}"
	EditIssue       = "PATCH /repos/{owner}/{repo}/issues/{number}"
	CreateStatus    = "POST /repos/{owner}/{repo}/statuses/{sha}"
	ListStatuses    = "GET /repos/{owner}/{repo}/commits/{ref}/statuses"
	// GetPermission is a user's permission on the repository
	// ("Get repository permissions for a user").
	GetPermission    = "GET /repos/{owner}/{repo}/collaborators/{username}/permission"
	GetLatestRelease = "GET /repos/{owner}/{repo}/releases/latest"
	GetReleaseByTag  = "GET /repos/{owner}/{repo}/releases/tags/{tag}"
	// WebBlob is a file's web page on a branch, outside the API prefix.
	WebBlob = webBlob
	// WebReleaseDownload is a release asset's browser_download_url,
	// outside the API prefix and without a token.
	WebReleaseDownload = "GET /{owner}/{repo}/releases/download/{tag}/{name}"
)

const webBlob = "GET /{owner}/{repo}/blob/{rest...}"

// webRoutes are answered outside the API prefix, without a token.
var webRoutes = []string{WebReleaseDownload, webBlob}

type handler func(*Server, *request) response

// routeTable maps each route to its handler; match tries the API routes
// under the prefix, then the web route.
var routeTable = map[string]handler{
	GetUser:         (*Server).getUser,
	GetPull:         (*Server).getPull,
	ListComments:    (*Server).listComments,
	CreateComment:   (*Server).createComment,
	EditComment:     (*Server).editComment,
	DeleteComment:   (*Server).deleteComment,
	ListIssueLabels: (*Server).listIssueLabels,
	ListIssues:      (*Server).listIssues,
	CreateIssue:     (*Server).createIssue,
	GetIssue:        (*Server).getIssue,
	EditIssue:       (*Server).editIssue,
	CreateStatus:    (*Server).createStatus,
	ListStatuses:    (*Server).listStatuses,
	GetPermission:   (*Server).getPermission,
	webBlob:         (*Server).webBlob,

	GetLatestRelease:   (*Server).getLatestRelease,
	GetReleaseByTag:    (*Server).getReleaseByTag,
	WebReleaseDownload: (*Server).webReleaseDownload,
}

// match finds the route of r and its path parameters.
func (s *Server) match(r *http.Request) (string, handler, map[string]string) {
	path := r.URL.EscapedPath()
	if strings.HasPrefix(path+"/", s.prefix) || path+"/" == s.prefix {
		api := "/" + strings.TrimPrefix(strings.TrimPrefix(path, strings.TrimSuffix(s.prefix, "/")), "/")
		for route, h := range routeTable {
			if isWebRoute(route) {
				continue
			}
			if params, ok := matchPattern(route, r.Method, api); ok {
				return route, h, params
			}
		}
	}
	for _, route := range webRoutes {
		if params, ok := matchPattern(route, r.Method, path); ok {
			return route, routeTable[route], params
		}
	}
	return "", nil, nil
}

func isWebRoute(route string) bool {
	for _, w := range webRoutes {
		if route == w {
			return true
		}
	}
	return false
}

// matchPattern matches "METHOD /a/{b}/c" (and a final {rest...}) against
// a method and an escaped path.
func matchPattern(pattern, method, path string) (map[string]string, bool) {
	m, p, _ := strings.Cut(pattern, " ")
	if m != method {
		return nil, false
	}
	want := strings.Split(strings.Trim(p, "/"), "/")
	got := strings.Split(strings.Trim(path, "/"), "/")
	params := map[string]string{}
	for i, w := range want {
		if strings.HasSuffix(w, "...}") {
			if i >= len(got) {
				return nil, false
			}
			params[strings.TrimSuffix(strings.TrimPrefix(w, "{"), "...}")] = unescape(strings.Join(got[i:], "/"))
			return params, true
		}
		if i >= len(got) {
			return nil, false
		}
		if strings.HasPrefix(w, "{") {
			if got[i] == "" {
				return nil, false
			}
			params[strings.Trim(w, "{}")] = unescape(got[i])
			continue
		}
		if w != got[i] {
			return nil, false
		}
	}
	return params, len(want) == len(got)
}
