package carry

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/sign"
)

// verifySources checks, before anything is written anywhere, that key
// signed every list of r and every manifest each holds (platform images
// and attestations), as cosign's tag scheme stores the signatures: a bad
// or missing signature fails the copy with nothing copied.
func verifySources(ctx context.Context, access *registry.Access, r Release, key crypto.PublicKey) error {
	for _, img := range r.Images {
		repo, err := access.Repository(img.Repository)
		if err != nil {
			return err
		}
		idx, tags, err := readList(ctx, access, repo, img.Tags)
		if err != nil {
			return err
		}
		digests, err := listDigests(idx)
		if err != nil {
			return err
		}
		for _, d := range digests {
			if err := sign.Verify(key, repo.Digest(d.hash.String()), access.Remote(ctx)...); err != nil {
				return failure.Verify(fmt.Errorf("%s:%s %s: %w: nothing copied", repo, tags[0], d.what, err))
			}
		}
	}
	return nil
}

type listDigest struct {
	hash v1.Hash
	what string // "manifest list", "linux/arm64 image", "attestation of sha256:..."
}

// listDigests are idx's own digest and each entry's, named for messages.
func listDigests(idx v1.ImageIndex) ([]listDigest, error) {
	d, err := idx.Digest()
	if err != nil {
		return nil, err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	out := []listDigest{{d, "manifest list"}}
	for _, e := range m.Manifests {
		what := "entry"
		switch {
		case publish.IsAttestation(e):
			what = "attestation of " + e.Annotations["vnd.docker.reference.digest"]
		case e.Platform != nil:
			what = e.Platform.String() + " image"
		}
		out = append(out, listDigest{e.Digest, what})
	}
	return out, nil
}

// copySignatures copies cosign's signature images of idx and its entries
// from src to dst, bytes unchanged; a digest without signatures is skipped.
func copySignatures(ctx context.Context, access *registry.Access, src, dst name.Repository, idx v1.ImageIndex) error {
	digests, err := listDigests(idx)
	if err != nil {
		return err
	}
	opts := access.Remote(ctx)
	for _, d := range digests {
		from := sign.SigTag(src.Digest(d.hash.String()))
		img, err := remote.Image(from, opts...)
		if notFound(err) {
			continue
		}
		if err != nil {
			return registry.Explain("reading signatures", from, err)
		}
		to := dst.Tag(from.TagStr())
		if err := remote.Write(to, img, opts...); err != nil {
			return registry.Explain("copying signatures to", to, err)
		}
	}
	return nil
}

func notFound(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound
}
