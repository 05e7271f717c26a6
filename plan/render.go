package plan

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/containerd/platforms"
)

// Render writes the plan as a readable outline: what is compiled and built,
// from which inputs, pushed where. Golden tests and --dry-run print it.
func Render(w io.Writer, p Plan) {
	fmt.Fprintf(w, "version: %s\nhub: %s\nsource: %s\ncommit: %s\nproxy sha: %s\nbase version: %s\n",
		p.Version, p.Hub, sourceString(p.Source), p.Facts.Commit, p.Facts.ProxySHA, p.Facts.BaseVersion)
	for _, warning := range p.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warning)
	}
	fmt.Fprintf(w, "go image: %s (on %s, linkname fix: %t)\npush: %t\n", p.GoImage, platforms.Format(p.BuildPlatform), p.LinknameFix, p.Push)
	renderGo(w, p.Go)
	renderNodes(w, p.Nodes)
	fmt.Fprintln(w, "binaries:")
	for _, b := range p.Binaries {
		fmt.Fprintf(w, "  - %s %s (%s) tags=[%s]\n    ldflags: %s\n", b.Name, platforms.Format(b.Platform), b.Package, strings.Join(b.Tags, ","), b.LDFlags)
		if b.Node != "" {
			fmt.Fprintf(w, "    compiled on: %s (%s) in %s%s\n", b.Node, platforms.Format(b.BuildPlatform), b.GoImage, goVersion(b.GoVersion))
		}
	}
	fmt.Fprintln(w, "images:")
	for _, img := range p.Images {
		renderImage(w, img)
	}
	fmt.Fprintln(w, "archives:")
	for _, a := range p.Archives {
		fmt.Fprintf(w, "  - %s (%s)\n", a.Name, platforms.Format(a.Platform))
	}
}

func renderImage(w io.Writer, img Image) {
	fmt.Fprintf(w, "  - %s (%s) -> %s tags=[%s]\n    dockerfile: %s\n", img.Name, img.Variant, img.Repository, strings.Join(img.Tags, ","), img.Dockerfile)
	renderMap(w, "build args", img.BuildArgs)
	renderMap(w, "base images", img.NamedContexts)
	renderMap(w, "context files", img.Files)
	for _, d := range img.Wasm {
		fmt.Fprintf(w, "    wasm: %s <- %s\n", d.Name, Redact(d.URL))
	}
	for _, ip := range img.Platforms {
		envoy := "none"
		if ip.Envoy != nil {
			envoy = string(ip.Envoy.Kind) + " " + Redact(ip.Envoy.Ref)
			if ip.Envoy.SHA256 != "" {
				envoy += " sha256=" + ip.Envoy.SHA256
			}
		}
		node := ""
		if ip.Node != "" {
			node = " node=" + ip.Node
		}
		fmt.Fprintf(w, "    %s: binaries=[%s] envoy=%s%s\n", platforms.Format(ip.Platform), strings.Join(ip.Binaries, ","), envoy, node)
	}
}

func renderMap(w io.Writer, title string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	fmt.Fprintf(w, "    %s:\n", title)
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		fmt.Fprintf(w, "      %s: %s\n", k, m[k])
	}
}

func sourceString(s Source) string {
	if s.Dir != "" {
		return s.Dir
	}
	return Redact(s.GitURL) + "#" + s.Ref
}

func goVersion(v string) string {
	if v == "" {
		return ""
	}
	return " (go" + v + ")"
}

func renderNodes(w io.Writer, nodes []Node) {
	if len(nodes) == 0 {
		return
	}
	fmt.Fprintln(w, "buildkit nodes:")
	for _, n := range nodes {
		goImage := n.GoImage
		if goImage == "" {
			goImage = "none (Go image has no " + platforms.Format(n.Native()) + " variant: no compiles here)"
		}
		fmt.Fprintf(w, "  - %s native=%s for=[%s] go=%s%s\n", n.Address, platforms.Format(n.Native()), FormatAll(n.For), goImage, goVersion(n.GoVersion))
	}
}

func renderGo(w io.Writer, g Go) {
	fmt.Fprintf(w, "modules: downloaded once (GOPROXY=%s), compiles offline\n", Redact(g.Proxy))
	renderMap(w, "go env", g.Env)
	if g.CABundle != "" {
		fmt.Fprintf(w, "    extra CAs: %s\n", g.CABundle)
	}
	if g.Netrc != "" {
		fmt.Fprintf(w, "    .netrc: %s (as a BuildKit secret)\n", g.Netrc)
	}
}
