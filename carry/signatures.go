package carry

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/sign"
)

// verifySources checks, before anything is written anywhere, that key
// signed every list of r, every manifest each holds (platform images and
// attestations) and each attestation statement: a bad or missing
// signature fails the copy with nothing copied.
func verifySources(ctx context.Context, access *registry.Access, r Release, key crypto.PublicKey) error {
	st := sign.Remote(access.Remote(ctx)...)
	for _, img := range r.Images {
		repo, err := access.Repository(img.Repository)
		if err != nil {
			return err
		}
		idx, tags, err := readList(ctx, access, repo, img.Tags)
		if err != nil {
			return err
		}
		if err := verifySigned(st, key, repo, tags[0], idx); err != nil {
			return err
		}
	}
	return nil
}

// verifySigned fails with every signature problem of idx, in repo of st.
func verifySigned(st sign.Store, key crypto.PublicKey, repo name.Repository, tag string, idx v1.ImageIndex) error {
	desc, err := listDescriptor(idx)
	if err != nil {
		return err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	problems, err := publish.SignatureProblems(st, key, repo.String()+":"+tag, repo, desc, *im)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		lines := make([]string, len(problems))
		for i, p := range problems {
			lines[i] = p.String()
		}
		return failure.Verify(fmt.Errorf("%s: nothing copied", strings.Join(lines, "\n")))
	}
	return nil
}

func listDescriptor(idx v1.ImageIndex) (v1.Descriptor, error) {
	d, err := idx.Digest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	mt, err := idx.MediaType()
	return v1.Descriptor{Digest: d, MediaType: mt}, err
}

// listDigests are idx's own digest and each entry's.
func listDigests(idx v1.ImageIndex) ([]v1.Hash, error) {
	d, err := idx.Digest()
	if err != nil {
		return nil, err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	out := []v1.Hash{d}
	for _, e := range m.Manifests {
		out = append(out, e.Digest)
	}
	return out, nil
}

// copySignatures copies every signature of idx and its entries from src in
// one store to dst in another, bytes unchanged: cosign's .sig and .att
// images and the Sigstore bundle referrers. A digest without any is skipped.
func copySignatures(from sign.Store, src name.Repository, to sign.Store, dst name.Repository, idx v1.ImageIndex) error {
	digests, err := listDigests(idx)
	if err != nil {
		return err
	}
	for _, h := range digests {
		s, d := src.Digest(h.String()), dst.Digest(h.String())
		for _, tag := range []func(name.Digest) name.Tag{sign.SigTag, sign.AttTag} {
			img, err := from.Tagged(tag(s))
			if errors.Is(err, sign.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("reading %s: %w", tag(s), err)
			}
			if err := to.WriteTagged(tag(d), img); err != nil {
				return fmt.Errorf("copying %s: %w", tag(d), err)
			}
		}
		if err := copyReferrers(from, s, to, d); err != nil {
			return err
		}
	}
	return nil
}

func copyReferrers(from sign.Store, s name.Digest, to sign.Store, d name.Digest) error {
	idx, err := from.Referrers(s)
	if err != nil {
		return fmt.Errorf("reading the referrers of %s: %w", s, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	for _, r := range m.Manifests {
		img, err := from.Image(s.Context().Digest(r.Digest.String()))
		if err != nil {
			return fmt.Errorf("reading referrer %s of %s: %w", r.Digest, s, err)
		}
		if err := to.WriteReferrer(d, img); err != nil {
			return fmt.Errorf("copying referrer %s of %s: %w", r.Digest, d, err)
		}
	}
	return nil
}
