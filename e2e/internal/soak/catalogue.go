package soak

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// Kind is one entry of the fault catalogue, each as e2e/faults does it.
type Kind string

// The catalogue. The first five are rules on the fault proxy in front of
// the hub; the last two act on processes the soak owns.
const (
	Status5xx       Kind = "503"              // blob upload starts answered 503 (faults case 2)
	Reset           Kind = "reset"            // blob upload starts cut by a TCP reset (case 2)
	Slow            Kind = "slow"             // upload requests held before they are forwarded
	RateLimit       Kind = "429"              // the list PUT answered 429 with Retry-After (case 3)
	Lag             Kind = "lag"              // a new child's HEAD answers 404 after the list PUT (case 7)
	NodeKill        Kind = "buildkitd kill"   // the node's buildkitd SIGKILLed mid-push (case 9)
	RegistryRestart Kind = "registry restart" // the registry SIGKILLed mid-push, back after Down
)

// ProxyKinds are the faults drawn at random for every run.
var ProxyKinds = []Kind{Status5xx, Reset, Slow, RateLimit, Lag}

// Fault is one drawn fault with its seeded parameters.
type Fault struct {
	Kind  Kind
	Times int           // requests faulted (proxy kinds); the upload start that triggers (process kinds)
	Wait  time.Duration // Slow's hold, RateLimit's Retry-After, RegistryRestart's time down
}

func (f Fault) String() string {
	switch f.Kind {
	case Slow:
		return fmt.Sprintf("slow %s ×%d", f.Wait, f.Times)
	case RateLimit:
		return fmt.Sprintf("429 Retry-After %d ×%d", int(f.Wait.Seconds()), f.Times)
	case NodeKill:
		return fmt.Sprintf("buildkitd kill at upload %d", f.Times)
	case RegistryRestart:
		return fmt.Sprintf("registry restart at upload %d (down %s)", f.Times, f.Wait)
	}
	return fmt.Sprintf("%s ×%d", f.Kind, f.Times)
}

// Request paths on the proxy.
var (
	blobUpload = regexp.MustCompile(`^/v2/.+/blobs/uploads/`)
	childHead  = regexp.MustCompile(`^/v2/.+/manifests/sha256:`)
	// BlobUploadPath is blobUpload's pattern, for faultproxy.Proxy.Count.
	BlobUploadPath = blobUpload.String()
)

// Rule is the proxy rule that makes a proxy kind's fault; ok is false for
// the process kinds, which the runner acts out itself.
func (f Fault) Rule() (faultproxy.Rule, bool) {
	switch f.Kind {
	case Status5xx:
		return faultproxy.Rule{Method: http.MethodPost, Path: blobUpload, Times: f.Times,
			Fault: faultproxy.Fault{Status: http.StatusServiceUnavailable}}, true
	case Reset:
		return faultproxy.Rule{Method: http.MethodPost, Path: blobUpload, Times: f.Times,
			Fault: faultproxy.Fault{Reset: true}}, true
	case Slow:
		return faultproxy.Rule{Path: blobUpload, Times: f.Times, Fault: faultproxy.Fault{Delay: f.Wait}}, true
	case RateLimit:
		return faultproxy.Rule{Method: http.MethodPut, Times: f.Times,
			Header: map[string]string{"Content-Type": string(types.OCIImageIndex)},
			Fault: faultproxy.Fault{Status: http.StatusTooManyRequests,
				Header: http.Header{"Retry-After": {strconv.Itoa(int(f.Wait.Seconds()))}}}}, true
	case Lag:
		return faultproxy.Rule{Method: http.MethodHead, Path: childHead, Times: f.Times,
			Fault: faultproxy.Fault{Status: http.StatusNotFound}}, true
	}
	return faultproxy.Rule{}, false
}
