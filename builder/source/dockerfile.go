package source

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// BaseImages lists the image references a Dockerfile's stages start FROM,
// with ARGs expanded (their defaults, overridden by args), leaving out
// earlier stages and scratch. The references are exactly what the Dockerfile
// frontend resolves, so named contexts keyed by them redirect the bases even
// when a Dockerfile pins one by digest.
func BaseImages(dockerfile []byte, args map[string]string) ([]string, error) {
	ast, err := parser.Parse(bytes.NewReader(dockerfile))
	if err != nil {
		return nil, fmt.Errorf("parsing Dockerfile: %w", err)
	}
	stages, metaArgs, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return nil, fmt.Errorf("parsing Dockerfile: %w", err)
	}
	env := argEnv(metaArgs, args)
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

// argEnv gives the ARGs before the first FROM their defaults, then the build args.
func argEnv(metaArgs []instructions.ArgCommand, args map[string]string) []string {
	vals := map[string]string{}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				vals[kv.Key] = *kv.Value
			}
		}
	}
	for k, v := range args {
		vals[k] = v
	}
	env := make([]string, 0, len(vals))
	for k, v := range vals {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}
