package runner

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMaskString(t *testing.T) {
	m := NewMask("hunter2-secret", "abcd-1234", "1234-wxyz", "abc", "", "-----BEGIN KEY-----\nMIIBOgIBAAJBAK\n-----END KEY-----\n")
	for in, want := range map[string]string{
		"token=hunter2-secret.":                  "token=***.",
		"hunter2-secrethunter2-secret":           "***",                        // adjacent: one mask
		"hunter2-secre and abcd-123":             "hunter2-secre and abcd-123", // no whole value
		"xx abcd-1234-wxyz yy":                   "xx *** yy",                  // two values overlapping: their union
		"abc is too short to mask":               "abc is too short to mask",
		"key line: MIIBOgIBAAJBAK!":              "key line: ***!", // one line of a multi-line value
		"nothing here":                           "nothing here",
		"-----BEGIN KEY-----\nMIIBOgIBAAJBAK\n-": "***\n***\n-",
	} {
		if got := m.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
	if !NewMask("abc", "").Empty() || !(*Mask)(nil).Empty() {
		t.Error("a mask of short values masks something")
	}
}

// A secret split anywhere across writes is masked exactly as in one piece.
func TestMaskWriterSplits(t *testing.T) {
	// "live-0123" lies inside what could begin "sk-live-0123456789".
	secrets := []string{"sk-live-0123456789", "pa55word", "0123456789abcdef", "live-0123"}
	m := NewMask(secrets...)
	text := []byte("start sk-live-0123456789 mid pa55wordpa55word x0123456789abcdef0123456789abcdef end pa55wor")
	want := m.Bytes(text)
	for _, s := range secrets {
		if bytes.Contains(want, []byte(s)) {
			t.Fatalf("Bytes left %q in %q", s, want)
		}
	}
	check := func(name string, chunks [][]byte) {
		t.Helper()
		var out bytes.Buffer
		w := m.Writer(&out)
		for _, c := range chunks {
			if n, err := w.Write(c); n != len(c) || err != nil {
				t.Fatalf("%s: Write = %d, %v", name, n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Errorf("%s:\n got %q\nwant %q", name, out.Bytes(), want)
		}
	}
	for i := 0; i <= len(text); i++ {
		for j := i; j <= len(text); j++ {
			check("split", [][]byte{text[:i], text[i:j], text[j:]})
		}
	}
	var bytewise [][]byte
	for i := range text {
		bytewise = append(bytewise, text[i:i+1])
	}
	check("byte by byte", bytewise)
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var chunks [][]byte
		for rest := text; len(rest) > 0; {
			n := min(len(rest), 1+r.IntN(12))
			chunks, rest = append(chunks, rest[:n]), rest[n:]
		}
		check("random", chunks)
	}
}

func TestMaskRun(t *testing.T) {
	const secret = "tok-9f8e7d6c5b4a"
	m := NewMask(secret)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "log")
	logText := strings.Repeat("x", 70_000) + "token is " + secret + "\n"
	os.WriteFile(logPath, []byte(logText), 0o644)
	arts := filepath.Join(dir, "artifacts")
	os.MkdirAll(arts, 0o755)
	os.WriteFile(filepath.Join(arts, "out-"+secret+".txt"), []byte("data"), 0o644)
	run := &Run{
		Result: &Result{
			Error:     "failed with " + secret,
			Warnings:  []string{`metrics file: "loss" is not a number on 1 line (first: line 1: "` + secret + `"); ignored`},
			Metrics:   map[string]float64{"loss_" + secret: 1, "acc": 0.5},
			Params:    map[string]any{"lr": 0.1, "name": "run-" + secret, "nested": []any{secret}},
			Command:   []string{"train", "--key=" + secret},
			Manifest:  []ArtifactFile{{Path: "out-" + secret + ".txt", Size: 4}},
			Artifacts: []string{"out-" + secret + ".txt"},
			FullLog:   &ArtifactFile{Path: "log", Size: int64(len(logText))},
		},
		Series:       map[string][]Point{"loss_" + secret: {{Step: 1, Value: 1}}},
		LogPath:      logPath,
		ArtifactsDir: arts,
	}
	command := run.Result.Command
	m.Run(run)
	r := run.Result
	if command[1] != "--key="+secret {
		t.Errorf("masking the record changed the trial's own command: %q", command)
	}
	if r.Error != "failed with ***" || !strings.Contains(r.Warnings[0], `line 1: "***"`) {
		t.Errorf("error %q, warnings %q", r.Error, r.Warnings)
	}
	if diff := cmp.Diff(map[string]float64{"loss_***": 1, "acc": 0.5}, r.Metrics); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
	if _, ok := run.Series["loss_***"]; !ok || len(run.Series) != 1 {
		t.Errorf("series %v", run.Series)
	}
	if diff := cmp.Diff(map[string]any{"lr": 0.1, "name": "run-***", "nested": []any{"***"}}, r.Params); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	if r.Command[1] != "--key=***" || r.Manifest[0].Path != "out-***.txt" || r.Artifacts[0] != "out-***.txt" {
		t.Errorf("command %q manifest %v artifacts %v", r.Command, r.Manifest, r.Artifacts)
	}
	if b, err := os.ReadFile(filepath.Join(arts, "out-***.txt")); err != nil || string(b) != "data" {
		t.Errorf("renamed artifact: %q, %v", b, err)
	}
	b, _ := os.ReadFile(logPath)
	if bytes.Contains(b, []byte(secret)) || !bytes.HasSuffix(b, []byte("token is ***\n")) {
		t.Errorf("log not masked: ...%q", b[len(b)-40:])
	}
	sum := sha256.Sum256(b)
	if r.FullLog.Size != int64(len(b)) || r.FullLog.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("full log entry %+v does not describe the masked log (%d bytes)", r.FullLog, len(b))
	}
	if !run.LogMasked {
		t.Error("LogMasked not set")
	}
}

