package publish

import (
	"crypto"
	"errors"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/sign"
)

// SignatureProblems names what of the list (list, read as ref, in repo of
// st) key did not sign: the list itself, each manifest it holds (platform
// images and attestations), and each in-toto statement of an attestation
// not also signed as a cosign attestation of its image. A store that
// cannot be read is an error, not a problem.
func SignatureProblems(st sign.Store, key crypto.PublicKey, ref string, repo name.Repository, list v1.Descriptor, im v1.IndexManifest) ([]Problem, error) {
	var out []Problem
	record := func(err error, platform, what string) error {
		if errors.Is(err, sign.ErrUnsigned) {
			out = append(out, Problem{Ref: ref, Platform: platform, Message: what + " " + err.Error()})
			return nil
		}
		return err
	}
	check := func(d v1.Hash, platform, what string) error {
		return record(sign.Verify(st, key, repo.Digest(d.String())), platform, what)
	}
	if err := check(list.Digest, "", "manifest list:"); err != nil {
		return nil, err
	}
	for _, d := range im.Manifests {
		platform, what := "", "platform image:"
		if d.Platform != nil {
			platform = d.Platform.String()
		}
		if IsAttestation(d) {
			platform, what = "", "attestation of "+d.Annotations["vnd.docker.reference.digest"]+":"
			if err := signedStatements(st, key, repo, d, im.Manifests, record); err != nil {
				return nil, err
			}
		}
		if err := check(d.Digest, platform, what); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// signedStatements: each in-toto statement of the attestation manifest att
// must be signed by key as a cosign attestation of its image, so `cosign
// verify-attestation` finds it.
func signedStatements(st sign.Store, key crypto.PublicKey, repo name.Repository, att v1.Descriptor, entries []v1.Descriptor, record func(error, string, string) error) error {
	subject := att.Annotations["vnd.docker.reference.digest"]
	platform := ""
	for _, e := range entries {
		if e.Digest.String() == subject && e.Platform != nil {
			platform = e.Platform.String()
		}
	}
	img, err := st.Image(repo.Digest(att.Digest.String()))
	if err != nil {
		return err
	}
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	for _, l := range m.Layers {
		if pt := l.Annotations["in-toto.io/predicate-type"]; pt != "" {
			if err := record(sign.VerifyAttestation(st, key, repo.Digest(subject), pt), platform, "signed attestation:"); err != nil {
				return err
			}
		}
	}
	return nil
}
