package sign

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
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
func (s *Signer) SignReferrer(repo name.Repository, subject v1.Descriptor, opts ...remote.Option) (v1.Hash, error) {
	stmt := signStatement(subject.Digest)
	return s.pushBundle(repo, subject, stmt, cosignSignV1, opts)
}

// AttestReferrer signs an in-toto statement about subject into a bundle
// referrer, as `cosign attest` v3 does.
func (s *Signer) AttestReferrer(repo name.Repository, subject v1.Descriptor, stmt []byte, opts ...remote.Option) (v1.Hash, error) {
	pt, ok := about(stmt, subject.Digest.Hex)
	if !ok {
		return v1.Hash{}, fmt.Errorf("attesting %s: the %s statement is about another image", subject.Digest, pt)
	}
	return s.pushBundle(repo, subject, stmt, pt, opts)
}

func signStatement(d v1.Hash) []byte {
	return fmt.Appendf(nil, `{"_type":%q,"subject":[{"digest":{"sha256":%q}}],"predicateType":%q,"predicate":{}}`,
		inTotoStatementV1, d.Hex, cosignSignV1)
}

func (s *Signer) pushBundle(repo name.Repository, subject v1.Descriptor, stmt []byte, predicateType string, opts []remote.Option) (v1.Hash, error) {
	d := repo.Digest(subject.Digest.String())
	have, err := bundleEnvelopes(d, opts)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("reading the referrers of %s: %w", d, err)
	}
	for _, r := range have {
		if body := r.opened(s.key.Public()); body != nil && string(body) == string(stmt) {
			return r.digest, nil // signed by this key already
		}
	}
	b, err := s.bundle(stmt)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("signing %s: %w", d, err)
	}
	layer := static.NewLayer(b, bundleType)
	config := static.NewLayer([]byte("{}"), emptyConfigType)
	for _, l := range []v1.Layer{config, layer} {
		if err := remote.WriteLayer(repo, l, opts...); err != nil {
			return v1.Hash{}, fmt.Errorf("pushing the signature of %s: %w", d, err)
		}
	}
	m, err := referrerManifest(subject, config, layer, predicateType)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := remote.Put(repo.Digest(m.digest.String()), m, opts...); err != nil {
		return v1.Hash{}, fmt.Errorf("pushing the signature of %s: %w", d, err)
	}
	return m.digest, nil
}

func (s *Signer) bundle(stmt []byte) ([]byte, error) {
	env, err := s.envelope(stmt)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(s.key.Public())
	if err != nil {
		return nil, err
	}
	bu := bundle{MediaType: bundleType, DSSEEnvelope: env}
	bu.VerificationMaterial.PublicKey.Hint = keyHint(der)
	return json.Marshal(bu)
}

// rawManifest is a manifest pushed as its bytes.
type rawManifest struct {
	raw    []byte
	digest v1.Hash
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.raw, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

func referrerManifest(subject v1.Descriptor, config, layer v1.Layer, predicateType string) (rawManifest, error) {
	desc := func(l v1.Layer, mt types.MediaType) (v1.Descriptor, error) {
		d, err := l.Digest()
		if err != nil {
			return v1.Descriptor{}, err
		}
		size, err := l.Size()
		return v1.Descriptor{MediaType: mt, Digest: d, Size: size}, err
	}
	cd, err := desc(config, emptyConfigType)
	if err != nil {
		return rawManifest{}, err
	}
	ld, err := desc(layer, bundleType)
	if err != nil {
		return rawManifest{}, err
	}
	content := "dsse-envelope"
	m := v1.Manifest{
		SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: string(bundleType),
		Config: cd, Layers: []v1.Descriptor{ld},
		Annotations: map[string]string{contentKey: content, predicateKey: predicateType},
		Subject:     &v1.Descriptor{MediaType: subject.MediaType, Size: subject.Size, Digest: subject.Digest},
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return rawManifest{}, err
	}
	h, _, err := v1.SHA256(strings.NewReader(string(raw)))
	return rawManifest{raw: raw, digest: h}, err
}

// referred is the envelope of one Sigstore bundle referrer.
type referred struct {
	envelope
	digest v1.Hash // of the referrer manifest
}

// bundleEnvelopes are the DSSE envelopes of d's Sigstore bundle referrers,
// read through the referrers API or its fallback tag.
func bundleEnvelopes(d name.Digest, opts []remote.Option) ([]referred, error) {
	idx, err := remote.Referrers(d, opts...)
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
		img, err := remote.Image(d.Context().Digest(m.Digest.String()), opts...)
		if err != nil {
			return nil, err
		}
		layers, err := img.Layers()
		if err != nil || len(layers) != 1 {
			continue
		}
		b, err := readLayer(layers[0])
		if err != nil {
			return nil, err
		}
		var bu bundle
		if json.Unmarshal(b, &bu) == nil && bu.MediaType == bundleType {
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
