package render

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/runner"
)

// MaxArtifactLinksPerSide bounds the files linked for one side's headline
// run, so an experiment's details carry at most twice as many links; the
// rest are counted, and assay artifacts lists them all.
const MaxArtifactLinksPerSide = 5

// ExperimentArtifacts are the links to the files of an experiment's
// headline runs. A side is nil when none of its files can be linked.
type ExperimentArtifacts struct {
	Base, Head *RunArtifacts
}

// RunArtifacts are the linked files of one run.
type RunArtifacts struct {
	RunID string
	Seed  int64
	Links []ArtifactLink
	// More counts the run's files not linked: past the limit, or not
	// stored yet (pending upload).
	More int
}

// ArtifactLink is one file and the address a person opens it at.
type ArtifactLink struct {
	Path, URL string
}

// ArtifactLinks finds, for each experiment of c, the files of its headline
// runs (see compare.Input.HeadlineRuns) that can be linked: files lists a
// run's manifest as it stands, and link gives the browsable address of a
// file or "" for none. Only http and https addresses are linked, so a file
// store, whose objects no reviewer's browser can reach, adds nothing.
// Experiments without links are absent from the map. The errors say which
// runs' files could not be read; the report is made without them.
func ArtifactLinks(c *compare.Comparison, in *compare.Input, files func(*runner.Result) ([]runner.ArtifactFile, error), link func(runner.ArtifactFile) string) (map[string]ExperimentArtifacts, []error) {
	out := map[string]ExperimentArtifacts{}
	var errs []error
	side := func(r *runner.Result) *RunArtifacts {
		if r == nil {
			return nil
		}
		fs, err := files(r)
		if err != nil {
			errs = append(errs, fmt.Errorf("the files of run %s: %w", r.RunID, err))
			return nil
		}
		ra := &RunArtifacts{RunID: r.RunID, Seed: r.Seed}
		for _, f := range fs {
			u := ""
			if !f.Pending {
				u = browsable(link(f))
			}
			if u == "" || len(ra.Links) == MaxArtifactLinksPerSide {
				ra.More++
				continue
			}
			ra.Links = append(ra.Links, ArtifactLink{Path: f.Path, URL: u})
		}
		if len(ra.Links) == 0 {
			return nil
		}
		return ra
	}
	for _, e := range c.Experiments {
		hr := in.HeadlineRuns(e)
		ea := ExperimentArtifacts{Base: side(hr.Base), Head: side(hr.Head)}
		if ea.Base != nil || ea.Head != nil {
			out[e.Name] = ea
		}
	}
	return out, errs
}

// browsable is u when it is an http or https address, else "".
func browsable(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return u
}

// mdURL writes an address as a markdown link destination: the characters
// that would end it or break the line are percent-encoded, which leaves
// the address the same.
var mdURL = strings.NewReplacer(
	" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\n", "", "\r", "", "\\", "%5C",
)

// artifactLines are the items of an experiment's "Artifacts" list, one
// per side with links, head first: what the pull request introduced.
func artifactLines(ea ExperimentArtifacts) []string {
	var out []string
	for _, s := range []struct {
		name string
		ra   *RunArtifacts
	}{{compare.SideHead, ea.Head}, {compare.SideBase, ea.Base}} {
		if s.ra == nil {
			continue
		}
		links := make([]string, len(s.ra.Links))
		for i, l := range s.ra.Links {
			links[i] = "[" + md(l.Path) + "](" + mdURL.Replace(l.URL) + ")"
		}
		line := fmt.Sprintf("%s run %s (seed %d): %s", s.name, code(s.ra.RunID), s.ra.Seed, strings.Join(links, " · "))
		if s.ra.More > 0 {
			line += fmt.Sprintf(" · %d more: %s", s.ra.More, code("assay artifacts "+s.ra.RunID))
		}
		out = append(out, line)
	}
	return out
}
