package builder

import "github.com/istio-mab/istio-mab/builder/plan"

// Binaries are the paths each platform image of img must hold as
// executables for its platform, as Run checks them; import checks them again.
func Binaries(img plan.Image) []string { return binariesToCheck(img) }
