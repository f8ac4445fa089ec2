//go:build race

package local

// raceEnabled: the race detector's own allocations make allocation
// counts meaningless.
const raceEnabled = true
