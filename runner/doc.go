// Package runner plans and runs trials.
//
// It reads specs at a git commit (or the working tree), fingerprints each
// experiment's inputs, decides which trials a change touches (an
// experiment changed iff its set of trial keys differs between base and
// head), shards them for fan-out, and executes them through an executor.
// Each finished trial becomes a Result handed to a Sink.
//
// runner never imports reporter: where the plan needs to know what is
// already recorded it asks a Recorded, which the results store satisfies
// and cmd wires in.
//
// # Secrets
//
// Every executor applies one environment rule (Inherits): credential-
// looking names (CredentialName, matched anywhere in the name) reach a
// trial only through secret_env or pass_env, assay's own credentials
// (OwnCredentials) never. A secret_env value comes from assay's
// environment, else from ASSAY_SECRETS (SecretEnv). A batch's Mask hides
// every secret value: executors apply it where they capture output and
// build the result, and MaskSink applies it to whatever reaches the sink
// unmasked, so everything recorded, and so everything built from records,
// is clean. Values under MinSecretLength characters are not masked.
package runner
