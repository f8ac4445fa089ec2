package fakegithub

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// recordingTB captures what the fake reports at cleanup, so a test can
// check that the fake fails a test when it should.
type recordingTB struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) Helper()          {}
func (r *recordingTB) finish() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func do(t *testing.T, method, url, token, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func TestUnexpectedAndUnusedCallsFailTheTest(t *testing.T) {
	rec := &recordingTB{TB: t}
	s := New(rec)
	s.AddToken("tok", "bot")
	s.Repo("acme/models").AddPullRequest(PullRequest{Number: 1})
	s.Expect(CreateStatus)
	s.Expect(GetUser).Times(1)
	resp, _ := do(t, "GET", s.URL()+"user", "tok", "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /user = %d", resp.StatusCode)
	}
	do(t, "GET", s.URL()+"user", "tok", "")
	resp, body := do(t, "GET", s.URL()+"repos/acme/models/issues/1/comments", "tok", "")
	if resp.StatusCode != http.StatusNotImplemented || !strings.Contains(body, "unexpected call") {
		t.Errorf("unexpected call answered %d %s", resp.StatusCode, body)
	}
	rec.finish()
	got := strings.Join(rec.errors, "\n")
	for _, want := range []string{
		"unexpected call GET /repos/acme/models/issues/1/comments",
		"expected " + CreateStatus + " at least 1 calls, got 0",
		"expected " + GetUser + " exactly 1 calls, got 2",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("cleanup errors lack %q:\n%s", want, got)
		}
	}
	if len(rec.errors) != 3 {
		t.Errorf("got %d errors, want 3:\n%s", len(rec.errors), got)
	}
}

func TestPaginationFollowsGitHub(t *testing.T) {
	s := New(t, WithAPIPrefix("/api/v3"))
	s.AddToken("tok", "bot")
	r := s.Repo("acme/models")
	n := r.AddPullRequest(PullRequest{})
	for i := range 150 {
		r.AddComment(n, "alice", fmt.Sprintf("comment %d", i))
	}
	s.Expect(ListComments).Times(3)
	url := s.URL() + "repos/acme/models/issues/1/comments"
	if !strings.HasSuffix(s.URL(), "/api/v3/") {
		t.Fatalf("URL() = %s", s.URL())
	}
	resp, body := do(t, "GET", url, "tok", "")
	var page []map[string]any
	json.Unmarshal([]byte(body), &page)
	if len(page) != 30 {
		t.Errorf("default page has %d comments, want 30", len(page))
	}
	link := resp.Header.Get("Link")
	if !strings.Contains(link, `page=2&per_page=30>; rel="next"`) || !strings.Contains(link, `page=5&per_page=30>; rel="last"`) {
		t.Errorf("Link = %s", link)
	}
	resp, body = do(t, "GET", url+"?per_page=500&page=2", "tok", "")
	json.Unmarshal([]byte(body), &page)
	if len(page) != 50 || page[0]["body"] != "comment 100" {
		t.Errorf("page 2 of 100 has %d comments starting %v", len(page), page[0]["body"])
	}
	link = resp.Header.Get("Link")
	if strings.Contains(link, `rel="next"`) || !strings.Contains(link, `page=1&per_page=100>; rel="prev"`) {
		t.Errorf("last page Link = %s", link)
	}
	if !strings.Contains(link, "http://"+strings.TrimPrefix(s.WebURL(), "http://")+"/api/v3/repos/") {
		t.Errorf("Link is not absolute under the prefix: %s", link)
	}
	resp, _ = do(t, "GET", url+"?page=9", "tok", "")
	if resp.StatusCode != 200 {
		t.Errorf("a page past the end = %d, want 200 and an empty list", resp.StatusCode)
	}
}