// Two metric names that mask alike keep one, with a warning.
func TestMaskRunMetricCollision(t *testing.T) {
	m := NewMask("secret-one", "secret-two")
	run := &Run{Result: &Result{Metrics: map[string]float64{"l_secret-one": 1, "l_secret-two": 2}}}
	m.Run(run)
	if len(run.Result.Metrics) != 1 || run.Result.Metrics["l_***"] != 1 || len(run.Result.Warnings) != 1 {
		t.Errorf("metrics %v warnings %q", run.Result.Metrics, run.Result.Warnings)
	}
}

// Only a tail that could begin a secret waits for more: a line without
// one is written at once, so a log read while the trial runs is whole.
func TestMaskWriterHoldsBackOnlyAPossibleSecret(t *testing.T) {
	var out bytes.Buffer
	w := NewMask("sk-live-0123456789").Writer(&out)
	w.Write([]byte("epoch 1 loss 0.5\n"))
	if out.String() != "epoch 1 loss 0.5\n" {
		t.Errorf("after a plain line: %q", out.String())
	}
	w.Write([]byte("key sk-li"))
	if out.String() != "epoch 1 loss 0.5\nkey " {
		t.Errorf("after a possible start: %q", out.String())
	}
	w.Write([]byte("ve-0123456789\n"))
	w.Write([]byte("key sk-lima\n"))
	// A whole secret at the end of a write is no longer a possible start.
	w.Write([]byte("again sk-live-0123456789"))
	if out.String() != "epoch 1 loss 0.5\nkey ***\nkey sk-lima\nagain ***" {
		t.Errorf("after a whole secret: %q", out.String())
	}
	w.Flush()
	if out.String() != "epoch 1 loss 0.5\nkey ***\nkey sk-lima\nagain ***" {
		t.Errorf("at the end: %q", out.String())
	}
	if w.Count != 2*int64(len("sk-live-0123456789")) {
		t.Errorf("Count = %d, want the bytes of two secrets", w.Count)
	}
}

// Values is what a GitHub Actions job registers with ::add-mask::: every
// value masked, once, longest first, with the lines of a value that spans
// lines, and none shorter than MinSecretLength (a value of exactly that
// length is masked). Values of one length keep the order they were given.
func TestMaskValues(t *testing.T) {
	m := NewMask("pin1", "abc", "  padded-secret  ", "pin1", "-----BEGIN-----\r\nline-two\r\nx\r\n", "pin2")
	want := []string{
		"-----BEGIN-----\r\nline-two\r\nx\r\n",
		"-----BEGIN-----\r\nline-two\r\nx",
		"  padded-secret  ",
		"-----BEGIN-----",
		"padded-secret",
		"line-two",
		"pin1",
		"pin2",
	}
	if diff := cmp.Diff(want, m.Values()); diff != "" {
		t.Errorf("Values (-want +got):\n%s", diff)
	}
	if got := m.String("pin pin1 abc line-two"); got != "pin *** abc ***" {
		t.Errorf("String = %q", got)
	}
	if (*Mask)(nil).Values() != nil {
		t.Error("a nil mask has values")
	}
}
