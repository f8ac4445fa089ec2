//go:build !linux

package gittest

import "time"

func adoptOrphans() {}

func survivors(time.Duration) []process { return nil }

func killAll([]process) {}
