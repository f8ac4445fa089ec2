package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// runSecrets are what assay run knows about secrets: the values
// ASSAY_SECRETS holds, assay's own credentials (withheld from trials), and
// the mask of everything secret.
type runSecrets struct {
	secrets  runner.Secrets
	withheld []string
	mask     *runner.Mask
}

// newRunSecrets reads ASSAY_SECRETS and builds the batch's mask. Inside
// GitHub Actions it registers every masked value with ::add-mask::, so
// the job log hides it too, and it warns, by name, about values too short
// to mask.
func newRunSecrets(f *Factory, project *spec.Project, jobs []*runner.Job) (*runSecrets, error) {
	secrets, err := runner.ParseSecrets(f.Getenv(runner.SecretsEnv))
	if err != nil {
		return nil, err
	}
	s := &runSecrets{secrets: secrets, withheld: runner.OwnCredentials(project.Settings.ArtifactStore)}
	var short []string
	s.mask, short = runner.BatchMask(f.Environ(), secrets, jobs, s.withheld)
	if f.InActions() {
		for _, v := range s.mask.Values() {
			fmt.Fprintf(f.IO.ErrOut, "::add-mask::%s\n", escapeCommandData(v))
		}
	}
	if len(short) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "warning: %s %s shorter than %d characters, so %s passed on but not masked in what assay writes\n",
			strings.Join(short, ", "), plural3(len(short), "has a value", "have values"), runner.MinSecretLength, plural3(len(short), "it is", "they are"))
	}
	return s, nil
}

func plural3(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// escapeCommandData escapes a workflow command's data as the Actions
// runner unescapes it, so a value with % or a line break registers whole.
func escapeCommandData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// maskIO returns f with its output streams masked.
func (s *runSecrets) maskIO(f *Factory) *Factory {
	if s.mask.Empty() {
		return f
	}
	streams := *f.IO
	streams.Out = maskedWriter{w: f.IO.Out, m: s.mask}
	streams.ErrOut = maskedWriter{w: f.IO.ErrOut, m: s.mask}
	g := *f
	g.IO = &streams
	return &g
}

// maskedWriter masks each write of assay's own output; assay writes whole
// lines and frames, so no secret is split between two writes.
type maskedWriter struct {
	w io.Writer
	m *runner.Mask
}

func (w maskedWriter) Write(p []byte) (int, error) {
	if _, err := w.w.Write(w.m.Bytes(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
