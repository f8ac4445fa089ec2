package results

import "testing"

// TestTrailerSegmentIDs: a commit's Assay-Index trailer vouches for its
// records only as the 16 lowercase hex digits of a level-0 id that a
// segment at the tip covers; anything else leaves the commit's records
// to be read. The last trailer of the key is the one read.
func TestTrailerSegmentIDs(t *testing.T) {
	covered := segmentID{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	ed := &stateEdit{st: &indexState{covered: map[segmentID]bool{covered: true}}}
	for _, tc := range []struct {
		hex    string
		id     segmentID // the id read, when it is one
		parsed bool
		ok     bool
	}{
		{hex: "0123456789abcdef", id: covered, parsed: true, ok: true},
		{hex: "fedcba9876543210", id: segmentID{0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10}, parsed: true},
		{hex: "0123456789ABCDEF"},
		{hex: "0123456789abcde"},
		{hex: "0123456789abcdef0"},
		{hex: ""},
		{hex: "0123456789abcdeg"},
		{hex: "g123456789abcdef"},
		{hex: "0g23456789abcdef"}, // a 'g' where the covered id has a 1
		{hex: "0123456789abcd/f"}, // '/' is just before '0'
		{hex: "0123456789abcd:f"}, // ':' is just after '9'
		{hex: "0123456789abcd`f"}, // '`' is just before 'a'
	} {
		id, ok := ed.coveredID(tc.hex)
		if ok != tc.ok || (tc.parsed && id != tc.id) {
			t.Errorf("coveredID(%q) = %x, %v; want %v (id %x)", tc.hex, id, ok, tc.ok, tc.id)
		}
	}
	for _, tc := range []struct{ msg, want string }{
		{"results\n\nAssay-Index: 0123456789abcdef\n", "0123456789abcdef"},
		{"results\n\nAssay-Index: aaaa\nAssay-Index:  bbbb \n", "bbbb"},
		{"results\n\nAssay-Index:cccc\nX-Assay-Index: dddd\n", ""},
		{"results\n", ""},
	} {
		if got := trailerValue(tc.msg, TrailerIndex); got != tc.want {
			t.Errorf("trailerValue(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}
