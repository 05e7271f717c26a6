// Package install is what a bundle carries to install the release it
// holds: the release's Helm charts packaged as helm packages them, the
// image references they render, and the overrides that point them at a hub
// (a Helm values file and istioctl's --set flags). Import rewrites the
// overrides for the internal hub and pushes the charts as OCI artefacts
// Helm 3.8+ installs from.
package install
