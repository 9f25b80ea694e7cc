// Package screening holds the published rules that tell an officer whether what they observed
// meets the definitions of human trafficking, forced labour and child labour, and the engine
// that applies them.
//
// The rules are data, not code: versioned JSON rulebooks embedded in the binary (one per
// framework, see the rulebooks directory), which a deployment may override or extend with its
// own file. Every rule and parameter names its source and a confidence tag; those the reference
// marks as still to verify are flagged in the rulebook and in every result that relies on them,
// so that a deployment can correct them without a release.
//
// The engine is pure: no database, no clock, no randomness. The same input and the same
// rulebook version always give the same Result, which carries both, so that a stored screening
// can be reproduced and re-rendered years later. A result supports the officer's judgement; it
// is never a legal determination.
package screening