func TestBodiesOverTheLimitAre422(t *testing.T) {
	s := New(t)
	s.AddToken("tok", "bot")
	r := s.Repo("acme/models")
	n := r.AddPullRequest(PullRequest{})
	s.Expect(CreateComment).Times(3)
	s.Expect(CreateIssue).Times(1)
	post := func(route, body string) (int, string) {
		b, _ := json.Marshal(map[string]string{"body": body, "title": "t"})
		resp, out := do(t, "POST", s.URL()+route, "tok", string(b))
		return resp.StatusCode, out
	}
	// 65,536 characters of three bytes each: within the limit, though
	// far over it in bytes.
	if code, out := post("repos/acme/models/issues/1/comments", strings.Repeat("é", MaxBodyChars)); code != 201 {
		t.Errorf("a body of exactly the limit = %d %s", code, out)
	}
	code, out := post("repos/acme/models/issues/1/comments", strings.Repeat("x", MaxBodyChars+1))
	if code != 422 || !strings.Contains(out, "body is too long (maximum is 65536 characters)") {
		t.Errorf("a body over the limit = %d %s", code, out)
	}
	if code, _ := post("repos/acme/models/issues/1/comments", ""); code != 422 {
		t.Errorf("an empty body = %d, want 422", code)
	}
	if code, _ := post("repos/acme/models/issues", strings.Repeat("x", MaxBodyChars+1)); code != 422 {
		t.Errorf("an issue body over the limit = %d, want 422", code)
	}
	if got := len(r.Comments(n)); got != 1 {
		t.Errorf("%d comments stored, want 1", got)
	}
}

func TestTokensAndTheActionsBot(t *testing.T) {
	s := New(t)
	s.AddToken("tok", "bot")
	s.AddActionsToken("ghs_actions")
	r := s.Repo("acme/models")
	n := r.AddPullRequest(PullRequest{})
	s.Expect(GetUser).Times(3)
	s.Expect(CreateComment).Times(1)
	if resp, _ := do(t, "GET", s.URL()+"user", "", ""); resp.StatusCode != 401 {
		t.Errorf("no token = %d, want 401", resp.StatusCode)
	}
	if resp, _ := do(t, "GET", s.URL()+"user", "wrong", ""); resp.StatusCode != 401 {
		t.Errorf("an unknown token = %d, want 401", resp.StatusCode)
	}
	resp, body := do(t, "GET", s.URL()+"user", "ghs_actions", "")
	if resp.StatusCode != 403 || !strings.Contains(body, "Resource not accessible by integration") {
		t.Errorf("the Actions token reading /user = %d %s", resp.StatusCode, body)
	}
	do(t, "POST", s.URL()+"repos/acme/models/issues/1/comments", "ghs_actions", `{"body":"hi"}`)
	if c := r.Comments(n); len(c) != 1 || c[0].User != ActionsBot {
		t.Errorf("comments = %+v, want one by %s", c, ActionsBot)
	}
}

