package compile

import (
	"github.com/istio-mab/istio-mab/plan"
	"github.com/moby/buildkit/client/llb"
)

const (
	// CALocal and NetrcSecret are the session names of the --ca-bundle
	// directory and the .netrc secret.
	CALocal     = "istio-mab-ca"
	NetrcSecret = "istio-mab-netrc"
	modOut      = "/gomod"
)

// downloadScript trusts the extra CAs beside the image's own (SSL_CERT_FILE
// replaces the system bundle, so both go in one file).
const downloadScript = `set -eu
if [ -f /etc/istio-mab-ca/` + plan.CABundleFile + ` ]; then
  cat /etc/ssl/certs/ca-certificates.crt /etc/istio-mab-ca/` + plan.CABundleFile + ` > /tmp/ca.pem 2>/dev/null || cp /etc/istio-mab-ca/` + plan.CABundleFile + ` /tmp/ca.pem
  export SSL_CERT_FILE=/tmp/ca.pem
fi
exec go mod download
`

// Modules downloads the source's modules once, on the node and Go image of
// b. Only go.mod and go.sum reach it, so BuildKit keeps its result until
// they change; every compile mounts the result read-only and runs offline.
func Modules(p plan.Plan, b plan.Binary, src llb.State) llb.State {
	mods := goModFiles(p, src)
	opts := []llb.RunOption{
		llb.Args([]string{"/bin/sh", "-c", downloadScript}),
		llb.Dir(srcDir),
		llb.AddEnv("PATH", goPath),
		llb.AddEnv("GOTOOLCHAIN", "local"),
		llb.AddEnv("GOFLAGS", "-mod=mod"),
		llb.AddEnv("GOMODCACHE", modOut),
		llb.AddEnv("GOPROXY", p.Go.Proxy),
		llb.AddMount(srcDir, mods, llb.Readonly),
		llb.WithCustomName("download Go modules (go.mod, go.sum)"),
	}
	for _, k := range sortedKeys(p.Go.Env) {
		opts = append(opts, llb.AddEnv(k, p.Go.Env[k]))
	}
	if p.Go.CABundle != "" {
		ca := llb.Local(CALocal, llb.IncludePatterns([]string{plan.CABundleFile}), llb.LocalUniqueID(CALocal))
		opts = append(opts, llb.AddMount("/etc/istio-mab-ca", ca, llb.Readonly))
	}
	if p.Go.Netrc != "" {
		opts = append(opts, llb.AddSecret("/root/.netrc", llb.SecretID(NetrcSecret), llb.SecretFileOpt(0, 0, 0o400)))
	}
	run := goImage(b).Run(opts...)
	return run.AddMount(modOut, llb.Scratch())
}

// goModFiles is the tree the download sees: go.mod, go.sum, and the go.mod
// of each directory a replace points at.
func goModFiles(p plan.Plan, src llb.State) llb.State {
	wildcard := &llb.CopyInfo{AllowWildcard: true, AllowEmptyWildcard: true, CreateDestPath: true}
	files := llb.Copy(src, "go.*", "/", wildcard)
	for _, dir := range p.Facts.LocalModules {
		files = files.Copy(src, dir+"/go.*", "/"+dir+"/", wildcard)
	}
	return llb.Scratch().File(files, llb.WithCustomName("go.mod and go.sum"))
}
