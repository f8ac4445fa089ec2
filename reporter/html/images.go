package html

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"sort"
	"strings"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/runner"
)

// Defaults of the images' share of the report: a handful of figures a
// reviewer looks at, not a gallery. Base64 makes the embedded bytes a
// third larger, so the defaults add at most about 2 MB to a page.
const (
	DefaultMaxImages      = 12
	DefaultMaxImageBytes  = 500 << 10
	DefaultMaxImagesBytes = 1536 << 10
)

// Images are the image artifacts of an experiment's headline runs: one
// row per file path, base beside head.
type Images struct {
	// Base and Head are the runs shown, nil where a side has none.
	Base, Head *ImageRun
	Rows       []*ImageRow
	// Notes say what could not be shown and why.
	Notes []string
}

// ImageRun is the run whose files stand for one side's headline config.
type ImageRun struct {
	RunID  string
	Seed   int64
	Config string
}

// ImageRow is one path, kept by the base run, the head run or both.
type ImageRow struct {
	Path       string
	Base, Head *Image
}

// Image is one image artifact of one run.
type Image struct {
	Side, Path, RunID, MediaType string
	Size                         int64
	// Src is the image as a data: URI; empty when it is left out, and
	// Note says why and how to get it.
	Src  template.URL
	Note string
}

// imageTypes are the media types the report embeds, with what their first
// bytes must look like. Only PNG and SVG: what plotting libraries write.
// SVG is shown through <img>, where the browser runs none of its scripts.
var imageTypes = map[string]func([]byte) bool{
	"image/png":     func(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) },
	"image/svg+xml": func(b []byte) bool { return bytes.Contains(bytes.ToLower(b), []byte("<svg")) },
}

// imageType is a manifest entry's media type without parameters, when it
// is one the report embeds.
func imageType(mediaType string) (string, bool) {
	t, _, _ := strings.Cut(mediaType, ";")
	t = strings.ToLower(strings.TrimSpace(t))
	_, ok := imageTypes[t]
	return t, ok
}

// imageBudget is what the images of a report may take together.
type imageBudget struct {
	count         int
	each, total   int64
	shown         int
	used          int64
	leftOut       int
	read          func(*runner.Result, runner.ArtifactFile) ([]byte, error)
	runs          map[*Image]*runner.Result
	files         map[*Image]runner.ArtifactFile
	maxRowsPerExp int
}

