package test

import "testing"

// The tests below run the parts of the suite that mean something on a real
// account — the walking skeleton over the real execute-api URL, and the
// lifecycle with its IAM read-back and leftover check — against AWS, with
// the credentials of the standard chain. They are skipped unless
// APIBUILDER_E2E_AWS=1 (see awsTarget). Local-stack-only parts stay local:
// counting invocations (the skeleton skips that check on AWS), the S3
// backend test (it creates its bucket on kumo) and the side-by-side
// environments test (it reads values the kumo proxy answers for kumo).

func TestAWSWalkingSkeleton(t *testing.T) {
	t.Parallel()
	testWalkingSkeleton(t, awsTarget(t))
}

func TestAWSLifecycle(t *testing.T) {
	t.Parallel()
	testLifecycle(t, awsTarget(t))
}
