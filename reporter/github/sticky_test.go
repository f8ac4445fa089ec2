package github

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/github/fakegithub"
)

func body(s string) string { return Marker + "\n" + s }

func TestStickyOnPageTwoIsEditedNotDuplicated(t *testing.T) {
	env := newTestEnv(t)
	pr := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('a')})
	var ours int64
	for i := range 150 {
		if i == 120 {
			ours = env.repo.AddComment(pr, testLogin, body("old report"))
			continue
		}
		env.repo.AddComment(pr, "alice", fmt.Sprintf("review comment %d", i))
	}
	env.gh.Expect(fakegithub.GetUser).Times(1)
	env.gh.Expect(fakegithub.ListComments).Times(2)
	env.gh.Expect(fakegithub.EditComment).Times(1)

	res, err := env.client.UpsertComment(context.Background(), pr, body("new report"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != "updated" || res.ID != ours {
		t.Errorf("result = %+v, want our comment %d updated", res, ours)
	}
	comments := env.repo.Comments(pr)
	if len(comments) != 150 {
		t.Fatalf("%d comments, want 150: nothing created", len(comments))
	}
	for _, c := range comments {
		switch {
		case c.ID == ours && c.Body != body("new report"):
			t.Errorf("our comment = %q", c.Body)
		case c.ID != ours && strings.Contains(c.Body, "report"):
			t.Errorf("comment %d by %s was changed: %q", c.ID, c.User, c.Body)
		}
	}
	lists := env.gh.CallsTo(fakegithub.ListComments)
	if !strings.Contains(lists[1].Path, "page=2") || !strings.Contains(lists[0].Path, "per_page=100") {
		t.Errorf("list calls = %q, %q; want 100 a page, then page 2", lists[0].Path, lists[1].Path)
	}
	if want := fmt.Sprintf("#issuecomment-%d", ours); !strings.HasSuffix(res.URL, want) {
		t.Errorf("URL = %s, want it to end %s", res.URL, want)
	}
}

func TestCommentsThatQuoteTheMarkerAreNeverTouched(t *testing.T) {
	env := newTestEnv(t)
	pr := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('a')})
	quoted := "Why does the bot write\n> " + Marker + "\nat the top?"
	impostor := body("I copied the bot's comment")
	laterLine := "Our own account, but the marker is not the first line:\n" + Marker
	ids := []int64{
		env.repo.AddComment(pr, "alice", quoted),
		env.repo.AddComment(pr, "mallory", impostor),
		env.repo.AddComment(pr, testLogin, laterLine),
	}
	env.gh.Expect(fakegithub.GetUser).Times(1)
	env.gh.Expect(fakegithub.ListComments).Times(1)
	env.gh.Expect(fakegithub.CreateComment).Times(1)

	res, err := env.client.UpsertComment(context.Background(), pr, body("report"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != "created" {
		t.Errorf("action = %s, want created", res.Action)
	}
	for i, want := range []string{quoted, impostor, laterLine} {
		if c, ok := env.repo.Comment(ids[i]); !ok || c.Body != want {
			t.Errorf("comment %d = %q, %v; want it untouched", ids[i], c.Body, ok)
		}
	}
	if n := len(env.repo.Comments(pr)); n != 4 {
		t.Errorf("%d comments, want 4", n)
	}
}

func TestActionsTokenFindsTheBotsComment(t *testing.T) {
	env := newTestEnv(t)
	env.gh.AddActionsToken("ghs_actions")
	env.cfg.Token = "ghs_actions"
	client := env.newClient(t, RetryPolicy{})
	pr := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('a')})
	env.repo.AddComment(pr, testLogin, body("a report by another bot account"))
	bots := env.repo.AddComment(pr, fakegithub.ActionsBot, body("old"))
	env.gh.Expect(fakegithub.GetUser).Times(1)
	env.gh.Expect(fakegithub.ListComments).Times(1)
	env.gh.Expect(fakegithub.EditComment).Times(1)

	res, err := client.UpsertComment(context.Background(), pr, body("new"))
	if err != nil {
		t.Fatal(err)
	}
	if res.ID != bots {
		t.Errorf("edited %d, want the github-actions[bot] comment %d", res.ID, bots)
	}
	if c, _ := env.repo.Comment(bots); c.Body != body("new") {
		t.Errorf("bot comment = %q", c.Body)
	}
}

