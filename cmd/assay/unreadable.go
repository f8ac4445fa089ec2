package main

import (
	"errors"
	"fmt"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
)

// refuseUnreadable stops plan and run when a trial they would run has a
// record on the results branch that cannot be read: it may hold a
// succeeded run, and running the trial again without a word would hide
// the damage. anyway is --rerun (or --scheduled), which runs the trials
// whatever is recorded, so the records do not matter.
func refuseUnreadable(rec runner.Recorded, plan *runner.Plan, anyway bool) error {
	if anyway {
		return nil
	}
	store := storeOf(rec)
	if store == nil {
		return nil
	}
	keys := map[string]bool{}
	for _, t := range append(plan.ToRun(), plan.BaseToRun()...) {
		keys[t.Key] = true
	}
	return explainUnreadable(store.UnreadableKeys(keys),
		"Without them assay cannot tell whether those trials already have a result: repair or remove the file with a commit on the results branch, or run the trials anyway with --rerun.")
}

// storeOf finds the results store among the places a plan looks.
func storeOf(rec runner.Recorded) *results.Store {
	switch r := rec.(type) {
	case *results.Store:
		return r
	case recordedHistory:
		return storeOf(r.AnyRecorded)
	case runner.AnyRecorded:
		for _, x := range r {
			if s := storeOf(x); s != nil {
				return s
			}
		}
	}
	return nil
}

// explainUnreadable adds what to do to an *results.UnreadableError.
func explainUnreadable(err error, what string) error {
	var ue *results.UnreadableError
	if errors.As(err, &ue) {
		return fmt.Errorf("%w\n%s", err, what)
	}
	return err
}

// unreadableCompared stops compare and report when a trial they compare
// has a record that cannot be read: the comparison would call it missing.
func unreadableCompared(store *results.Store, in compare.Input) error {
	keys := map[string]bool{}
	for _, e := range in.Experiments {
		for _, side := range []*compare.SideInput{e.Base, e.Head} {
			if side == nil {
				continue
			}
			for _, t := range side.Trials {
				keys[t.Key] = true
			}
		}
	}
	return explainUnreadable(store.UnreadableKeys(keys),
		"Without them the comparison would call those trials missing: repair or remove the file with a commit on the results branch, then compare again.")
}
