// Package carry carries Istio releases across an air gap: an OCI layout
// with a contents file (istio-mab.json) naming every list, its platform
// images and the files beside it; export from a registry into such a
// layout, import from it into an internal registry, and mirroring of
// releases upstream published multi-arch. Digests never change on the way:
// lists and manifests are copied as bytes, never rebuilt. A bundle carries
// one checksum over all its files (checksum.go), and may be a delta on an
// earlier bundle, leaving out the layers that one carried (LeaveOut). A
// bundle to import is read as hostile: its tar entries are checked before
// they are written (Unpack), its checksum and layout before any request to
// a registry (Vet), a delta's base layers at the registry before any write.
package carry