func TestAnUnchangedCommentIsNotEdited(t *testing.T) {
	env := newTestEnv(t)
	pr := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('a')})
	env.repo.AddComment(pr, testLogin, body("same"))
	env.gh.Expect(fakegithub.GetUser).Times(1)
	env.gh.Expect(fakegithub.ListComments).Times(1)
	// No EditComment expected: an edit would fail the test.
	res, err := env.client.UpsertComment(context.Background(), pr, body("same"))
	if err != nil || res.Action != "unchanged" {
		t.Fatalf("res = %+v, err = %v", res, err)
	}
}

func TestDuplicateStickyCommentsAreRemoved(t *testing.T) {
	env := newTestEnv(t)
	pr := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('a')})
	first := env.repo.AddComment(pr, testLogin, body("first"))
	dup := env.repo.AddComment(pr, testLogin, body("second"))
	env.gh.Expect(fakegithub.GetUser).Times(1)
	env.gh.Expect(fakegithub.ListComments).Times(1)
	env.gh.Expect(fakegithub.EditComment).Times(1)
	env.gh.Expect(fakegithub.DeleteComment).Times(1)
	res, err := env.client.UpsertComment(context.Background(), pr, body("new"))
	if err != nil {
		t.Fatal(err)
	}
	if res.ID != first || res.Removed != 1 {
		t.Errorf("res = %+v, want %d kept and one removed", res, first)
	}
	if _, ok := env.repo.Comment(dup); ok {
		t.Error("the duplicate is still there")
	}
}

func TestLoginOverrideSkipsUserLookup(t *testing.T) {
	env := newTestEnv(t)
	env.cfg.Login = "my-app[bot]"
	client := env.newClient(t, RetryPolicy{})
	pr := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('a')})
	app := env.repo.AddComment(pr, "my-app[bot]", body("old"))
	env.gh.Expect(fakegithub.ListComments).Times(1)
	env.gh.Expect(fakegithub.EditComment).Times(1)
	res, err := client.UpsertComment(context.Background(), pr, body("new"))
	if err != nil || res.ID != app {
		t.Fatalf("res = %+v, err = %v; want %d edited", res, err, app)
	}
}

func TestABodyWithoutTheMarkerIsRefused(t *testing.T) {
	env := newTestEnv(t)
	_, err := env.client.UpsertComment(context.Background(), 1, "no marker")
	if err == nil || !strings.Contains(err.Error(), Marker) {
		t.Errorf("err = %v", err)
	}
}

func TestBadTokenIsExplained(t *testing.T) {
	env := newTestEnv(t)
	env.cfg.Token = "expired"
	client := env.newClient(t, RetryPolicy{})
	env.gh.Expect(fakegithub.GetUser).Times(1)
	_, err := client.UpsertComment(context.Background(), 1, body("x"))
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "GITHUB_TOKEN") {
		t.Errorf("err = %v", err)
	}
}

// TestADuplicateDeletedMeanwhileIsNoError: a duplicate comment someone
// deleted before assay did (404) is gone, as assay wanted; any other
// refusal is reported with what assay was doing.
func TestADuplicateDeletedMeanwhileIsNoError(t *testing.T) {
	for _, c := range []struct {
		fault fakegithub.Fault
		err   string
	}{
		{fakegithub.NotFound(), ""},
		{fakegithub.Forbidden("Must have admin rights to Repository."), "deleting duplicate report comment"},
	} {
		env := newTestEnv(t)
		pr := env.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: sha('a')})
		first := env.repo.AddComment(pr, testLogin, body("first"))
		env.repo.AddComment(pr, testLogin, body("second"))
		env.gh.Expect(fakegithub.GetUser).Times(1)
		env.gh.Expect(fakegithub.ListComments).Times(1)
		env.gh.Expect(fakegithub.EditComment).Times(1)
		env.gh.Expect(fakegithub.DeleteComment).Times(1).Fail(c.fault)
		res, err := env.client.UpsertComment(context.Background(), pr, body("new"))
		if c.err == "" {
			if err != nil || res.ID != first || res.Removed != 1 {
				t.Errorf("a duplicate already deleted: res = %+v, err = %v; want it counted as removed", res, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "403") {
			t.Errorf("a refused delete: err = %v, want it reported", err)
		}
	}
}
