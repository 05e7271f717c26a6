package parse

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// dockerHub is the registry a hub without a registry host means, written as
// Istio's own hubs (docker.io/istio) are.
const dockerHub = "docker.io"

// Hub accepts the forms Istio's HUB takes: REGISTRY/NAMESPACE, or a
// Docker Hub namespace alone. As in Docker's reference rules, the first
// component names a registry only when it holds a "." or a ":" or is
// "localhost", so "myreg" and "myreg/sub" are docker.io/myreg[/sub].
func Hub(hub string) (string, error) {
	if hub == "" {
		return "", fmt.Errorf("--hub is required: where to push, e.g. --hub registry.example.com/istio")
	}
	given := hub
	hub = strings.TrimSuffix(hub, "/")
	if first, _, _ := strings.Cut(hub, "/"); !isRegistryHost(first) {
		hub = dockerHub + "/" + hub
	}
	if _, err := name.NewRepository(hub+"/pilot", name.StrictValidation); err != nil || strings.Contains(hub, "://") || strings.ContainsAny(hub, "@") {
		return "", fmt.Errorf("--hub %q is not a registry/namespace: use the form registry.example.com/istio, lowercase, without scheme, tag or digest", given)
	}
	return hub, nil
}

func isRegistryHost(component string) bool {
	return strings.ContainsAny(component, ".:") || component == "localhost"
}

// HubNote tells where a hub without a registry host resolved to, since
// pushing to Docker Hub by accident is easy to miss; empty otherwise.
func HubNote(given, resolved string) string {
	if given = strings.TrimSuffix(given, "/"); given != resolved {
		return fmt.Sprintf("hub %s resolves to %s (Docker Hub); name a registry host to push elsewhere", given, resolved)
	}
	return ""
}

// Tag refuses a --tag the registry would refuse, before anything is pushed.
func Tag(hub, tag string) error {
	if tag == "" {
		return nil
	}
	if _, err := name.NewTag(hub+"/pilot:"+tag+"-distroless", name.StrictValidation); err != nil {
		return fmt.Errorf("--tag %q is not a valid image tag: use letters, digits, '_', '.', '-', at most 117 characters", tag)
	}
	return nil
}

// Version requires --version.
func Version(v string) error {
	if v == "" {
		return fmt.Errorf("--version is required: the Istio release to build, e.g. --version 1.22.0")
	}
	return nil
}
