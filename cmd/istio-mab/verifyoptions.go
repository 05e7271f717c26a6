package main

import (
	"errors"
	"fmt"
	"github.com/istio-mab/istio-mab/sign"
	"os"

	"github.com/spf13/cobra"

	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/internal/failure"
)

var errNoTarget = errors.New("name what to verify: --version VERSION --hub REGISTRY/NAMESPACE, or image references, e.g. istio-mab verify registry.example.com/istio/pilot:1.22.0")

// verifyRequest validates the flags and arguments; every error is bad input (exit 2).
func verifyRequest(cmd *cobra.Command, refs []string) (istiomab.VerifyRequest, error) {
	req, err := parseVerify(cmd, refs)
	return req, failure.Usage(err)
}

func parseVerify(cmd *cobra.Command, refs []string) (istiomab.VerifyRequest, error) {
	fl := cmd.Flags()
	if err := applySettings(fl, flagNames(cmd.Root()), os.Environ()); err != nil {
		return istiomab.VerifyRequest{}, err
	}
	req := istiomab.VerifyRequest{Version: getString(fl, "version"), Refs: refs, Registries: registriesOf(fl),
		Images: items(fl, "images"), Variants: items(fl, "variants"), Tag: getString(fl, "tag")}
	var err error
	if req.Platforms, err = parsePlatforms(fl); err != nil {
		return req, err
	}
	if _, err := parseAccess(fl, map[string]bool{}); err != nil {
		return req, err
	}
	if k := getString(fl, "key"); k != "" {
		if req.Key, err = sign.LoadPublicKey(k); err != nil {
			return req, fmt.Errorf("--key: %w", err)
		}
	}
	switch {
	case len(refs) > 0 && getString(fl, "hub") != "":
		return req, errors.New("give image references or --hub, not both")
	case len(refs) > 0:
		return req, nil
	case req.Version == "" && getString(fl, "hub") == "":
		return req, errNoTarget
	}
	if err := requireVersion(req.Version); err != nil {
		return req, err
	}
	if req.Hub, err = hubOption(cmd); err != nil {
		return req, err
	}
	return req, checkTag(req.Hub, req.Tag)
}
