package session

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
)

// bootstrapAccount gives the stack's account what an AWS account needs
// before any stage may log: the API Gateway CloudWatch role (the stack's
// API Gateway proxy refuses logging without it, as AWS does). With
// api.cloudwatch_role the generator wrote the account bootstrap, whose
// local copy is applied here as on AWS; without it, the role is set
// directly, as in an account that already has one.
func (s *Session) bootstrapAccount(ctx context.Context, tfLog io.Writer) error {
	dir := filepath.Join(s.Root, filepath.FromSlash(path.Join(WorkDir, "_account")))
	if _, err := os.Stat(filepath.Join(dir, "main.tf")); err != nil {
		arn, err := s.Stack.BootstrapAccount(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(s.opt.Out, "    account: API Gateway CloudWatch role %s (routes.yaml has no api.cloudwatch_role: on AWS the account needs one, see docs/aws.md)\n", arn)
		return nil
	}
	if err := freshState(dir); err != nil {
		return err
	}
	ws, err := s.Stack.Workspace(dir, tfLog)
	if err != nil {
		return err
	}
	if err := ws.Init(ctx, nil); err != nil {
		return err
	}
	if err := ws.Apply(ctx); err != nil {
		return fmt.Errorf("the account bootstrap (envs/_account): %w", err)
	}
	fmt.Fprintln(s.opt.Out, "    account: envs/_account applied (the API Gateway CloudWatch role)")
	return nil
}
