package metrics

import (
	"path"
	"strings"
)

// metricName is what a file's name for a value (a TensorBoard tag, a CSV
// column, a log_history key, an MLflow key) is called in the record: the
// metric whose tag attribute names it, else the name made safe for
// queries and metric blocks (see sanitizeName).
func (w *watcher) metricName(sf *sourceFile, raw string) string {
	if sf.format == "tensorboard" {
		return w.tagName(sf, raw)
	}
	if n, ok := w.byTag[raw]; ok {
		return n
	}
	return sanitizeName(raw)
}

// tagName names a TensorBoard tag. A tag is known by itself and by
// DIR/TAG, DIR being the name of the directory that holds its event file
// (Keras writes logs/train and logs/validation, both with epoch_loss), so
// a metric's tag attribute can pick either. Undeclared, the same tag
// written in a second directory is named apart from the first:
// DIR_TAG, or just DIR when DIR already begins with the tag, as the
// directories of PyTorch's add_scalars do (runs/loss_val holds tag loss).
func (w *watcher) tagName(sf *sourceFile, tag string) string {
	dir := path.Dir(sf.rel)
	base := path.Base(dir)
	if n, ok := w.byTag[base+"/"+tag]; ok {
		return n
	}
	if n, ok := w.byTag[tag]; ok {
		return n
	}
	first, seen := w.tbDirs[tag]
	if !seen {
		if len(w.tbDirs) < 1<<16 {
			w.tbDirs[tag] = dir
		}
		return sanitizeName(tag)
	}
	if first == dir {
		return sanitizeName(tag)
	}
	if b, t := sanitizeName(base), sanitizeName(tag); strings.HasPrefix(b, t+"_") {
		return b
	}
	return sanitizeName(base + "/" + tag)
}

// sanitizeName turns each run of characters other than ASCII letters,
// digits and underscores into one underscore and trims underscores from
// the ends: "val/acc" becomes val_acc, "eval/samples_per_second"
// eval_samples_per_second, "lr-Adam" lr_Adam. Such a name works in a
// metric block and in assay ls --where. A name with nothing left keeps
// its raw form.
func sanitizeName(raw string) string {
	clean := true
	for i := 0; i < len(raw); i++ {
		if !nameByte(raw[i]) {
			clean = false
			break
		}
	}
	if clean && raw != "" && raw[0] != '_' && raw[len(raw)-1] != '_' {
		return raw
	}
	var b strings.Builder
	gap := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !nameByte(c) || c == '_' {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteByte('_')
		}
		gap = false
		b.WriteByte(c)
	}
	if b.Len() == 0 {
		return raw
	}
	return b.String()
}

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
