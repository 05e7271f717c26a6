package soak

import (
	"bufio"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Logged is one request the registry answered, from its access log.
type Logged struct {
	Method, Path string
	Query        url.Values
	Status       int
}

// accessLine is the access log's line: "PUT /v2/... HTTP/1.1" 201.
var accessLine = regexp.MustCompile(`"([A-Z]+) (/v2/[^ "]*) HTTP/[0-9.]+" ([0-9]{3}) `)

// Requests reads every request the registry logged in file.
func Requests(file string) ([]Logged, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Logged
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := accessLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		u, err := url.Parse(m[2])
		if err != nil {
			continue
		}
		status, _ := strconv.Atoi(m[3])
		out = append(out, Logged{Method: m[1], Path: u.Path, Query: u.Query(), Status: status})
	}
	return out, sc.Err()
}

// Repository is the repository a /v2/ path names, "" for none.
func (l Logged) Repository() string {
	p := strings.TrimPrefix(l.Path, "/v2/")
	for _, sep := range []string{"/blobs/", "/manifests/", "/tags/", "/referrers/"} {
		if i := strings.LastIndex(p, sep); i > 0 {
			return p[:i]
		}
	}
	return ""
}

// BlobUpload is the digest a completed blob upload (PUT
// .../blobs/uploads/...?digest=D answered 201) wrote, or "".
func (l Logged) BlobUpload() string {
	if l.Method != "PUT" || l.Status != 201 || !strings.Contains(l.Path, "/blobs/uploads/") {
		return ""
	}
	return l.Query.Get("digest")
}

// ManifestPut is the reference (tag or digest) a manifest was written
// under (PUT .../manifests/REF answered 201), or "".
func (l Logged) ManifestPut() string {
	i := strings.LastIndex(l.Path, "/manifests/")
	if l.Method != "PUT" || l.Status != 201 || i < 0 {
		return ""
	}
	return l.Path[i+len("/manifests/"):]
}

// BlobMount is the digest a mount (POST .../blobs/uploads/?mount=D&from=R
// answered 201) linked into the repository, or "".
func (l Logged) BlobMount() string {
	if l.Method != "POST" || l.Status != 201 {
		return ""
	}
	return l.Query.Get("mount")
}
