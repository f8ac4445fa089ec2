package artifacts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/gcerrors"

	"github.com/assaylab/assay/runner"
)

// DefaultDirName is the store's directory under .git/assay when assay.hcl
// names no artifact_store.
const DefaultDirName = "blobs"

// Upload tuning: parts of this size, this many in flight, bound the
// memory an upload holds whatever the file's size.
const (
	uploadPartSize    = 5 << 20
	uploadConcurrency = 2
)

// Schemes are the store URLs assay understands.
var Schemes = []string{"file", "s3", "gs", "azblob"}

// Store is an open artifact store.
type Store struct {
	bucket *blob.Bucket
	// base is the store's URL without its query, ending in "/" when it has
	// a prefix: object URLs are base + Key(sha).
	base   string
	browse func(key string) string
	// prefix is what the bucket puts before every key.
	prefix string
	// display is the store as the user configured it, for messages.
	display string
}

// Key is where an object with this SHA-256 lives in a store.
func Key(sha string) string {
	if len(sha) < 2 {
		return "sha256/" + sha
	}
	return "sha256/" + sha[:2] + "/" + sha
}

// Open opens the store that storeURL names, or the file store in
// defaultDir (created if needed) when storeURL is empty.
func Open(ctx context.Context, storeURL, defaultDir string) (*Store, error) {
	if storeURL == "" {
		if err := os.MkdirAll(defaultDir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the local artifact store %s: %w", defaultDir, err)
		}
		b, err := fileblob.OpenBucket(defaultDir, &fileblob.Options{Metadata: fileblob.MetadataDontWrite})
		if err != nil {
			return nil, fmt.Errorf("opening the local artifact store %s: %w", defaultDir, err)
		}
		u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(defaultDir)}).String()
		return &Store{bucket: b, base: u + "/", browse: noBrowse, display: defaultDir}, nil
	}
	u, err := url.Parse(storeURL)
	if err != nil {
		return nil, fmt.Errorf("artifact_store %q is not a URL: %w", storeURL, err)
	}
	s := &Store{display: redact(u)}
	switch u.Scheme {
	case "file":
		dir := filepath.FromSlash(u.Path)
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("artifact_store %s: a file:// store is a directory on this machine; write file:///absolute/path (three slashes)", s.display)
		}
		info, err := os.Stat(dir)
		if err != nil || !info.IsDir() {
			return nil, fmt.Errorf("artifact_store %s: the directory %s does not exist; create it (mkdir -p %s) or fix artifact_store in assay.hcl", s.display, dir, dir)
		}
		s.base = (&url.URL{Scheme: "file", Path: u.Path}).String()
		s.browse = noBrowse
	case "s3", "gs", "azblob":
		if u.Host == "" {
			return nil, fmt.Errorf("artifact_store %s names no bucket; write %s://BUCKET/optional/prefix", s.display, u.Scheme)
		}
		s.prefix = prefixOf(u)
		s.base = u.Scheme + "://" + u.Host + "/" + s.prefix
		s.browse = browser(u, s.prefix)
	default:
		return nil, fmt.Errorf("artifact_store %s: unknown scheme %q; use one of %s:// (see docs/artifacts.md)", s.display, u.Scheme, strings.Join(Schemes, "://, "))
	}
	open := *u
	if u.Scheme == "file" && !u.Query().Has("metadata") {
		// The manifest says what an object is: no sidecar file beside it.
		q := u.Query()
		q.Set("metadata", "skip")
		open.RawQuery = q.Encode()
	}
	if u.Scheme != "file" {
		q := u.Query()
		if s.prefix != "" {
			q.Set("prefix", s.prefix)
		}
		open.Path, open.RawQuery = "", q.Encode()
	}
	b, err := blob.OpenBucket(ctx, open.String())
	if err != nil {
		return nil, fmt.Errorf("opening artifact_store %s: %w", s.display, err)
	}
	s.bucket = b
	if !strings.HasSuffix(s.base, "/") {
		s.base += "/"
	}
	return s, nil
}

// prefixOf is the key prefix a cloud store URL's path names: "" or
// "some/prefix/".
func prefixOf(u *url.URL) string {
	p := strings.Trim(u.Path, "/")
	if p == "" {
		return ""
	}
	return p + "/"
}

// redact drops credentials a URL might carry, for messages.
func redact(u *url.URL) string {
	c := *u
	c.User = nil
	q := c.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "secret") || strings.Contains(strings.ToLower(k), "sig") || strings.Contains(strings.ToLower(k), "token") {
			q.Set(k, "REDACTED")
		}
	}
	c.RawQuery = q.Encode()
	return c.String()
}

// Close releases the store's connections.
func (s *Store) Close() error { return s.bucket.Close() }

// String is the store as configured, without secrets.
func (s *Store) String() string { return s.display }

// ObjectURL is the store URL of the object with this SHA-256, as a
// manifest records it.
func (s *Store) ObjectURL(sha string) string { return s.base + Key(sha) }

// BrowseURL is a link a person can open for the object, or "" when the
// store has none (a file store).
func (s *Store) BrowseURL(sha string) string { return s.browse(s.prefix + Key(sha)) }

