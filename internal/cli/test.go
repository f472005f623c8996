package cli

import (
	"context"
	"flag"

	"github.com/apibuilder/apibuilder/apitest"
	"github.com/apibuilder/apibuilder/target"
)

var testCommand = &command{
	name:    "test",
	summary: "deploy to the local stack (or AWS) and test every route",
	usage:   "[-config routes.yaml] [-env dev] [-aws] [-secret ref=value]",
	manual: `    Deploys one environment on the local stack (or, with -aws, to the AWS
    account of the standard credential chain, under a unique API name, and
    destroys it afterwards), then checks, for every route of routes.yaml:

      - the happy path: a request built from the route's request.example and
        request.example_params (or a body built from its request schema),
        with the credentials its authorizer wants, reaches the function and
        gets an answer below 500; a 2xx answer matches response.schema and
        response.status
      - what API Gateway guarantees in front of the function, without
        invoking it: each kind of violation the request schema can show is
        400, a missing required query string or header is 400, a missing or
        unknown API key is 403, a missing token is 401 and a denied one 403,
        a missing request-authorizer identity is 401, an unsigned call to an
        IAM route is 403
      - CORS: the preflight, and the function's own answer to an allowed
        Origin, carry Access-Control-Allow-Origin
      - that terraform plan is empty after the apply
      - each usage plan, made small, answers 429 Limit Exceeded and
        429 Too Many Requests

    Credentials: API keys come from the deployment; a token authorizer's
    test_token (dev only; elsewhere APIBUILDER_TEST_TOKEN_<AUTHORIZER>) and a
    request authorizer's test_identity from routes.yaml; secrets the env
    references are stored on the local stack with -secret or -secrets-file;
    Cognito routes get an unsigned token on the local stack (it does not
    verify signatures) and need APIBUILDER_TEST_TOKEN_<AUTHORIZER> on AWS;
    IAM routes are signed with the credentials of the target. A check that
    cannot run says why (SKIP). The report ends with go test's summary line;
    the exit status is 1 when a check failed.
`,
	flags: func(fs *flag.FlagSet) runFunc {
		cfg := fs.String("config", "routes.yaml", "routes file")
		env := fs.String("env", "dev", "environment to deploy and check")
		onAWS := fs.Bool("aws", false, "deploy to AWS (standard credential chain) instead of the local stack, then destroy")
		var secrets SecretFlag
		fs.Var(&secrets, "secret", "`reference=value`: a secret the env references, stored on the local stack before apply (repeatable)")
		secretsFile := fs.String("secrets-file", "", "file of reference=value lines, stored like -secret")
		return func(ctx context.Context, std *stdio, args []string) int {
			if !noArgs(std, "test", args) {
				return 2
			}
			if *secretsFile != "" {
				more, err := ReadSecretsFile(*secretsFile)
				if err != nil {
					return fail(std, "test", err, "")
				}
				secrets = append(secrets, more...)
			}
			res, err := apitest.Test(ctx, apitest.Options{
				Options: target.Options{Config: *cfg, Env: *env, Out: std.out, Secrets: secrets}, AWS: *onAWS,
			})
			if err != nil {
				return fail(std, "test", err, "")
			}
			if !res.OK() {
				return 1
			}
			return 0
		}
	},
}
