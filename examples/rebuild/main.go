// Command rebuild is a release tool of its own that embeds istio-mab: it
// rebuilds one Istio release for linux/amd64 and linux/arm64 with a single
// library call and prints the manifest lists it published.
//
//	rebuild -version 1.22.0 -hub registry.example.com/istio -source https://github.com/istio/istio.git
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/plan"
)

func main() {
	version := flag.String("version", "", "Istio release")
	hub := flag.String("hub", "", "registry/namespace to publish to")
	source := flag.String("source", "https://github.com/istio/istio.git", "Istio git repository")
	node := flag.String("buildkit", os.Getenv("BUILDKIT_HOST"), "BuildKit daemon address")
	goImage := flag.String("go-image", "", "Go builder image (default: upstream's for the line)")
	baseRegistry := flag.String("base-registry", "", "mirror of the base images (default: upstream's)")
	envoyBaseURL := flag.String("envoy-base-url", "", "mirror of the Envoy builds (default: upstream's)")
	insecure := flag.String("insecure-registry", "", "a registry host reached over plain HTTP")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	req := istiomab.BuildRequest{
		Options: plan.Options{
			Version: *version, Hub: *hub, Push: true,
			Platforms:    []ocispecs.Platform{platforms.MustParse("linux/amd64"), platforms.MustParse("linux/arm64")},
			Source:       plan.Source{GitURL: *source, Ref: "refs/tags/" + *version},
			GoImage:      *goImage,
			BaseRegistry: *baseRegistry,
			EnvoyBaseURL: *envoyBaseURL,
			Attest:       plan.Attest{Provenance: true},
		},
		Nodes: []istiomab.Node{{Address: *node}},
	}
	if *insecure != "" {
		req.Registries.Insecure = []string{*insecure}
	}
	res, err := istiomab.Build(ctx, req, istiomab.WithProgress(os.Stderr, "plain"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "rebuild:", err)
		os.Exit(1)
	}
	for _, pub := range res.Published {
		fmt.Printf("%s@%s %d platforms\n", pub.Repository, pub.Index.Digest, len(pub.Platforms))
	}
}
