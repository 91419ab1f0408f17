package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/verify"
)

// partReport is one part's checks, in verify's report of a workspace.
type partReport struct {
	Part     string          `json:"part"`
	Dir      string          `json:"dir"`
	Language string          `json:"language"`
	OK       bool            `json:"ok"`
	Steps    []verify.Result `json:"steps"`
}

// verifyWorkspace checks every part of the workspace with its own plan,
// each in full even when another failed, then, when all passed and they
// are wired, the chain through them: one report.
func verifyWorkspace(ctx context.Context, opts *verifyOptions, rec *project.Record) error {
	env := verify.Environ(opts.Environ())
	var reports []partReport
	var chain []verify.ChainPart
	var failed []string
	chainable, why := true, ""
	for i, p := range rec.Parts {
		dir, err := partDir(opts.Dir, p.Path)
		if err != nil {
			return inputErr(err)
		}
		build, err := os.MkdirTemp("", "scaffold-verify-")
		if err != nil {
			return err
		}
		// The built servers run again in the chain check.
		defer os.RemoveAll(build)
		// The part's own record says how to check it and how it is
		// wired.
		prec, err := project.ReadProjectRecord(dir)
		if err != nil {
			return inputErr(fmt.Errorf("part %s: %w", p.Path, err))
		}
		popts := *opts
		popts.Dir = dir
		plan, err := popts.planOf(ctx, prec, build, env)
		if err != nil {
			return inputErr(fmt.Errorf("part %s: %w", p.Path, err))
		}
		plan.Env = env
		results, runErr := verify.Run(ctx, dir, plan, &progress{w: opts.IO, part: p.Name})
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		reports = append(reports, partReport{Part: p.Path, Dir: dir, Language: plan.Language, OK: runErr == nil, Steps: results})
		if runErr != nil {
			failed = append(failed, p.Path)
			continue
		}
		downstream, _ := prec.Answers["downstream"].(string)
		switch {
		case prec.Answers["workspace"] != true || len(plan.Serve) == 0:
			chainable, why = false, p.Path+" is not wired (its template has no workspace question, or it was answered no)"
		case i+1 < len(rec.Parts) && downstream != rec.Parts[i+1].Name:
			chainable, why = false, fmt.Sprintf("%s calls %q, not the next part %s", p.Path, downstream, rec.Parts[i+1].Name)
		case i+1 == len(rec.Parts) && downstream != "":
			chainable, why = false, fmt.Sprintf("%s, the last part, calls %q", p.Path, downstream)
		}
		cp := verify.ChainPart{Name: prec.Project, Dir: dir, Serve: plan.Serve, Env: plan.ServeEnv(env)}
		if downstream != "" {
			cp.URLVar = urlVar(downstream)
		}
		chain = append(chain, cp)
	}
	var chainResult *verify.Result
	switch {
	case len(failed) > 0:
	case !chainable:
		fmt.Fprintf(opts.IO.ErrOut, "note: the chain was not checked: %s\n", why)
	default:
		fmt.Fprintf(opts.IO.ErrOut, "[chain] GET %s through every part\n", verify.ChainPath)
		r := verify.Chain(ctx, chain)
		(&progress{w: opts.IO}).Done(r)
		chainResult = &r
	}
	ok := len(failed) == 0 && (chainResult == nil || chainResult.Err == "")
	if opts.JSON {
		if err := writeJSON(opts.IO.Out, struct {
			Dir   string         `json:"dir"`
			OK    bool           `json:"ok"`
			Parts []partReport   `json:"parts"`
			Chain *verify.Result `json:"chain"`
		}{opts.Dir, ok, reports, chainResult}); err != nil {
			return err
		}
	} else if ok {
		var total time.Duration
		n := 0
		for _, r := range reports {
			for _, s := range r.Steps {
				total += s.Duration
				n++
			}
		}
		what := ""
		if chainResult != nil {
			total += chainResult.Duration
			what = " and the chain through them"
		}
		fmt.Fprintf(opts.IO.Out, "%s: all %d checks of %d parts%s passed in %s\n", opts.Dir, n, len(reports), what, total.Round(100*time.Millisecond))
	}
	switch {
	case len(failed) > 0:
		var errs []error
		for _, r := range reports {
			for _, s := range r.Steps {
				if s.Err != "" {
					errs = append(errs, fmt.Errorf("part %s: %w", r.Part, &verify.StepError{Result: s}))
				}
			}
		}
		return fmt.Errorf("%s: %d of %d parts failed: %w", opts.Dir, len(failed), len(reports), errors.Join(errs...))
	case chainResult != nil && chainResult.Err != "":
		return fmt.Errorf("%s: %w", opts.Dir, &verify.StepError{Result: *chainResult})
	}
	return nil
}
