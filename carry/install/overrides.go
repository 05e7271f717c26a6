package install

import (
	"fmt"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The overrides a bundle carries, relative to its root.
const (
	ImagesFile   = "images.txt"
	ValuesFile   = "install/values.yaml"
	IstioctlFile = "install/istioctl.txt"
)

// Paths are where a bundle holds its install, for its contents file.
func Paths() []string { return []string{ChartsDir, ImagesFile, path.Dir(ValuesFile)} }

// Values is the Helm values file pointing every chart's images at hub:
// global.hub and global.tag, which istiod, the gateways and the CNI read.
func Values(hub, tag string) []byte {
	b, _ := yaml.Marshal(map[string]any{"global": map[string]string{"hub": hub, "tag": tag}})
	return b
}

// Istioctl is the istioctl install command for hub and tag.
func Istioctl(hub, tag string) string {
	return fmt.Sprintf("istioctl install --set hub=%s --set tag=%s\n", hub, tag)
}

// ChartSets are the --set flags a chart needs beyond Values: charts
// whose values name their own top-level hub (ztunnel up to 1.23 reads
// .Values.hub, never global.hub: istio/istio#57215) get hub and tag set
// directly.
func ChartSets(c Chart, hub, tag string) []string {
	var v struct {
		Defaults map[string]any `yaml:"defaults"`
		Hub      *string        `yaml:"hub"`
	}
	if yaml.Unmarshal(c.Values, &v) != nil {
		return nil
	}
	if _, ok := v.Defaults["hub"]; ok || v.Hub != nil {
		return []string{"--set", "hub=" + hub, "--set", "tag=" + tag}
	}
	return nil
}

// HelmInstall is the helm install command of chart c pushed under hub, with
// the values file at values.
func HelmInstall(c Chart, hub, tag, values string) string {
	args := []string{"helm", "install", release(c.Name), "oci://" + ChartRepo(hub, c.Name), "--version", c.Version, "-n", "istio-system", "-f", values}
	args = append(args, ChartSets(c, hub, tag)...)
	return strings.Join(args, " ")
}

// release names the Helm release as Istio's install guide does.
func release(chart string) string {
	switch chart {
	case "base":
		return "istio-base"
	case "gateway":
		return "istio-ingressgateway"
	}
	return chart
}

// ChartRepo is where chart name is pushed under hub: H/charts/NAME.
func ChartRepo(hub, name string) string {
	return strings.TrimSuffix(hub, "/") + "/" + ChartsDir + "/" + name
}
