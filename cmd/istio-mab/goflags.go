package main

import (
	"fmt"
	"os"

	"github.com/istio-mab/istio-mab/plan"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func registerGoFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.String("goproxy", "", "GOPROXY for the one module download (default: $GOPROXY, else "+plan.DefaultGoProxy+");\n"+
		"GONOSUMDB, GONOSUMCHECK, GOPRIVATE, GOSUMDB, GONOPROXY and GOINSECURE pass from the environment")
	fl.String("ca-bundle", "", "PEM file of extra CAs (e.g. a TLS-inspecting proxy's) trusted by the module download\n"+
		"and by istio-mab's own registry calls")
	fl.String("netrc", "", "a .netrc for private modules, given to the module download as a BuildKit secret (never in a layer or the log)")
	fl.Int("compile-jobs", 2, "go builds at once per BuildKit node (each gets its share of the node's CPUs as go build -p; the images' binaries go first)")
}

// goOptions reads the module download settings, from the flags and from
// the go variables of the environment istio-mab runs in.
func goOptions(fl *pflag.FlagSet) (plan.Go, error) {
	g := plan.Go{Proxy: getString(fl, "goproxy"), CABundle: getString(fl, "ca-bundle"), Netrc: getString(fl, "netrc")}
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
	if n := getInt(fl, "compile-jobs"); n < 1 {
		return plan.Go{}, fmt.Errorf("--compile-jobs %d: want at least 1", n)
	}
	return g, nil
}
