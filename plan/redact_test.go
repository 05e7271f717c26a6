package plan

import "testing"

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:s3cr3t@github.com/istio/istio.git":            "https://redacted@github.com/istio/istio.git",
		"https://ghp_TOKEN@github.com/istio/istio.git":              "https://redacted@github.com/istio/istio.git",
		"https://bucket.example.com/envoy.tar.gz?X-Amz-Signature=1": "https://bucket.example.com/envoy.tar.gz?redacted",
		"git://127.0.0.1:19418/istio.git":                           "git://127.0.0.1:19418/istio.git",
		"/home/me/envoy":                                            "/home/me/envoy",
		"registry.example.com/istio/proxyv2:1.14.3":                 "registry.example.com/istio/proxyv2:1.14.3",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScrub(t *testing.T) {
	secrets := Secrets("https://user:s3cr3t@github.com/istio/istio.git", "http://tok@h/e.tar.gz?sig=abc", "git://plain/x.git")
	got := Scrub(`Get "http://tok@h/e.tar.gz?sig=abc": failed; fetch https://user:s3cr3t@github.com/istio/istio.git`, secrets)
	want := `Get "http://redacted@h/e.tar.gz?redacted": failed; fetch https://redacted@github.com/istio/istio.git`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
