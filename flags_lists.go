package istiomab

import (
	"crypto"
	"errors"
	"fmt"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/parse"
	"github.com/istio-mab/istio-mab/sign"
)

// VerifyFlags name published lists to check: a release (--version and
// --hub) or list references, and --key.
type VerifyFlags struct {
	Release    ReleaseFlags
	Registries RegistryFlags
	Key        string // a cosign public key file
}

var errNoTarget = errors.New("name what to verify: --version VERSION --hub REGISTRY/NAMESPACE, or image references, e.g. istio-mab verify registry.example.com/istio/pilot:1.22.0")

// Request checks f with the references refs; note hears where a Docker Hub
// shorthand resolved to. Every error is bad input (exit 2).
func (f VerifyFlags) Request(refs []string, note func(string)) (VerifyRequest, error) {
	req, err := f.request(refs, note)
	return req, failure.Usage(err)
}

func (f VerifyFlags) request(refs []string, note func(string)) (VerifyRequest, error) {
	rel := f.Release
	req := VerifyRequest{Version: rel.Version, Tag: rel.Tag, Refs: refs, Registries: f.Registries.registries(),
		Images: parse.Items(rel.Images), Variants: parse.Items(rel.Variants)}
	var err error
	if req.Platforms, err = rel.platforms(); err != nil {
		return req, err
	}
	if _, err := req.Registries.access(); err != nil {
		return req, err
	}
	if req.Key, err = publicKey("--key", f.Key); err != nil {
		return req, err
	}
	switch {
	case len(refs) > 0 && rel.Hub != "":
		return req, errors.New("give image references or --hub, not both")
	case len(refs) > 0:
		return req, nil
	case req.Version == "" && rel.Hub == "":
		return req, errNoTarget
	}
	if err := parse.Version(req.Version); err != nil {
		return req, err
	}
	if req.Hub, err = hub(rel.Hub, note); err != nil {
		return req, err
	}
	return req, parse.Tag(req.Hub, req.Tag)
}

func publicKey(flag, path string) (crypto.PublicKey, error) {
	if path == "" {
		return nil, nil
	}
	k, err := sign.LoadPublicKey(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return k, nil
}

// ExportFlags name the lists export copies (Release: --hub, --version,
// --tag, --images, --variants), --to and --since.
type ExportFlags struct {
	Release    ReleaseFlags
	To         string // oci-layout:DIR, tar:FILE, or a directory
	Split      string // part size for tar:FILE (700M, 4G, 1048576)
	Since      string // a previous bundle: directory, tarball or its contents file
	Registries RegistryFlags
}

// Request checks f; every error is bad input (exit 2).
func (f ExportFlags) Request() (ExportRequest, error) {
	h, err := parse.Hub(f.Release.Hub)
	if err != nil {
		return ExportRequest{}, failure.Usage(err)
	}
	if f.To == "" {
		return ExportRequest{}, failure.Usage(errors.New("--to is required: the OCI layout to write, e.g. --to oci-layout:/media/usb/istio"))
	}
	to, err := parse.Layout("--to", f.To)
	if err != nil {
		to = parse.Output{LayoutDir: f.To} // a plain directory
	}
	if to, err = parse.WithSplit(to, "--to", f.Split); err != nil {
		return ExportRequest{}, failure.Usage(err)
	}
	return ExportRequest{Release: f.Release.release(h), To: outputOf(to, f.Since), Registries: f.Registries.registries()}, nil
}

// ImportFlags: import's --from, --hub, --verify-key and --values-out.
type ImportFlags struct {
	From, Hub, VerifyKey, ValuesOut string
	Registries                      RegistryFlags
}

// Request checks f; every error is bad input (exit 2).
func (f ImportFlags) Request() (ImportRequest, error) {
	h, err := parse.Hub(f.Hub)
	if err != nil {
		return ImportRequest{}, failure.Usage(err)
	}
	req := ImportRequest{From: f.From, Hub: h, Registries: f.Registries.registries(), ValuesOut: f.ValuesOut}
	req.VerifyKey, err = publicKey("--verify-key", f.VerifyKey)
	return req, failure.Usage(err)
}

// MirrorFlags name the lists mirror copies (Release: --version, --tag,
// --images, --variants, and --platforms to keep only some), where from
// and where to (--hub, or --to for a layout), and --verify-key.
type MirrorFlags struct {
	Release             ReleaseFlags // Hub is where the lists go
	From, To, VerifyKey string
	Split               string // part size for --to tar:FILE
	Registries          RegistryFlags
}

// Request checks f; every error is bad input (exit 2).
func (f MirrorFlags) Request() (MirrorRequest, error) {
	req, err := f.request()
	return req, failure.Usage(err)
}

func (f MirrorFlags) request() (MirrorRequest, error) {
	from, err := parse.Hub(f.From)
	if err != nil {
		return MirrorRequest{}, fmt.Errorf("--from: %w", err)
	}
	req := MirrorRequest{Release: f.Release.release(from), Registries: f.Registries.registries()}
	if req.VerifyKey, err = publicKey("--verify-key", f.VerifyKey); err != nil {
		return req, err
	}
	if f.Release.Platforms != "" {
		if req.Platforms, err = parse.Platforms(f.Release.Platforms, "", PlatformsYAML); err != nil {
			return req, err
		}
	}
	if f.To != "" {
		out, err := parse.Layout("--to", f.To)
		if err != nil || out.LayoutDir == "" {
			return req, fmt.Errorf("--to %q: use oci-layout:DIR or tar:FILE", f.To)
		}
		out, err = parse.WithSplit(out, "--to", f.Split)
		req.To = outputOf(out, "")
		return req, err
	}
	if f.Split != "" {
		return req, errors.New("--split cuts a tarball into parts: give --to tar:FILE, e.g. --to tar:istio.tar --split 4G")
	}
	req.Hub, err = parse.Hub(f.Release.Hub)
	return req, err
}
