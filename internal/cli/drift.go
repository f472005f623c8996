package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/pipeline/drift"
	"github.com/apibuilder/apibuilder/pipeline/plansummary"
	"github.com/apibuilder/apibuilder/target"
	"github.com/apibuilder/apibuilder/tfdriver"
)

var driftCommand = &command{
	name:    "drift",
	summary: "compare the deployed API with the document Terraform applied, naming each difference",
	usage:   "-env <env> [-config routes.yaml]",
	manual: `    The REST API is one OpenAPI document (aws_api_gateway_rest_api's body),
    and the AWS provider never reads the body back: a method changed in the
    console or by another tool (its integration, validator, authorizer, API
    key requirement, parameters, models) and deployed to the stage is
    invisible to terraform plan. drift reads the environment's outputs from
    its state (rest_api_id, stage_name and openapi_body, the document
    Terraform applied), exports the stage from API Gateway (GetExport,
    OpenAPI 3 with the integrations, authorizers and apigateway extensions)
    and compares the two on what API Gateway enforces, leaving out what an
    export adds or drops (servers, info, descriptions and examples, the
    defaults API Gateway fills in, the form of model references). Each
    difference is one line, the stage's value first:

      POST /items: request validator body missing
      GET /items/{id}: integration uri is arn:...:function:other/invocations, the document says arn:...:function:items-dev-get_item/invocations
      DELETE /items/{id}: in the stage but not in routes.yaml

    Run it after terraform plan (the workflow's scheduled drift job runs
    both): plan finds what Terraform reads back, drift what it cannot.
    drift changes nothing. Undo a difference where it was made, or make it
    part of routes.yaml; the next apply that changes the document
    overwrites the whole API with it (PutRestApi, mode overwrite) and
    redeploys the stage.

    The account and credentials are the standard AWS chain's, with the
    caller's AWS_ENDPOINT_URL* honoured as by deploy; reading needs only
    apigateway:GET (the plan role of apibuilder bootstrap). The report
    also goes to $GITHUB_STEP_SUMMARY when it is set.
`,
	footer: `
EXIT STATUS
    0 no drift, 1 drift (the differences on stdout) or an error, 2 a bad
    command line.
`,
	flags: func(fs *flag.FlagSet) runFunc {
		cfg := fs.String("config", "routes.yaml", "routes file")
		env := fs.String("env", "", "environment to check (required)")
		return func(ctx context.Context, std *stdio, args []string) int {
			if *env == "" || len(args) > 0 {
				fmt.Fprintln(std.errOut, "apibuilder drift: name the environment with -env (see -h)")
				return 2
			}
			diffs, what, err := checkDrift(ctx, *cfg, *env)
			if err != nil {
				return fail(std, "drift", err, "")
			}
			fmt.Fprint(std.out, drift.Report(diffs))
			if err := plansummary.Write(drift.Markdown(what, diffs), "", os.Getenv); err != nil {
				return fail(std, "drift", err, "")
			}
			if len(diffs) > 0 {
				fmt.Fprintf(std.errOut, "apibuilder drift: %d difference(s) between %s and the document Terraform applied\n", len(diffs), what)
				return 1
			}
			return 0
		}
	},
}

// checkDrift compares the stage of env with the document its state
// records; what names the stage for the report.
func checkDrift(ctx context.Context, config, env string) (diffs []drift.Difference, what string, err error) {
	// A check run of the generator finds the env's directory and writes
	// nothing; whether its files are up to date is plan's business.
	gen, err := generate.Run(ctx, generate.Options{Config: config, Envs: []string{env}, Check: true})
	if err != nil && !errors.Is(err, generate.ErrStale) {
		return nil, "", err
	}
	st := gen.Stages[0]
	dir := filepath.Join(gen.Root, filepath.FromSlash(st.Dir))
	acct, err := target.AWSAccount(ctx, target.AWSOptions{KeepEndpoints: true})
	if err != nil {
		return nil, "", err
	}
	var log bytes.Buffer // terraform's output, shown when it fails
	ws, err := acct.Workspace(dir, &log)
	if err != nil {
		return nil, "", err
	}
	if err := ws.Init(ctx, nil); err != nil {
		return nil, "", fmt.Errorf("%w\n%s", err, log.String())
	}
	tf, err := tfdriver.Terraform(dir, acct.Terraform, acct.TFEnv, &log)
	if err != nil {
		return nil, "", err
	}
	raw, err := tf.Output(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("terraform output (%s): %w\n%s", st.Dir, err, log.String())
	}
	out, err := driftOutputs(raw, st.Dir, env)
	if err != nil {
		return nil, "", err
	}
	what = fmt.Sprintf("stage %s of REST API %s (%s)", out.stage, out.restAPIID, st.Dir)
	diffs, err = drift.Check(ctx, acct.APIGateway(), out.restAPIID, out.stage, out.body)
	return diffs, what, err
}

type envOutputs struct {
	restAPIID, stage string
	body             []byte
}

// driftOutputs reads what drift needs from the env's outputs: the REST
// API, its stage and the document applied (openapi_body: the JSON as a
// string, or as an object).
func driftOutputs(raw map[string]tfexec.OutputMeta, dir, env string) (*envOutputs, error) {
	str := func(name string) (string, error) {
		meta, ok := raw[name]
		if !ok {
			return "", fmt.Errorf("%s has no output %s in its state: deploy it first (apibuilder deploy -env %s)", dir, name, env)
		}
		var s string
		if err := json.Unmarshal(meta.Value, &s); err != nil || s == "" {
			return "", fmt.Errorf("%s: output %s is %s, want a string", dir, name, meta.Value)
		}
		return s, nil
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("%s has no outputs: its state is empty or not this environment's; deploy it first (apibuilder deploy -env %s)", dir, env)
	}
	id, err := str("rest_api_id")
	if err != nil {
		return nil, err
	}
	stage, err := str("stage_name")
	if err != nil {
		return nil, err
	}
	meta, ok := raw["openapi_body"]
	if !ok {
		return nil, fmt.Errorf("%s has no output openapi_body: it was deployed before its REST API was one OpenAPI body; deploy it with this apibuilder (apibuilder deploy -env %s), then run drift", dir, env)
	}
	body := []byte(meta.Value)
	var s string
	if json.Unmarshal(meta.Value, &s) == nil {
		body = []byte(s)
	}
	return &envOutputs{restAPIID: id, stage: stage, body: body}, nil
}
