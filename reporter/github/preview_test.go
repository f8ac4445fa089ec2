package github

import (
	"strings"
	"testing"
)

// TestLinksNeverLeadToAnUnknownRepository: without GITHUB_REPOSITORY the
// report has no address, and a comment prepared then links to nothing,
// rather than to https://github.com///blob/....
func TestLinksNeverLeadToAnUnknownRepository(t *testing.T) {
	cfg, err := ConfigFromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	owner, repo := cfg.ResultsRepository("")
	if got := cfg.BlobURL(owner, repo, "assay/results", "reports/pr-7/x.md"); got != "" {
		t.Errorf("BlobURL without a repository = %q, want none", got)
	}
	p := &Publisher{Store: newGitReportStore(t), ReportURL: func(path string) string { return cfg.BlobURL(owner, repo, "assay/results", path) }}
	pub := p.Prepare(PRReport{PR: 7, HeadSHA: sha('e'), Report: bigReport(3, 10), HTML: []byte("<html>"),
		Status: CommitStatus{State: StateSuccess, Description: "ok"}})
	if pub.ReportPath != "reports/pr-7/"+sha('e')+".md" || pub.ReportURL != "" || pub.HTMLURL != "" || pub.Status.TargetURL != "" {
		t.Errorf("prepared = %+v", pub)
	}
	for _, bad := range []string{"github.com//", "](", "Interactive report"} {
		if strings.Contains(pub.Body, bad) {
			t.Errorf("the comment holds %q:\n%s", bad, pub.Body)
		}
	}
}

// TestAPreviewOfNoPullRequest (PR 0) has no place on the results branch,
// so no path and no link, though the repository is known.
func TestAPreviewOfNoPullRequest(t *testing.T) {
	p := &Publisher{Store: newGitReportStore(t), ReportURL: func(path string) string { return "https://github.com/acme/models/blob/assay/results/" + path }}
	pub := p.Prepare(PRReport{HeadSHA: sha('e'), Report: bigReport(3, 10), Status: CommitStatus{State: StateSuccess}})
	if pub.PR != 0 || pub.ReportPath != "" || pub.ReportURL != "" || strings.Contains(pub.Body, "pr-0") || strings.Contains(pub.Body, "https://") {
		t.Errorf("prepared = %+v\n%s", pub, pub.Body)
	}
	if !strings.HasPrefix(pub.Body, Marker+"\n") {
		t.Errorf("the preview lacks the marker:\n%s", pub.Body)
	}
}
