package sign

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// pushed writes a random image to a fresh registry (with or without the
// referrers API) and returns its reference and descriptor.
func pushed(t *testing.T, referrers bool) (name.Digest, v1.Descriptor) {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(referrers)))
	t.Cleanup(srv.Close)
	img, _ := random.Image(64, 1)
	desc, err := partial.Descriptor(img)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.NewDigest(strings.TrimPrefix(srv.URL, "http://")+"/istio/pilot@"+desc.Digest.String(), name.Insecure)
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	return ref, *desc
}

func provenance(d v1.Hash) []byte {
	return fmt.Appendf(nil, `{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"pkg:docker/x","digest":{"sha256":%q}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{}}}`, d.Hex)
}

// A signature and an attestation written as Sigstore bundle referrers
// verify with the key, only with it, once each; the registry's referrers
// API is detected.
func TestReferrerBundles(t *testing.T) {
	ref, desc := pushed(t, true)
	priv, pub := keyPair(t, "pw")
	_, otherPub := keyPair(t, "pw")
	s, _ := LoadKey(priv, []byte("pw"))
	key, _ := LoadPublicKey(pub)
	other, _ := LoadPublicKey(otherPub)

	if ok, err := HasReferrersAPI(ref); !ok || err != nil {
		t.Fatalf("HasReferrersAPI = %v, %v; want true", ok, err)
	}
	for range 2 {
		if _, err := s.SignReferrer(Remote(), ref.Context(), desc); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AttestReferrer(Remote(), ref.Context(), desc, provenance(desc.Digest)); err != nil {
			t.Fatal(err)
		}
	}
	if err := Verify(Remote(), key, ref); err != nil {
		t.Errorf("Verify: %v", err)
	}
	if err := VerifyAttestation(Remote(), key, ref, "https://slsa.dev/provenance/v1"); err != nil {
		t.Errorf("VerifyAttestation: %v", err)
	}
	if err := VerifyAttestation(Remote(), key, ref, "https://spdx.dev/Document"); !errors.Is(err, ErrUnsigned) {
		t.Errorf("VerifyAttestation of a type never attested: %v, want ErrUnsigned", err)
	}
	if err := Verify(Remote(), other, ref); !errors.Is(err, ErrUnsigned) {
		t.Errorf("Verify with another key: %v, want ErrUnsigned", err)
	}
	idx, _ := remote.Referrers(ref)
	if im, _ := idx.IndexManifest(); len(im.Manifests) != 2 {
		t.Errorf("%d referrers after signing and attesting twice, want 2", len(im.Manifests))
	}
	if _, err := s.AttestReferrer(Remote(), ref.Context(), desc, provenance(v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)})); err == nil {
		t.Error("a statement about another image was attested")
	}
}

// Without the referrers API, attestations go under cosign's .att tag and
// verify from there.
func TestTagSchemeAttestation(t *testing.T) {
	ref, desc := pushed(t, false)
	priv, pub := keyPair(t, "pw")
	s, _ := LoadKey(priv, []byte("pw"))
	key, _ := LoadPublicKey(pub)
	if ok, err := HasReferrersAPI(ref); ok || err != nil {
		t.Fatalf("HasReferrersAPI = %v, %v; want false", ok, err)
	}
	for range 2 {
		if _, err := s.Attest(Remote(), ref, provenance(desc.Digest)); err != nil {
			t.Fatal(err)
		}
	}
	if err := VerifyAttestation(Remote(), key, ref, "https://slsa.dev/provenance/v1"); err != nil {
		t.Errorf("VerifyAttestation: %v", err)
	}
	att, err := remote.Image(AttTag(ref))
	if err != nil {
		t.Fatal(err)
	}
	if layers, _ := att.Layers(); len(layers) != 1 {
		t.Errorf("%d attestation layers after attesting twice, want 1", len(layers))
	}
}
