package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/istio-mab/istio-mab/recipes"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// namedContexts points the base images one variant's build reaches at
// baseRegistry. Only what the variant reaches: upstream pins proxyv2's
// distroless stage by digest, and a mirror holding only the debug base must
// still serve a debug build, which never pulls that stage.
func namedContexts(r recipes.Recipe, baseRegistry string, f Facts, spec recipes.Image, variant string, args map[string]string) (map[string]string, error) {
	if baseRegistry == r.BaseRegistry {
		return nil, nil
	}
	refs, err := variantBases(r, f, spec, variant, args)
	if err != nil {
		return nil, err
	}
	// Any upstream base registry, not only this line's: a newer source than
	// the recipe may already use the next line's registry.
	upstreams, err := recipes.BaseRegistries()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, ref := range refs {
		for _, upstream := range upstreams {
			if rest, ok := strings.CutPrefix(ref, upstream+"/"); ok {
				out[ref] = "docker-image://" + baseRegistry + "/" + rest
			}
		}
	}
	return out, nil
}

// variantBases are the FROMs the variant's build reaches, read from the
// source's Dockerfile when known, else the recipe's base for the variant.
func variantBases(r recipes.Recipe, f Facts, spec recipes.Image, variant string, args map[string]string) ([]string, error) {
	df, ok := f.Dockerfiles[spec.Dockerfile]
	if !ok || len(df.Stages) == 0 {
		return []string{r.BaseRegistry + "/" + spec.Bases[variant] + ":" + f.BaseVersion}, nil
	}
	refs, err := ReachedBases(df, args)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec.Dockerfile, err)
	}
	return refs, nil
}

// ReachedBases lists the images a build of the Dockerfile's last stage pulls
// with these build args, as BuildKit's Dockerfile frontend does: it follows
// FROM and COPY --from through earlier stages and skips stages not reached.
func ReachedBases(df Dockerfile, args map[string]string) ([]string, error) {
	w := stageWalk{df: df, env: shell.EnvsFromSlice(fromEnv(df.MetaArgs, args)), visited: map[int]bool{}, seen: map[string]bool{}}
	if len(df.Stages) == 0 {
		return nil, nil
	}
	if err := w.visit(len(df.Stages) - 1); err != nil {
		return nil, err
	}
	return w.out, nil
}

// FinalConfig is what a build of the Dockerfile's last stage with these
// build args sets in the image config: the last stage's USER, ENTRYPOINT and
// CMD over those of the stages its FROM chain starts from. What no stage of
// the chain sets comes from the base image and is not in the result.
func FinalConfig(df Dockerfile, args map[string]string) (Config, error) {
	env := shell.EnvsFromSlice(fromEnv(df.MetaArgs, args))
	w := stageWalk{df: df}
	lex := shell.NewLex('\\')
	var chain []int
	for i, ok := len(df.Stages)-1, len(df.Stages) > 0; ok; {
		chain = append(chain, i)
		ref, _, err := lex.ProcessWord(df.Stages[i].From, env)
		if err != nil {
			return Config{}, fmt.Errorf("expanding %s: %w", df.Stages[i].From, err)
		}
		i, ok = w.earlierStage(ref, i, false)
	}
	var out Config
	for _, i := range slices.Backward(chain) {
		c := df.Stages[i].Config
		if c.User != nil {
			out.User = c.User
		}
		if c.Entrypoint != nil {
			out.Entrypoint = c.Entrypoint
		}
		if c.Cmd != nil {
			out.Cmd = c.Cmd
		}
	}
	return out, nil
}

type stageWalk struct {
	df      Dockerfile
	env     shell.EnvGetter
	visited map[int]bool
	seen    map[string]bool
	out     []string
}

func (w *stageWalk) visit(i int) error {
	if w.visited[i] {
		return nil
	}
	w.visited[i] = true
	st := w.df.Stages[i]
	lex := shell.NewLex('\\')
	for n, raw := range append([]string{st.From}, st.CopyFrom...) {
		ref, _, err := lex.ProcessWord(raw, w.env)
		if err != nil {
			return fmt.Errorf("expanding %s: %w", raw, err)
		}
		if j, ok := w.earlierStage(ref, i, n > 0); ok {
			if err := w.visit(j); err != nil {
				return err
			}
			continue
		}
		if ref != "scratch" && !w.seen[ref] {
			w.seen[ref] = true
			w.out = append(w.out, ref)
		}
	}
	return nil
}

// earlierStage finds the stage a FROM or COPY --from names; only COPY
// --from may name one by its index.
func (w *stageWalk) earlierStage(ref string, before int, byIndex bool) (int, bool) {
	for j := 0; j < before; j++ {
		if name := w.df.Stages[j].Name; name != "" && name == strings.ToLower(ref) {
			return j, true
		}
	}
	if j, err := strconv.Atoi(ref); byIndex && err == nil && j >= 0 && j < before {
		return j, true
	}
	return 0, false
}

// fromEnv is what FROM lines see: the ARGs declared before the first FROM,
// each with its build arg when given, else its default. Build args the
// Dockerfile does not declare there do not reach FROM.
func fromEnv(meta, args map[string]string) []string {
	given := map[string]string{}
	for k := range meta {
		if a, ok := args[k]; ok {
			given[k] = a
		}
	}
	return Env(meta, given)
}