// Has reports whether the store holds the object with this SHA-256.
func (s *Store) Has(ctx context.Context, sha string) (bool, error) {
	ok, err := s.bucket.Exists(ctx, Key(sha))
	if err != nil {
		return false, fmt.Errorf("artifact store %s: %w", s.display, err)
	}
	return ok, nil
}

// Upload stores the file at local as the object f describes, unless the
// store already holds it (skipped is then true). The file is streamed and
// hashed on the way; when its bytes do not match f the write is aborted
// and nothing is stored.
func (s *Store) Upload(ctx context.Context, local string, f runner.ArtifactFile) (skipped bool, err error) {
	if !validSHA(f.SHA256) {
		return false, fmt.Errorf("%s: %q is not a SHA-256", f.Path, f.SHA256)
	}
	if ok, err := s.Has(ctx, f.SHA256); err != nil || ok {
		return ok, err
	}
	in, err := os.Open(local)
	if err != nil {
		return false, err
	}
	defer in.Close()
	defer boundMemory(uploadHeadroom)()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.bucket.NewWriter(wctx, Key(f.SHA256), &blob.WriterOptions{
		ContentType:    f.MediaType,
		BufferSize:     uploadPartSize,
		MaxConcurrency: uploadConcurrency,
		Metadata:       map[string]string{"sha256": f.SHA256},
	})
	if err != nil {
		return false, fmt.Errorf("artifact store %s: %w", s.display, err)
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(w, h), in, make([]byte, 1<<20))
	if err == nil && (n != f.Size || hex.EncodeToString(h.Sum(nil)) != f.SHA256) {
		err = fmt.Errorf("%s changed since the run kept it (now %d bytes, sha256 %s; the record says %d bytes, %s); it was not stored",
			f.Path, n, hex.EncodeToString(h.Sum(nil)), f.Size, f.SHA256)
	}
	if err != nil {
		cancel() // aborts the write: nothing half-written under the name
		w.Close()
		return false, err
	}
	if err := w.Close(); err != nil {
		return false, fmt.Errorf("artifact store %s: uploading %s: %w", s.display, f.Path, err)
	}
	return false, nil
}

// ErrNotInStore is returned when the store has no object for a file.
var ErrNotInStore = errors.New("not in the artifact store")

// ChecksumError is an object whose bytes do not match its manifest entry.
type ChecksumError struct {
	Path             string
	Key              string
	WantSHA, GotSHA  string
	WantSize, GotLen int64
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("%s: the stored object %s does not match the record (got %d bytes, sha256 %s; want %d bytes, sha256 %s): the store's copy is damaged",
		e.Path, e.Key, e.GotLen, e.GotSHA, e.WantSize, e.WantSHA)
}

// Copy writes the object f describes to w and checks its size and
// SHA-256 once it has passed: w has then seen damaged bytes, so callers
// that must not keep them use Download.
func (s *Store) Copy(ctx context.Context, f runner.ArtifactFile, w io.Writer) error {
	r, err := s.bucket.NewReader(ctx, Key(f.SHA256), nil)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return fmt.Errorf("%s (sha256 %s): %w %s", f.Path, f.SHA256, ErrNotInStore, s.display)
		}
		return fmt.Errorf("artifact store %s: %w", s.display, err)
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(w, h), r, make([]byte, 1<<20))
	if err != nil {
		return fmt.Errorf("reading %s from %s: %w", f.Path, s.display, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 || n != f.Size {
		return &ChecksumError{Path: f.Path, Key: Key(f.SHA256), WantSHA: f.SHA256, GotSHA: got, WantSize: f.Size, GotLen: n}
	}
	return nil
}

// Download writes the object f describes to dest, verified: the bytes go
// to a temporary file beside dest and replace it only when their size and
// SHA-256 match f.
func (s *Store) Download(ctx context.Context, f runner.ArtifactFile, dest string) error {
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".assay-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	err = s.Copy(ctx, f, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dest)
}

func validSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func noBrowse(string) string { return "" }

// browser returns how to link an object of a cloud store for a person.
func browser(u *url.URL, prefix string) func(string) string {
	q := u.Query()
	bucket := u.Host
	switch u.Scheme {
	case "s3":
		if ep := q.Get("endpoint"); ep != "" {
			// An S3-compatible server: its own URL, path style.
			return func(key string) string { return strings.TrimSuffix(ep, "/") + "/" + bucket + "/" + escapeKey(key) }
		}
		region := q.Get("region")
		return func(key string) string {
			v := url.Values{"prefix": {key}}
			if region != "" {
				v.Set("region", region)
			}
			return "https://s3.console.aws.amazon.com/s3/object/" + bucket + "?" + v.Encode()
		}
	case "gs":
		return func(key string) string { return "https://storage.cloud.google.com/" + bucket + "/" + escapeKey(key) }
	case "azblob":
		account := q.Get("storage_account")
		if account == "" {
			account = os.Getenv("AZURE_STORAGE_ACCOUNT")
		}
		if account == "" {
			return noBrowse
		}
		return func(key string) string {
			return "https://" + account + ".blob.core.windows.net/" + bucket + "/" + escapeKey(key)
		}
	}
	return noBrowse
}

func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return path.Join(parts...)
}
