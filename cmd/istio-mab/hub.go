package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/istio-mab/istio-mab/internal/failure"
)

// dockerHub is the registry a hub without a registry host means, written as
// Istio's own hubs (docker.io/istio) are.
const dockerHub = "docker.io"

// parseHub accepts the forms Istio's HUB takes: REGISTRY/NAMESPACE, or a
// Docker Hub namespace alone. As in Docker's reference rules, the first
// component names a registry only when it holds a "." or a ":" or is
// "localhost", so "myreg" and "myreg/sub" are docker.io/myreg[/sub].
func parseHub(hub string) (string, error) {
	if hub == "" {
		return "", failure.Usage(fmt.Errorf("--hub is required: where to push, e.g. --hub registry.example.com/istio"))
	}
	given := hub
	hub = strings.TrimSuffix(hub, "/")
	if first, _, _ := strings.Cut(hub, "/"); !isRegistryHost(first) {
		hub = dockerHub + "/" + hub
	}
	if _, err := name.NewRepository(hub+"/pilot", name.StrictValidation); err != nil || strings.Contains(hub, "://") || strings.ContainsAny(hub, "@") {
		return "", failure.Usage(fmt.Errorf("--hub %q is not a registry/namespace: use the form registry.example.com/istio, lowercase, without scheme, tag or digest", given))
	}
	return hub, nil
}

func isRegistryHost(component string) bool {
	return strings.ContainsAny(component, ".:") || component == "localhost"
}

// noteHub tells the user where a hub without a registry host resolved to,
// since pushing to Docker Hub by accident is easy to miss.
func noteHub(w io.Writer, given, resolved string) {
	if given = strings.TrimSuffix(given, "/"); given != resolved {
		fmt.Fprintf(w, "hub %s resolves to %s (Docker Hub); name a registry host to push elsewhere\n", given, resolved)
	}
}
