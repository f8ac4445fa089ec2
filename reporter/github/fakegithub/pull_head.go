package fakegithub

// PushToPullRequest moves a pull request's head to sha, as a push to its
// branch does (the event of that push is PullRequestEvent("synchronize")).
func (r *Repo) PushToPullRequest(number int, sha string) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	is := r.issues[number]
	if is == nil || is.PR == nil {
		r.s.t.Fatalf("fakegithub: %s#%d is not a pull request", r.FullName(), number)
	}
	is.PR.HeadSHA = sha
	is.Updated = r.s.now()
}
