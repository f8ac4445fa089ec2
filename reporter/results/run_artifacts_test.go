package results

import (
	"context"
	"testing"
)

// The oldest run on the branch, the first the index lists, is found when
// it is the one that kept the file.
func TestLatestArtifactOfTheFirstRun(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	first := runWithArtifacts(t, "20260301T120000.000Z-aaaa", "pretrain", map[string]string{"out/model.pt": "v1"})
	later := runWithArtifacts(t, "20260301T130000.000Z-bbbb", "pretrain", map[string]string{"other.txt": "x"})
	later.Result.TrialKey = first.Result.TrialKey
	if _, err := s.Deliver(context.Background(), putRuns(t, s, first, later)); err != nil {
		t.Fatal(err)
	}
	o, ok, err := s.LatestArtifact("pretrain", []string{first.Result.TrialKey}, "out/model.pt")
	if err != nil || !ok || o.RunID != first.Result.RunID || o.SHA256 != first.Result.Manifest[0].SHA256 {
		t.Errorf("LatestArtifact = %+v, %v, %v; want run %s's file", o, ok, err, first.Result.RunID)
	}
}
