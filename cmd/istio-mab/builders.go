package main

import (
	"fmt"
	"github.com/istio-mab/istio-mab/resolve"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// nodeSpec is one BuildKit node as the user named it.
type nodeSpec struct {
	address string
	tls     buildkit.TLS
}

const builderHelp = "PLATFORM=ADDRESS[,ca=FILE,cert=FILE,key=FILE,servername=NAME]: the BuildKit node that builds PLATFORM's images\n" +
	"(repeatable; any address BuildKit accepts: tcp://, unix://, kube-pod://, docker-container://, ssh://;\n" +
	"ca/cert/key are mTLS files for tcp://). Overrides platforms.yaml's builders; other platforms use --buildkit-addr"

func registerBuilderFlags(cmd *cobra.Command) {
	cmd.Flags().StringArray("builder", nil, builderHelp)
}

// parseNodes returns the default node first, then one per named platform,
// each address once, and their TLS settings by address.
func parseNodes(fl *pflag.FlagSet) ([]resolve.NodeRequest, map[string]buildkit.TLS, error) {
	def, err := parseNode("--buildkit-addr", buildkitAddr(getString(fl, "buildkit-addr")))
	if err != nil {
		return nil, nil, err
	}
	named, err := namedBuilders(getStrings(fl, "builder"), getString(fl, "platforms-file"))
	if err != nil {
		return nil, nil, err
	}
	nodes := []resolve.NodeRequest{{Address: def.address}}
	tls := map[string]buildkit.TLS{def.address: def.tls}
	for _, key := range slices.Sorted(maps.Keys(named)) {
		spec := named[key]
		i := slices.IndexFunc(nodes, func(n resolve.NodeRequest) bool { return n.Address == spec.address })
		if i < 0 {
			i = len(nodes)
			nodes = append(nodes, resolve.NodeRequest{Address: spec.address})
			tls[spec.address] = spec.tls
		}
		if i > 0 {
			nodes[i].For = append(nodes[i].For, platforms.MustParse(key))
		}
	}
	return nodes, tls, nil
}

// namedBuilders are platforms.yaml's builders, overridden by --builder.
func namedBuilders(flags []string, file string) (map[string]nodeSpec, error) {
	out := map[string]nodeSpec{}
	fromFile, err := fileBuilders(file)
	if err != nil {
		return nil, err
	}
	for _, pair := range append(fromFile, flags...) {
		key, value, ok := strings.Cut(pair, "=")
		pl, perr := platforms.Parse(key)
		if !ok || perr != nil || value == "" {
			return nil, fmt.Errorf("--builder %q: want PLATFORM=ADDRESS, e.g. linux/arm64=tcp://arm64-builder:1234", pair)
		}
		spec, err := parseNode("--builder "+key, value)
		if err != nil {
			return nil, err
		}
		out[platforms.Format(platforms.Normalize(pl))] = spec
	}
	return out, nil
}

// platformsDoc is platforms.yaml, or the --platforms-file replacing it.
type platformsDoc struct {
	Platforms []string          `yaml:"platforms"`
	Builders  map[string]string `yaml:"builders"` // platform -> node address
}

func readPlatformsFile(path string) (platformsDoc, error) {
	data := istiomab.PlatformsYAML
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return platformsDoc{}, fmt.Errorf("--platforms-file: %w", err)
		}
	}
	var doc platformsDoc
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return platformsDoc{}, fmt.Errorf("platforms file %s: want \"platforms:\" (a list) and \"builders:\" (PLATFORM: ADDRESS) (%v)", path, err)
	}
	return doc, nil
}

func fileBuilders(path string) ([]string, error) {
	doc, err := readPlatformsFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(doc.Builders)) {
		out = append(out, k+"="+doc.Builders[k])
	}
	return out, nil
}

// parseNode reads ADDRESS[,ca=FILE,cert=FILE,key=FILE,servername=NAME].
func parseNode(what, s string) (nodeSpec, error) {
	parts := strings.Split(s, ",")
	spec := nodeSpec{address: strings.TrimSpace(parts[0])}
	if !strings.Contains(spec.address, "://") {
		return nodeSpec{}, fmt.Errorf("%s %q: the address needs a scheme, e.g. tcp://host:1234 or unix:///run/buildkit/buildkitd.sock", what, spec.address)
	}
	for _, opt := range parts[1:] {
		k, v, _ := strings.Cut(opt, "=")
		switch k {
		case "ca":
			spec.tls.CA = v
		case "cert":
			spec.tls.Cert = v
		case "key":
			spec.tls.Key = v
		case "servername":
			spec.tls.ServerName = v
		default:
			return nodeSpec{}, fmt.Errorf("%s: unknown option %q: use ca=, cert=, key= or servername=", what, k)
		}
	}
	return spec, nil
}
