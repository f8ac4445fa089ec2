package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A history that cannot be read is an error once a search asks for it,
// never an empty history: a search replayed from nothing would propose
// its first rounds again. A history nobody asked for costs nothing and
// fails nothing.
func TestSearchHistoryUnreadableIsAnError(t *testing.T) {
	dir := t.TempDir()
	blocked := filepath.Join(dir, "spool")
	if err := os.WriteFile(blocked, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newSearchHistory(nil, blocked)
	if err := h.Err(); err != nil {
		t.Fatalf("before any search asked: %v", err)
	}
	if runs := h.Runs("k"); runs != nil {
		t.Errorf("runs %v from an unreadable history", runs)
	}
	err := h.Err()
	if err == nil || !strings.Contains(err.Error(), "cannot read the history searches are replayed from") {
		t.Fatalf("Err() = %v, want the unreadable spool named", err)
	}
}