func TestFaultsAnswerFirstThenTheRealHandler(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := New(t, WithClock(func() time.Time { return now }))
	s.AddToken("tok", "bot")
	s.Repo("acme/models")
	s.Expect(GetUser).Times(4).Fail(ServerError(502), SecondaryRateLimit(90*time.Second), PrimaryRateLimit(10*time.Minute))
	resp, _ := do(t, "GET", s.URL()+"user", "tok", "")
	if resp.StatusCode != 502 {
		t.Errorf("first = %d, want 502", resp.StatusCode)
	}
	resp, _ = do(t, "GET", s.URL()+"user", "tok", "")
	if resp.StatusCode != 403 || resp.Header.Get("Retry-After") != "90" {
		t.Errorf("second = %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	resp, _ = do(t, "GET", s.URL()+"user", "tok", "")
	if resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" || resp.Header.Get("X-RateLimit-Reset") != fmt.Sprint(now.Add(10*time.Minute).Unix()) {
		t.Errorf("third = %d, headers %v", resp.StatusCode, resp.Header)
	}
	resp, _ = do(t, "GET", s.URL()+"user", "tok", "")
	if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Remaining") == "0" {
		t.Errorf("fourth = %d, remaining %s", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
}

func TestStatusesAndTheWebBlob(t *testing.T) {
	s := New(t)
	s.AddToken("tok", "bot")
	r := s.Repo("acme/models")
	r.ServeFiles(func(ref, path string) ([]byte, bool) {
		if ref == "assay/results" && path == "reports/pr-1/x.md" {
			return []byte("# report"), true
		}
		return nil, false
	})
	sha := strings.Repeat("a", 40)
	s.Expect(CreateStatus).Times(3)
	s.Expect(WebBlob).Times(2)
	ok := `{"state":"failure","context":"assay","description":"val_acc fell","target_url":"https://example.com/x"}`
	if resp, body := do(t, "POST", s.URL()+"repos/acme/models/statuses/"+sha, "tok", ok); resp.StatusCode != 201 {
		t.Errorf("status = %d %s", resp.StatusCode, body)
	}
	long := fmt.Sprintf(`{"state":"success","context":"assay","description":%q}`, strings.Repeat("d", 141))
	if resp, _ := do(t, "POST", s.URL()+"repos/acme/models/statuses/"+sha, "tok", long); resp.StatusCode != 422 {
		t.Errorf("a 141-character description = %d, want 422", resp.StatusCode)
	}
	if resp, _ := do(t, "POST", s.URL()+"repos/acme/models/statuses/"+sha, "tok", `{"state":"done"}`); resp.StatusCode != 422 {
		t.Errorf("an unknown state = %d, want 422", resp.StatusCode)
	}
	st := r.Statuses(sha)
	if len(st) != 1 || st[0].State != "failure" || st[0].Context != "assay" || st[0].Creator != "bot" {
		t.Errorf("statuses = %+v", st)
	}
	if resp, body := do(t, "GET", s.WebURL()+"/acme/models/blob/assay/results/reports/pr-1/x.md", "", ""); resp.StatusCode != 200 || body != "# report" {
		t.Errorf("blob = %d %q", resp.StatusCode, body)
	}
	if resp, _ := do(t, "GET", s.WebURL()+"/acme/models/blob/assay/results/reports/pr-1/y.md", "", ""); resp.StatusCode != 404 {
		t.Errorf("a missing blob = %d, want 404", resp.StatusCode)
	}
}

func TestPermissionsAndPushes(t *testing.T) {
	s := New(t)
	s.AddToken("tok", "bot")
	r := s.Repo("acme/models")
	n := r.AddPullRequest(PullRequest{HeadSHA: strings.Repeat("a", 40), HeadRepo: "mallory/models"})
	r.SetRole("Alice", "maintain")
	r.SetRole("tess", "triage")
	r.SetRole("root", "admin")
	s.Expect(GetPermission).Times(4)
	s.Expect(GetPull).Times(1)
	for login, want := range map[string]string{
		"alice": `"permission":"write","role_name":"maintain"`,
		"tess":  `"permission":"read","role_name":"triage"`,
		"root":  `"permission":"admin","role_name":"admin"`,
		"guest": `"permission":"read","role_name":"read"`,
	} {
		resp, body := do(t, "GET", s.URL()+"repos/acme/models/collaborators/"+login+"/permission", "tok", "")
		if resp.StatusCode != 200 || !strings.Contains(body, want) || !strings.Contains(body, `"login":"`+login+`"`) {
			t.Errorf("%s: %d %s, want %s", login, resp.StatusCode, body, want)
		}
	}
	r.Push(n, strings.Repeat("b", 40))
	_, body := do(t, "GET", s.URL()+"repos/acme/models/pulls/1", "tok", "")
	if !strings.Contains(body, `"sha":"`+strings.Repeat("b", 40)) {
		t.Errorf("after a push the pull request is %s", body)
	}
	if !strings.Contains(string(r.PullRequestEvent("synchronize", n)), strings.Repeat("b", 40)) {
		t.Error("the event after a push does not carry the new head")
	}
}
