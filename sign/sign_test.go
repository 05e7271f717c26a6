package sign

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func keyPair(t *testing.T, password string) (priv, pub string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	priv, pub = filepath.Join(dir, "cosign.key"), filepath.Join(dir, "cosign.pub")
	if err := WriteKeyPair(priv, pub, k, []byte(password)); err != nil {
		t.Fatal(err)
	}
	return priv, pub
}

// A signature made with a cosign key file verifies with its public key and
// no other, is not added twice, and a wrong password says so without it.
func TestSignAndVerify(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	img, _ := random.Image(64, 1)
	d, _ := img.Digest()
	ref, _ := name.NewDigest(strings.TrimPrefix(srv.URL, "http://")+"/istio/pilot@"+d.String(), name.Insecure)
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	priv, pub := keyPair(t, "s3cret-pass")
	_, otherPub := keyPair(t, "other")

	wrong, err := LoadKey(priv, []byte("wrong"))
	if err != nil {
		t.Fatal(err)
	}
	if err := wrong.Unlock(); err == nil || strings.Contains(err.Error(), "wrong") || !strings.Contains(err.Error(), "COSIGN_PASSWORD") {
		t.Errorf("wrong password: %v; want a message naming COSIGN_PASSWORD and not the password", err)
	}
	s, err := LoadKey(priv, []byte("s3cret-pass"))
	if err != nil {
		t.Fatal(err)
	}
	key, _ := LoadPublicKey(pub)
	if err := Verify(Remote(), key, ref); !errors.Is(err, ErrUnsigned) {
		t.Fatalf("before signing: %v, want ErrUnsigned", err)
	}
	for range 2 {
		if _, err := s.Sign(Remote(), ref); err != nil {
			t.Fatal(err)
		}
	}
	if err := Verify(Remote(), key, ref); err != nil {
		t.Errorf("signed: %v", err)
	}
	other, _ := LoadPublicKey(otherPub)
	if err := Verify(Remote(), other, ref); !errors.Is(err, ErrUnsigned) {
		t.Errorf("another key: %v, want ErrUnsigned", err)
	}
	sigs, err := remote.Image(SigTag(ref))
	if err != nil {
		t.Fatal(err)
	}
	if layers, _ := sigs.Layers(); len(layers) != 1 {
		t.Errorf("%d signature layers after signing twice, want 1", len(layers))
	}
}
