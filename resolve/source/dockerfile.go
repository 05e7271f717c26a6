package source

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/istio-mab/istio-mab/plan"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// ReadDockerfile reads what the plan needs from a Dockerfile: its base
// images, with args applied, and the context paths it copies, unexpanded.
func ReadDockerfile(dockerfile []byte, args map[string]string) (plan.Dockerfile, error) {
	ast, err := parser.Parse(bytes.NewReader(dockerfile))
	if err != nil {
		return plan.Dockerfile{}, fmt.Errorf("parsing Dockerfile: %w", err)
	}
	stages, metaArgs, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return plan.Dockerfile{}, fmt.Errorf("parsing Dockerfile: %w", err)
	}
	bases, err := baseImages(stages, argEnv(metaArgs, args))
	if err != nil {
		return plan.Dockerfile{}, err
	}
	copies, defaults := contextCopies(stages)
	for k, v := range argDefaults(metaArgs) {
		defaults[k] = v
	}
	return plan.Dockerfile{BaseImages: bases, Copies: copies, ArgDefaults: defaults, Stages: stageGraph(stages), MetaArgs: declared(metaArgs)}, nil
}

// declared maps every ARG to its default, "" when it has none: a build arg
// reaches FROM only through an ARG declared before the first FROM.
func declared(args []instructions.ArgCommand) map[string]string {
	out := map[string]string{}
	for _, a := range args {
		for _, kv := range a.Args {
			out[kv.Key] = ""
			if kv.Value != nil {
				out[kv.Key] = *kv.Value
			}
		}
	}
	return out
}

// stageGraph records each stage's FROM and COPY --from unexpanded: which
// stages a build reaches depends on its build args (BASE_DISTRIBUTION picks
// the final stage's base), so the plan expands them per image variant.
func stageGraph(stages []instructions.Stage) []plan.Stage {
	out := make([]plan.Stage, 0, len(stages))
	for _, st := range stages {
		s := plan.Stage{Name: strings.ToLower(st.Name), From: st.BaseName, Config: stageConfig(st)}
		for _, cmd := range st.Commands {
			if c, ok := cmd.(*instructions.CopyCommand); ok && c.From != "" {
				s.CopyFrom = append(s.CopyFrom, c.From)
			}
		}
		out = append(out, s)
	}
	return out
}

// stageConfig is what the stage's USER, ENTRYPOINT and CMD set, as the
// Dockerfile frontend applies them: a shell form runs under /bin/sh -c, and
// ENTRYPOINT clears the CMD unless the stage sets one before it.
func stageConfig(st instructions.Stage) plan.Config {
	var c plan.Config
	cmdSet := false
	for _, cmd := range st.Commands {
		switch x := cmd.(type) {
		case *instructions.UserCommand:
			c.User = &x.User
		case *instructions.EntrypointCommand:
			c.Entrypoint = execForm(x.ShellDependantCmdLine)
			if !cmdSet {
				c.Cmd = []string{}
			}
		case *instructions.CmdCommand:
			c.Cmd, cmdSet = execForm(x.ShellDependantCmdLine), true
		}
	}
	return c
}

func execForm(l instructions.ShellDependantCmdLine) []string {
	if l.PrependShell {
		return []string{"/bin/sh", "-c", strings.Join(l.CmdLine, " ")}
	}
	return append([]string{}, l.CmdLine...)
}

// contextCopies lists the build-context paths of COPY and ADD (not --from),
// and the defaults of ARGs declared inside stages.
func contextCopies(stages []instructions.Stage) ([]string, map[string]string) {
	var copies []string
	defaults := map[string]string{}
	for _, st := range stages {
		for _, cmd := range st.Commands {
			switch c := cmd.(type) {
			case *instructions.CopyCommand:
				if c.From == "" {
					copies = append(copies, c.SourcePaths...)
				}
			case *instructions.AddCommand:
				copies = append(copies, c.SourcePaths...)
			case *instructions.ArgCommand:
				for k, v := range argDefaults([]instructions.ArgCommand{*c}) {
					defaults[k] = v
				}
			}
		}
	}
	return copies, defaults
}

// baseImages lists the image references the stages start FROM, ARGs
// expanded, leaving out earlier stages and scratch. They are exactly what the
// Dockerfile frontend resolves, so named contexts keyed by them redirect the
// bases even when a Dockerfile pins one by digest.
func baseImages(stages []instructions.Stage, env []string) ([]string, error) {
	lex := shell.NewLex('\\')
	stageNames := map[string]bool{}
	seen := map[string]bool{}
	var out []string
	for _, st := range stages {
		base, _, err := lex.ProcessWord(st.BaseName, shell.EnvsFromSlice(env))
		if err != nil {
			return nil, fmt.Errorf("expanding FROM %s: %w", st.BaseName, err)
		}
		if !stageNames[strings.ToLower(base)] && base != "scratch" && !seen[base] {
			seen[base] = true
			out = append(out, base)
		}
		stageNames[strings.ToLower(st.Name)] = true
	}
	return out, nil
}

func argDefaults(args []instructions.ArgCommand) map[string]string {
	vals := map[string]string{}
	for _, a := range args {
		for _, kv := range a.Args {
			if kv.Value != nil {
				vals[kv.Key] = *kv.Value
			}
		}
	}
	return vals
}

// argEnv gives the ARGs before the first FROM their defaults, then the build args.
func argEnv(metaArgs []instructions.ArgCommand, args map[string]string) []string {
	return plan.Env(argDefaults(metaArgs), args)
}
