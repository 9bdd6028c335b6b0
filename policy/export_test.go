package policy

// Match exposes the glob matcher to the tests of package policy_test.
var Match = match

// MaxGlobLen is Validate's limit on one glob.
const MaxGlobLen = maxGlobLen
