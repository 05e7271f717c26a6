package plan

// Go is how the module download reaches modules: the settings users set for
// go itself, and their CA and .netrc. Compiles never reach the network.
type Go struct {
	Proxy string            `json:"proxy"`         // GOPROXY
	Env   map[string]string `json:"env,omitempty"` // GONOSUMDB, GOPRIVATE, GOSUMDB, GONOPROXY, GOINSECURE
	// CABundle is a PEM file (staged by Resolve) trusted by the download in
	// addition to the Go image's own CAs, e.g. a TLS-inspecting proxy's.
	CABundle string `json:"caBundle,omitempty"`
	// Netrc is the .netrc file given to the download as a BuildKit secret:
	// never in a layer, an argument or the log.
	Netrc string `json:"netrc,omitempty"`
}

// CABundleFile is the name the staged CABundle has in its directory, the
// name the module download looks for.
const CABundleFile = "ca.pem"

// DefaultGoProxy is upstream Go's default, used when GOPROXY is not set.
const DefaultGoProxy = "https://proxy.golang.org,direct"

// GoEnvNames are the go settings passed from istio-mab's environment to the
// module download, as the go command would read them.
var GoEnvNames = []string{"GONOSUMDB", "GONOSUMCHECK", "GOPRIVATE", "GOSUMDB", "GONOPROXY", "GOINSECURE"}
