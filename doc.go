// Package istiomab is istio-mab as a library: each command of the CLI is one
// call here (Build, Plan, ...), holding the pipeline's order (precheck,
// connect, up-to-date check, resolve, lock, run, finish) so a platform
// team's own release tool or a controller can embed a rebuild without
// copying the CLI. Each request also has a text form (BuildFlags, VerifyFlags,
// ...) whose Request method checks it as the CLI does, and ReadConfig reads
// the CLI's config file, so a tool taking the same settings gets the same
// errors. It also holds the repository-root data embedded in the binary
// (platforms.yaml).
//
// The stages live in the folders below, in the pipeline's order: recipes,
// plan, resolve, run, publish, carry; report formats results.
package istiomab
