// Package ci holds the tests of the CI scripts in .ci/: that .ci/run fails,
// saying why, when a tool or the test data it needs is missing, that every
// skipped test is listed with its reason, and that the fuzz step runs every
// fuzz target. It has no code of its own.
package ci
