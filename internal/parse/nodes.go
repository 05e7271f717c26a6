package parse

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/internal/buildkit"
)

// Node is one BuildKit node as the user named it, and the image platforms
// it builds (none: the default node).
type Node struct {
	Address string
	TLS     buildkit.TLS
	For     []ocispecs.Platform
}

// Nodes returns the default node (--buildkit-addr, else $BUILDKIT_HOST)
// first, then one per platform named by the platforms file's builders or
// --builder, each address once.
func Nodes(addr string, builders []string, file string, embedded []byte) ([]Node, error) {
	def, err := node("--buildkit-addr", buildkitAddr(addr))
	if err != nil {
		return nil, err
	}
	named, err := namedBuilders(builders, file, embedded)
	if err != nil {
		return nil, err
	}
	nodes := []Node{def}
	for _, key := range slices.Sorted(maps.Keys(named)) {
		spec := named[key]
		i := slices.IndexFunc(nodes, func(n Node) bool { return n.Address == spec.Address })
		if i < 0 {
			i = len(nodes)
			nodes = append(nodes, spec)
		}
		if i > 0 {
			nodes[i].For = append(nodes[i].For, platforms.MustParse(key))
		}
	}
	return nodes, nil
}

func buildkitAddr(flag string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("BUILDKIT_HOST"); env != "" {
		return env
	}
	return buildkit.DefaultAddress
}

// namedBuilders are the platforms file's builders, overridden by --builder.
func namedBuilders(flags []string, file string, embedded []byte) (map[string]Node, error) {
	out := map[string]Node{}
	fromFile, err := fileBuilders(file, embedded)
	if err != nil {
		return nil, err
	}
	for _, pair := range append(fromFile, flags...) {
		key, value, ok := strings.Cut(pair, "=")
		pl, perr := platforms.Parse(key)
		if !ok || perr != nil || value == "" {
			return nil, fmt.Errorf("--builder %q: want PLATFORM=ADDRESS, e.g. linux/arm64=tcp://arm64-builder:1234", pair)
		}
		spec, err := node("--builder "+key, value)
		if err != nil {
			return nil, err
		}
		out[platforms.Format(platforms.Normalize(pl))] = spec
	}
	return out, nil
}

func fileBuilders(path string, embedded []byte) ([]string, error) {
	doc, err := readPlatformsFile(path, embedded)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(doc.Builders)) {
		out = append(out, k+"="+doc.Builders[k])
	}
	return out, nil
}

// node reads ADDRESS[,ca=FILE,cert=FILE,key=FILE,servername=NAME].
func node(what, s string) (Node, error) {
	parts := strings.Split(s, ",")
	spec := Node{Address: strings.TrimSpace(parts[0])}
	if !strings.Contains(spec.Address, "://") {
		return Node{}, fmt.Errorf("%s %q: the address needs a scheme, e.g. tcp://host:1234 or unix:///run/buildkit/buildkitd.sock", what, spec.Address)
	}
	for _, opt := range parts[1:] {
		k, v, _ := strings.Cut(opt, "=")
		switch k {
		case "ca":
			spec.TLS.CA = v
		case "cert":
			spec.TLS.Cert = v
		case "key":
			spec.TLS.Key = v
		case "servername":
			spec.TLS.ServerName = v
		default:
			return Node{}, fmt.Errorf("%s: unknown option %q: use ca=, cert=, key= or servername=", what, k)
		}
	}
	return spec, nil
}
