// Command echo is a test handler: it answers with an environment variable
// named in the event, or exits the process when asked to crash.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Env   string `json:"env"`
	Crash bool   `json:"crash"`
}

func main() {
	lambda.Start(func(_ context.Context, e event) (map[string]string, error) {
		if e.Crash {
			os.Exit(3)
		}
		return map[string]string{"value": os.Getenv(e.Env)}, nil
	})
}
