package results

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// gitHTTPServer serves base through git http-backend, the smart HTTP
// server git ships, behind net/http/cgi. With a token set it wants basic
// auth as GitHub does (user x-access-token). hold, when set, is called
// with each push's request body before git sees it and says whether to
// pass it on.
type gitHTTPServer struct {
	*httptest.Server
	token string
	hold  atomic.Pointer[func(body []byte) bool]
	// held receives once git has answered a push that hold passed on.
	held chan struct{}
}

func newGitHTTPServer(t *testing.T, base, token string) *gitHTTPServer {
	t.Helper()
	execPath := strings.TrimSpace(git_(t, base, "--exec-path"))
	backend := &cgi.Handler{
		Path: filepath.Join(execPath, "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + base, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "HOME=" + base},
	}
	if _, err := os.Stat(backend.Path); err != nil {
		t.Skipf("git-http-backend is missing (it comes with the git package): %v", err)
	}
	s := &gitHTTPServer{token: token, held: make(chan struct{}, 1)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.token != "" {
			user, pass, ok := r.BasicAuth()
			if !ok || user != "x-access-token" || pass != s.token {
				w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
				http.Error(w, "authentication required", http.StatusUnauthorized)
				return
			}
		}
		if hold := s.hold.Load(); hold != nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-receive-pack") {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return
			}
			if !(*hold)(body) {
				http.Error(w, "dropped", http.StatusServiceUnavailable)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			defer func() { s.held <- struct{}{} }()
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestHTTPSendsGitHubTokenOnlyWhereItBelongs(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	bare := newBareRemote(t, base, "team.git")
	srv := newGitHTTPServer(t, base, "s3cret")
	dir := newCodeRepo(t)
	setOrigin(t, dir, srv.URL+"/team.git")
	env := map[string]string{"GITHUB_TOKEN": "s3cret"}
	getenv := func(k string) string { return env[k] }

	// The token is not sent to a host GitHub did not issue it for.
	s := openStore(t, dir, Options{Getenv: getenv, OfflineAttempts: 1})
	_, err := s.Deliver(context.Background(), putRuns(t, s, testRun("20260301T120000.000Z-aaaa", "resnet", 1)))
	var ob *OutboxError
	if !errors.As(err, &ob) || !strings.Contains(err.Error(), "authentication required") {
		t.Fatalf("without a trusted host: %v", err)
	}

	// GITHUB_SERVER_URL names the host (as on GitHub Enterprise): the push
	// authenticates and the outbox empties.
	env["GITHUB_SERVER_URL"] = srv.URL
	s = openStore(t, dir, Options{Getenv: getenv})
	rep, err := s.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Delivered != 1 {
		t.Errorf("delivered %d", rep.Delivered)
	}
	checkRemote(t, bare)
}

// TestKillDuringPush is the crash fault: assay is killed with SIGKILL
// while its push is in flight; whether or not the push reached the
// remote, running it again loses nothing and duplicates nothing.
func TestKillDuringPush(t *testing.T) {
	requireGit(t)
	for _, landed := range []bool{true, false} {
		t.Run(fmt.Sprintf("push landed=%v", landed), func(t *testing.T) {
			base := t.TempDir()
			bare := newBareRemote(t, base, "team.git")
			srv := newGitHTTPServer(t, base, "")
			arrived := make(chan struct{}, 1)
			release := make(chan bool)
			hold := func([]byte) bool {
				arrived <- struct{}{}
				return <-release
			}
			srv.hold.Store(&hold)
			dir := newCodeRepo(t)
			setOrigin(t, dir, srv.URL+"/team.git")
			exe, err := os.Executable()
			if err != nil {
				t.Fatal(err)
			}
			writer := func(count int) *exec.Cmd {
				cmd := exec.Command(exe, "-test.run=^$")
				cmd.Env = append(os.Environ(), "ASSAY_RESULTS_WRITER="+dir, fmt.Sprintf("ASSAY_WRITER_COUNT=%d", count),
					"ASSAY_WRITER_BATCH=3", "ASSAY_WRITER_NAME=20260301T120000.000Z-kill",
					"GIT_COMMITTER_NAME=writer", "GIT_COMMITTER_EMAIL=writer@example.com")
				return cmd
			}
			first := writer(3)
			var out bytes.Buffer
			first.Stdout, first.Stderr = &out, &out
			if err := first.Start(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-arrived:
			case <-time.After(60 * time.Second):
				first.Process.Kill()
				t.Fatalf("the push never reached the server:\n%s", out.String())
			}
			first.Process.Kill() // SIGKILL: no deferred cleanup runs
			first.Wait()
			// The server finishes (or drops) the push of a client that is gone.
			release <- landed
			if landed {
				<-srv.held
			}
			srv.hold.Store(nil)

			second := writer(0)
			o, err := second.CombinedOutput()
			if err != nil {
				t.Fatalf("rerun: %v\n%s", err, o)
			}
			files := branchFiles(t, bare, "assay/results")
			if n := countRecords(files); n != 3 {
				t.Errorf("remote has %d records, want 3: %v", n, files)
			}
			if n := strings.TrimSpace(git_(t, bare, "rev-list", "--count", "assay/results")); n != "1" {
				t.Errorf("remote has %s commits, want the one batch", n)
			}
			wantDelivered := "delivered=3"
			if landed {
				wantDelivered = "delivered=0"
			}
			if !strings.Contains(string(o), wantDelivered) {
				t.Errorf("rerun said %q, want %s", o, wantDelivered)
			}
			s := openStore(t, dir, Options{})
			if n, _ := s.Pending(); n != 0 {
				t.Errorf("outbox holds %d after the rerun", n)
			}
			if ids, _ := putRuns(t, s).List(); len(ids) != 0 {
				t.Errorf("spool holds %v", ids)
			}
			checkRemote(t, bare)
			git_(t, dir, "fsck", "--strict", "--no-dangling")
		})
	}
}
