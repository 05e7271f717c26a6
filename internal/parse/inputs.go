package parse

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/recipes"
)

// Source treats an existing directory as a local tree, a path-like value
// that does not exist as a mistake, anything else as a git URL at the
// version's tag.
func Source(s, version string) (plan.Source, error) {
	if st, err := os.Stat(s); err == nil && st.IsDir() {
		return plan.Source{Dir: s}, nil
	}
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "~") {
		return plan.Source{}, fmt.Errorf("--source %s: no such directory; give an Istio checkout or a git URL", s)
	}
	return plan.Source{GitURL: s, Ref: "refs/tags/" + version}, nil
}

// GoChoice checks --go's form (empty: the default); the recipe turns it
// into an image before the build.
func GoChoice(choice, goImage string) error {
	if choice != "" && goImage != "" {
		return errors.New("--go and --go-image both choose the Go builder: give one")
	}
	_, err := recipes.GoImage(recipes.Recipe{}, "", choice)
	if err != nil && choice != recipes.GoUpstream {
		return err
	}
	return nil
}

// Go reads the module download settings, from the flags and from the go
// variables of the environment istio-mab runs in.
func Go(proxy, caBundle, netrc string) (plan.Go, error) {
	g := plan.Go{Proxy: proxy, CABundle: caBundle, Netrc: netrc}
	if g.Proxy == "" {
		g.Proxy = os.Getenv("GOPROXY")
	}
	for _, k := range plan.GoEnvNames {
		if v, ok := os.LookupEnv(k); ok {
			if g.Env == nil {
				g.Env = map[string]string{}
			}
			g.Env[k] = v
		}
	}
	for flag, path := range map[string]string{"--ca-bundle": g.CABundle, "--netrc": g.Netrc} {
		if path == "" {
			continue
		}
		if _, err := os.Stat(path); err != nil {
			return plan.Go{}, fmt.Errorf("%s %s: %w", flag, path, err)
		}
	}
	return g, nil
}

// AtLeastOne refuses a count below 1, naming its flag.
func AtLeastOne(flag string, n int) error {
	if n < 1 {
		return fmt.Errorf("%s %d: want at least 1", flag, n)
	}
	return nil
}

// Progress checks a --progress mode.
func Progress(mode string) error {
	if !slices.Contains(buildkit.Modes, mode) {
		return fmt.Errorf("--progress %q: use one of %s", mode, strings.Join(buildkit.Modes, ", "))
	}
	return nil
}
