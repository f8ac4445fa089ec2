package fakegithub

import (
	"fmt"
	"net/http"
	"sort"
	"time"
)

// Release is a published release of a repository and its assets.
type Release struct {
	ID         int64
	Tag        string
	Prerelease bool
	// Assets are the release's files by name.
	Assets  map[string][]byte
	Created time.Time
}

// AddRelease publishes a release of tag with its assets (file name to
// content). The newest release that is not a pre-release is the latest,
// as GitHub's releases/latest answers.
func (r *Repo) AddRelease(tag string, prerelease bool, assets map[string][]byte) Release {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	rel := &Release{ID: r.s.newID(), Tag: tag, Prerelease: prerelease, Assets: assets, Created: r.s.now()}
	r.releases = append(r.releases, rel)
	return *rel
}

// Downloads returns how often each asset of tag was downloaded.
func (r *Repo) Downloads(tag string) map[string]int {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	out := map[string]int{}
	for k, n := range r.downloads {
		if k.tag == tag {
			out[k.name] = n
		}
	}
	return out
}

type assetKey struct{ tag, name string }

func (s *Server) releaseJSON(q *request, r *Repo, rel *Release) map[string]any {
	names := make([]string, 0, len(rel.Assets))
	for name := range rel.Assets {
		names = append(names, name)
	}
	sort.Strings(names)
	assets := []map[string]any{}
	for i, name := range names {
		assets = append(assets, map[string]any{
			"id": rel.ID*1000 + int64(i), "name": name, "size": len(rel.Assets[name]),
			"content_type": "application/octet-stream", "state": "uploaded",
			"browser_download_url": fmt.Sprintf("%s/%s/releases/download/%s/%s", s.web(q), r.FullName(), rel.Tag, name),
		})
	}
	return map[string]any{
		"id": rel.ID, "tag_name": rel.Tag, "name": rel.Tag, "draft": false, "prerelease": rel.Prerelease,
		"created_at": stamp(rel.Created), "published_at": stamp(rel.Created),
		"html_url": fmt.Sprintf("%s/%s/releases/tag/%s", s.web(q), r.FullName(), rel.Tag),
		"url":      fmt.Sprintf("%srepos/%s/releases/%d", q.base, r.FullName(), rel.ID),
		"assets":   assets,
	}
}

// getLatestRelease answers the newest release that is not a pre-release.
func (s *Server) getLatestRelease(q *request) response {
	r, resp, ok := s.lookupRepo(q)
	if !ok {
		return resp
	}
	for i := len(r.releases) - 1; i >= 0; i-- {
		if !r.releases[i].Prerelease {
			return reply(http.StatusOK, s.releaseJSON(q, r, r.releases[i]))
		}
	}
	return reply(http.StatusNotFound, apiError("Not Found"))
}

func (s *Server) getReleaseByTag(q *request) response {
	r, resp, ok := s.lookupRepo(q)
	if !ok {
		return resp
	}
	for _, rel := range r.releases {
		if rel.Tag == q.params["tag"] {
			return reply(http.StatusOK, s.releaseJSON(q, r, rel))
		}
	}
	return reply(http.StatusNotFound, apiError("Not Found"))
}

// webReleaseDownload serves an asset at its browser_download_url, without
// a token, as GitHub does for a public repository. (GitHub answers with a
// redirect to its storage; this answers the file itself.)
func (s *Server) webReleaseDownload(q *request) response {
	r, _, ok := s.lookupRepo(q)
	if !ok {
		return reply(http.StatusNotFound, []byte("Not Found"))
	}
	for _, rel := range r.releases {
		if rel.Tag != q.params["tag"] {
			continue
		}
		if data, ok := rel.Assets[q.params["name"]]; ok {
			if r.downloads == nil {
				r.downloads = map[assetKey]int{}
			}
			r.downloads[assetKey{rel.Tag, q.params["name"]}]++
			return response{status: http.StatusOK, header: http.Header{"Content-Type": {"application/octet-stream"}}, body: data}
		}
	}
	return reply(http.StatusNotFound, []byte("Not Found"))
}
