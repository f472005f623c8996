// Package apitest is `apibuilder test`: end-to-end checks generated from a
// project's own routes.yaml, run against its API deployed on the local
// stack or on AWS. For every route it calls the happy path (a request
// built from the route's examples or its schemas, whose answer must match
// the response schema) and each guarantee API Gateway gives in front of
// the function (schema violations, missing parameters, API keys, Lambda
// authorizers, usage-plan limits, CORS), then checks that a re-plan is
// empty. It needs no test code from the project's authors.
package apitest