func newImageBudget(opts Options, src Source) *imageBudget {
	b := &imageBudget{
		count: opts.MaxImages, each: opts.MaxImageBytes, total: opts.MaxImagesBytes,
		runs: map[*Image]*runner.Result{}, files: map[*Image]runner.ArtifactFile{},
	}
	if b.count <= 0 {
		b.count = DefaultMaxImages
	}
	if b.each <= 0 {
		b.each = DefaultMaxImageBytes
	}
	if b.total <= 0 {
		b.total = DefaultMaxImagesBytes
	}
	b.maxRowsPerExp = b.count
	b.read = func(r *runner.Result, f runner.ArtifactFile) ([]byte, error) {
		var buf bytes.Buffer
		buf.Grow(int(f.Size))
		if err := src.ReadArtifact(r, f, &buf); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return b
}

// embedImages gives each experiment of r its Images and embeds as many
// as the budget allows. Candidates take turns across experiments: every
// experiment's first path (head, then base) before any experiment's
// second, so one experiment with many plots does not crowd out the rest.
// It returns how many images the budget left out.
func embedImages(r *Report, c *compare.Comparison, src Source, opts Options) int {
	b := newImageBudget(opts, src)
	type candidate struct {
		img  *Image
		rank int
	}
	var cands []candidate
	for i, ce := range c.Experiments {
		imgs := experimentImages(b, r.Experiments[i], ce, src)
		if imgs == nil {
			continue
		}
		r.Experiments[i].Images = imgs
		for k, row := range imgs.Rows {
			for _, img := range []*Image{row.Head, row.Base} {
				if img != nil {
					cands = append(cands, candidate{img: img, rank: k})
				}
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].rank < cands[j].rank })
	for _, cd := range cands {
		b.embed(cd.img)
	}
	return b.leftOut
}

// experimentImages lists the image files of an experiment's headline
// runs, or returns nil when they kept none.
func experimentImages(b *imageBudget, e *Experiment, ce *compare.Experiment, src Source) *Images {
	hr := src.Input.HeadlineRuns(ce)
	if hr.Base == nil && hr.Head == nil {
		return nil
	}
	imgs := &Images{}
	rows := map[string]*ImageRow{}
	sides := []struct {
		name string
		run  *runner.Result
		cfg  *compare.Config
		dst  **ImageRun
	}{
		{compare.SideBase, hr.Base, ce.Headline.Base, &imgs.Base},
		{compare.SideHead, hr.Head, ce.Headline.Head, &imgs.Head},
	}
	for _, s := range sides {
		if s.run == nil {
			continue
		}
		files, err := src.Artifacts(s.run)
		if err != nil {
			imgs.Notes = append(imgs.Notes, fmt.Sprintf("The files of %s run %s could not be read: %v", s.name, s.run.RunID, err))
			continue
		}
		found := false
		for _, f := range files {
			mt, ok := imageType(f.MediaType)
			if !ok {
				continue
			}
			found = true
			row := rows[f.Path]
			if row == nil {
				row = &ImageRow{Path: f.Path}
				rows[f.Path] = row
			}
			img := &Image{Side: s.name, Path: f.Path, RunID: s.run.RunID, MediaType: mt, Size: f.Size}
			b.runs[img], b.files[img] = s.run, f
			if s.name == compare.SideBase {
				row.Base = img
			} else {
				row.Head = img
			}
		}
		if found {
			label := ""
			if s.cfg != nil {
				label = s.cfg.Label
			}
			*s.dst = &ImageRun{RunID: s.run.RunID, Seed: s.run.Seed, Config: label}
		}
	}
	if len(rows) == 0 && len(imgs.Notes) == 0 {
		return nil
	}
	for _, row := range rows {
		imgs.Rows = append(imgs.Rows, row)
	}
	sort.Slice(imgs.Rows, func(i, j int) bool { return imgs.Rows[i].Path < imgs.Rows[j].Path })
	if n := len(imgs.Rows) - b.maxRowsPerExp; n > 0 {
		imgs.Rows = imgs.Rows[:b.maxRowsPerExp]
		imgs.Notes = append(imgs.Notes, fmt.Sprintf("%d more image files are not listed; assay artifacts RUN_ID lists every file of a run.", n))
	}
	return imgs
}

// embed reads one image into the page if the budget allows, or notes
// why not.
func (b *imageBudget) embed(img *Image) {
	r, f := b.runs[img], b.files[img]
	get := fmt.Sprintf("assay artifacts get %s %s", r.RunID, shellWord(f.Path))
	switch {
	case f.Size > b.each:
		img.Note = fmt.Sprintf("Not embedded: %s is over the %s one image may take in this file. Get it with %s.", sizeText(f.Size), sizeText(b.each), get)
		b.leftOut++
		return
	case b.shown >= b.count || b.used+f.Size > b.total:
		img.Note = fmt.Sprintf("Left out to keep this file small (at most %d images, %s in all). Get it with %s.", b.count, sizeText(b.total), get)
		b.leftOut++
		return
	}
	data, err := b.read(r, f)
	if err != nil {
		img.Note = fmt.Sprintf("Not shown: %v", err)
		return
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != f.SHA256 || int64(len(data)) != f.Size {
		img.Note = fmt.Sprintf("Not shown: the bytes read (%d, sha256 %s) do not match the run's record (%d, sha256 %s).", len(data), got[:12], f.Size, short(f.SHA256))
		return
	}
	if !imageTypes[img.MediaType](data) {
		img.Note = fmt.Sprintf("Not shown: the file is not a %s image, though its record says so.", img.MediaType)
		return
	}
	img.Src = template.URL("data:" + img.MediaType + ";base64," + base64.StdEncoding.EncodeToString(data))
	b.shown++
	b.used += f.Size
}

// sizeText reads "18.2 KiB".
func sizeText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func short(sha string) string { return sha[:min(12, len(sha))] }

// shellWord quotes a path for a command line a reader copies.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+=:@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
