package fakegithub

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestReleasesLatestAndDownload(t *testing.T) {
	gh := New(t)
	gh.AddToken("t0ken", "octocat")
	gh.Expect(GetLatestRelease).Times(2)
	gh.Expect(GetReleaseByTag).Times(1)
	gh.Expect(WebReleaseDownload).Times(2)
	repo := gh.Repo("assaylab/assay")

	// No release yet: 404, as GitHub answers.
	if resp, _ := do(t, "GET", gh.URL()+"repos/assaylab/assay/releases/latest", "t0ken", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("latest with no release: %d", resp.StatusCode)
	}
	repo.AddRelease("v1.0.0", false, map[string][]byte{"checksums.txt": []byte("abc  a.tar.gz\n"), "a.tar.gz": []byte("A")})
	repo.AddRelease("v1.1.0-rc.1", true, map[string][]byte{"a.tar.gz": []byte("B")})

	_, body := do(t, "GET", gh.URL()+"repos/assaylab/assay/releases/latest", "t0ken", "")
	var rel struct {
		Tag    string `json:"tag_name"`
		Assets []struct {
			Name string `json:"name"`
			URL  string `json:"browser_download_url"`
		} `json:"assets"`
	}
	if err := json.Unmarshal([]byte(body), &rel); err != nil {
		t.Fatal(err)
	}
	if rel.Tag != "v1.0.0" || len(rel.Assets) != 2 || rel.Assets[0].Name != "a.tar.gz" {
		t.Fatalf("latest: %s, want v1.0.0 (the pre-release is never latest) with two assets", body)
	}
	if resp, _ := do(t, "GET", gh.URL()+"repos/assaylab/assay/releases/tags/v1.1.0-rc.1", "t0ken", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("release by tag: %d", resp.StatusCode)
	}
	// Assets download from the web URL without a token.
	resp, data := do(t, "GET", rel.Assets[0].URL, "", "")
	if resp.StatusCode != http.StatusOK || data != "A" {
		t.Errorf("download: %d %q", resp.StatusCode, data)
	}
	if resp, _ := do(t, "GET", gh.WebURL()+"/assaylab/assay/releases/download/v1.0.0/absent", "", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("absent asset: %d", resp.StatusCode)
	}
	if n := repo.Downloads("v1.0.0"); n["a.tar.gz"] != 1 || len(n) != 1 {
		t.Errorf("downloads: %v", n)
	}
}
