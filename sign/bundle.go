package sign

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// The names cosign v3 gives a Sigstore bundle stored as an OCI 1.1 referrer.
const (
	bundleType        types.MediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	emptyConfigType   types.MediaType = "application/vnd.oci.empty.v1+json"
	contentKey                        = "dev.sigstore.bundle.content"
	predicateKey                      = "dev.sigstore.bundle.predicateType"
	cosignSignV1                      = "https://sigstore.dev/cosign/sign/v1"
	inTotoStatementV1                 = "https://in-toto.io/Statement/v1"
)

// bundle is a Sigstore bundle holding one DSSE envelope, verified by a
// public key (no certificate, no transparency log entry).
type bundle struct {
	MediaType            types.MediaType `json:"mediaType"`
	VerificationMaterial struct {
		PublicKey struct {
			Hint string `json:"hint"`
		} `json:"publicKey"`
	} `json:"verificationMaterial"`
	DSSEEnvelope envelope `json:"dsseEnvelope"`
}

// SignReferrer signs subject, a manifest of repo, as cosign v3 does: a
// Sigstore bundle whose statement names the digest, pushed as an OCI 1.1
// referrer of it. Use it where the registry has the referrers API. It
// returns the referrer's digest.
func (s *Signer) SignReferrer(st Store, repo name.Repository, subject v1.Descriptor) (v1.Hash, error) {
	stmt := signStatement(subject.Digest)
	return s.pushBundle(st, repo, subject, stmt, cosignSignV1)
}

// AttestReferrer signs an in-toto statement about subject into a bundle
// referrer, as `cosign attest` v3 does.
func (s *Signer) AttestReferrer(st Store, repo name.Repository, subject v1.Descriptor, stmt []byte) (v1.Hash, error) {
	pt, ok := about(stmt, subject.Digest.Hex)
	if !ok {
		return v1.Hash{}, fmt.Errorf("attesting %s: the %s statement is about another image", subject.Digest, pt)
	}
	return s.pushBundle(st, repo, subject, stmt, pt)
}

func signStatement(d v1.Hash) []byte {
	return fmt.Appendf(nil, `{"_type":%q,"subject":[{"digest":{"sha256":%q}}],"predicateType":%q,"predicate":{}}`,
		inTotoStatementV1, d.Hex, cosignSignV1)
}

func (s *Signer) pushBundle(st Store, repo name.Repository, subject v1.Descriptor, stmt []byte, predicateType string) (v1.Hash, error) {
	d := repo.Digest(subject.Digest.String())
	pub, err := s.public()
	if err != nil {
		return v1.Hash{}, err
	}
	have, err := bundleEnvelopes(st, d)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("reading the referrers of %s: %w", d, err)
	}
	for _, r := range have {
		if body := r.opened(pub); body != nil && string(body) == string(stmt) {
			return r.digest, nil // signed by this key already
		}
	}
	b, err := s.bundle(stmt)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("signing %s: %w", d, err)
	}
	img, err := referrerImage(subject, b, predicateType)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := st.WriteReferrer(d, img); err != nil {
		return v1.Hash{}, fmt.Errorf("pushing the signature of %s: %w", d, err)
	}
	return img.Digest()
}

func (s *Signer) bundle(stmt []byte) ([]byte, error) {
	env, err := s.envelope(stmt)
	if err != nil {
		return nil, err
	}
	pub, err := s.public()
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	bu := bundle{MediaType: bundleType, DSSEEnvelope: env}
	bu.VerificationMaterial.PublicKey.Hint = keyHint(der)
	return json.Marshal(bu)
}

// referrerImage is a Sigstore bundle as cosign stores it: an OCI artifact
// with an empty config, the bundle as its one layer, and subject.
func referrerImage(subject v1.Descriptor, b []byte, predicateType string) (v1.Image, error) {
	layer := static.NewLayer(b, bundleType)
	ld, err := partial.Descriptor(layer)
	if err != nil {
		return nil, err
	}
	config := []byte("{}")
	ch, size, err := v1.SHA256(bytes.NewReader(config))
	if err != nil {
		return nil, err
	}
	ld.MediaType = bundleType
	m := v1.Manifest{
		SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: string(bundleType),
		Config:      v1.Descriptor{MediaType: emptyConfigType, Digest: ch, Size: size},
		Layers:      []v1.Descriptor{*ld},
		Annotations: map[string]string{contentKey: "dsse-envelope", predicateKey: predicateType},
		Subject:     &v1.Descriptor{MediaType: subject.MediaType, Size: subject.Size, Digest: subject.Digest},
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(artifact{manifest: raw, config: config, layer: layer})
}

// artifact is an OCI artifact manifest with one layer, as its bytes.
type artifact struct {
	manifest, config []byte
	layer            v1.Layer
}

func (a artifact) RawManifest() ([]byte, error)        { return a.manifest, nil }
func (a artifact) RawConfigFile() ([]byte, error)      { return a.config, nil }
func (a artifact) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

func (a artifact) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if d, err := a.layer.Digest(); err == nil && d == h {
		return a.layer, nil
	}
	return nil, fmt.Errorf("artifact has no layer %s", h)
}

// referred is the envelope of one Sigstore bundle referrer.
type referred struct {
	envelope
	digest v1.Hash // of the referrer manifest
}

// bundleEnvelopes are the DSSE envelopes of d's Sigstore bundle referrers,
// read through the referrers API or its fallback tag.
func bundleEnvelopes(st Store, d name.Digest) ([]referred, error) {
	idx, err := st.Referrers(d)
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []referred
	for _, m := range im.Manifests {
		// Registries that predate artifactType report the config's type.
		if m.ArtifactType != string(bundleType) && m.Annotations[contentKey] == "" {
			continue
		}
		img, err := st.Image(d.Context().Digest(m.Digest.String()))
		if err != nil {
			return nil, err
		}
		layers, err := registry.LayersOfType(img, bundleType)
		if err != nil {
			return nil, err
		}
		if len(layers) != 1 {
			continue
		}
		var bu bundle
		if json.Unmarshal(layers[0].Bytes, &bu) == nil && bu.MediaType == bundleType {
			out = append(out, referred{bu.DSSEEnvelope, m.Digest})
		}
	}
	return out, nil
}

// HasReferrersAPI says whether d's registry implements the OCI 1.1
// referrers API (an error naming it otherwise is go-containerregistry's).
func HasReferrersAPI(d name.Digest, opts ...remote.Option) (bool, error) {
	_, err := remote.Referrers(d, append(opts, remote.WithReferrersTagFallback(false))...)
	if err != nil && strings.Contains(err.Error(), "does not support the Referrers API") {
		return false, nil
	}
	return err == nil, err
}
