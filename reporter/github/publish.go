package github

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ReportPath is where the full report of a pull request's head commit is
// kept on the results branch.
func ReportPath(pr int, sha string) string { return fmt.Sprintf("reports/pr-%d/%s.md", pr, sha) }

// HTMLReportPath is where the interactive (HTML) report of a pull
// request's head commit is kept, beside the markdown one.
func HTMLReportPath(pr int, sha string) string { return fmt.Sprintf("reports/pr-%d/%s.html", pr, sha) }

// ReportStore keeps full reports. The results branch implements it: Put
// returns once the file is committed (pushed, or in the outbox when the
// remote cannot be reached), so a report once produced is never lost.
type ReportStore interface {
	PutReport(ctx context.Context, path string, body []byte) error
}

// PRReport is what assay publishes on a pull request.
type PRReport struct {
	PR      int
	HeadSHA string
	// Status is the `assay` status of HeadSHA; its TargetURL is filled in
	// with the comment's address.
	Status CommitStatus
	// Report is the comment's content, cut into parts.
	Report Report
	// Full is the whole report kept on the results branch; empty means
	// Report's parts joined in full.
	Full string
	// HTML, when set, is the interactive report, kept beside the full
	// report and linked from the comment.
	HTML []byte
}

// Markdown joins the report's parts with nothing left out: each section's
// Body, or its parts.
func (r Report) Markdown() string {
	blocks := []string{strings.TrimSpace(r.Head)}
	for _, s := range r.Sections {
		if s.Body != "" {
			blocks = append(blocks, strings.TrimSpace(s.Body))
			continue
		}
		blocks = append(blocks, joinBlocks(s.Heading, s.Summary, s.Details))
	}
	if f := strings.TrimSpace(r.Foot); f != "" {
		blocks = append(blocks, f)
	}
	return strings.Join(blocks, "\n\n") + "\n"
}

// Publisher posts reports to pull requests.
type Publisher struct {
	// Client talks to GitHub; Prepare does without it.
	Client *Client
	// Store keeps the full report; nil keeps none, and the comment then
	// links to nothing.
	Store ReportStore
	// ReportURL turns a path on the results branch into the address of
	// its web page (Config.BlobURL of the results branch), or "" when it
	// has none: the comment then links to no full report.
	ReportURL func(path string) string
	// Limit is the comment's length limit; MaxCommentChars when zero.
	Limit int
}

// Publication is what a publish did, or, from Prepare, would do.
type Publication struct {
	PR      int    `json:"pr"`
	HeadSHA string `json:"head_sha"`
	// ReportPath and ReportURL locate the full report; HTMLPath and
	// HTMLURL the interactive one.
	ReportPath string `json:"report_path,omitempty"`
	ReportURL  string `json:"report_url,omitempty"`
	HTMLPath   string `json:"html_path,omitempty"`
	HTMLURL    string `json:"html_url,omitempty"`
	// Body is the comment, and Fitted how it was fitted to the limit.
	Body   string       `json:"body"`
	Fitted Fitted       `json:"-"`
	Status CommitStatus `json:"status"`
	// Comment is set once the comment is posted.
	Comment *CommentResult `json:"comment,omitempty"`

	full string
	html []byte
}

// Prepare builds the comment and the status without sending anything:
// what --dry-run prints.
func (p *Publisher) Prepare(r PRReport) *Publication {
	pub := &Publication{PR: r.PR, HeadSHA: r.HeadSHA, Status: r.Status, full: r.Full, html: r.HTML}
	if pub.full == "" {
		pub.full = r.Report.Markdown()
	}
	rep := r.Report
	// A preview of no pull request (PR 0) has no place on the results
	// branch yet, so it links to no full report.
	if p.Store != nil && r.PR > 0 {
		pub.ReportPath = ReportPath(r.PR, r.HeadSHA)
		if len(r.HTML) > 0 {
			pub.HTMLPath = HTMLReportPath(r.PR, r.HeadSHA)
		}
		if p.ReportURL != nil {
			pub.ReportURL = p.ReportURL(pub.ReportPath)
			if pub.HTMLPath != "" && pub.ReportURL != "" {
				pub.HTMLURL = p.ReportURL(pub.HTMLPath)
				// The link goes in the head, which is never cut.
				rep.Head = strings.TrimRight(rep.Head, "\n") + "\n\n" +
					fmt.Sprintf("[Interactive report](%s) (curves, sweeps; download it to open offline)", pub.HTMLURL)
			}
		}
	}
	pub.Fitted = Fit(rep, pub.ReportURL, p.Limit)
	pub.Body = pub.Fitted.Body
	pub.Status.Description = ShortDescription(pub.Status.Description)
	if pub.Status.TargetURL == "" {
		pub.Status.TargetURL = pub.ReportURL
	}
	return pub
}

// PublishError is a publish that kept the full report but could not post
// all of it to GitHub.
type PublishError struct {
	ReportPath string
	Err        error
}

func (e *PublishError) Error() string {
	if e.ReportPath == "" {
		return fmt.Sprintf("%v; rerun `assay report` to publish the report", e.Err)
	}
	return fmt.Sprintf("%v; the full report is kept on the results branch at %s, and rerunning `assay report` publishes it", e.Err, e.ReportPath)
}

func (e *PublishError) Unwrap() error { return e.Err }

// Publish keeps the full report on the results branch first, then posts
// the sticky comment and sets the `assay` status of the head commit, whose
// Details link leads to the comment. When GitHub fails, the status is
// still tried after the comment, and the error says where the report is
// kept.
func (p *Publisher) Publish(ctx context.Context, r PRReport) (*Publication, error) {
	if p.Client == nil {
		return nil, errors.New("publishing needs a GitHub client")
	}
	if r.PR <= 0 {
		return nil, fmt.Errorf("publishing needs a pull request number, got %d", r.PR)
	}
	if r.HeadSHA == "" {
		return nil, fmt.Errorf("publishing pull request #%d needs its head commit", r.PR)
	}
	pub := p.Prepare(r)
	if p.Store != nil {
		if err := p.Store.PutReport(ctx, pub.ReportPath, []byte(pub.full)); err != nil {
			return pub, fmt.Errorf("keeping the full report at %s on the results branch: %w; nothing was posted to GitHub", pub.ReportPath, err)
		}
		if pub.HTMLPath != "" {
			if err := p.Store.PutReport(ctx, pub.HTMLPath, pub.html); err != nil {
				return pub, fmt.Errorf("keeping the interactive report at %s on the results branch: %w; nothing was posted to GitHub", pub.HTMLPath, err)
			}
		}
	}
	var errs []error
	cm, err := p.Client.UpsertComment(ctx, r.PR, pub.Body)
	if err != nil {
		errs = append(errs, err)
	} else {
		pub.Comment = cm
		if cm.URL != "" {
			pub.Status.TargetURL = cm.URL
		}
	}
	if err := p.Client.SetStatus(ctx, r.HeadSHA, pub.Status); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return pub, &PublishError{ReportPath: pub.ReportPath, Err: errors.Join(errs...)}
	}
	return pub, nil
}
