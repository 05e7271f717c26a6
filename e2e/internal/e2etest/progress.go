package e2etest

import (
	"bufio"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// CompletedVertices parses --progress rawjson output: name -> whether every
// completion of that vertex was a cache hit.
func CompletedVertices(t *testing.T, rawjson string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(rawjson))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var status struct {
			Vertexes []struct {
				Name      string `json:"name"`
				Cached    bool   `json:"cached"`
				Completed any    `json:"completed"`
			} `json:"vertexes"`
		}
		if json.Unmarshal(sc.Bytes(), &status) != nil {
			continue
		}
		for _, v := range status.Vertexes {
			if v.Completed == nil {
				continue
			}
			prev, seen := out[v.Name]
			out[v.Name] = v.Cached && (prev || !seen)
		}
	}
	return out
}

// FailedVertices parses --progress rawjson output: the names of the
// vertices that ended with an error, in the order they failed.
func FailedVertices(t *testing.T, rawjson string) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(strings.NewReader(rawjson))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var status struct {
			Vertexes []struct {
				Name  string `json:"name"`
				Error string `json:"error"`
			} `json:"vertexes"`
		}
		if json.Unmarshal(sc.Bytes(), &status) != nil {
			continue
		}
		for _, v := range status.Vertexes {
			if v.Error != "" && !slices.Contains(out, v.Name) && !strings.Contains(v.Error, "context canceled") {
				out = append(out, v.Name)
			}
		}
	}
	return out
}

// ProgressLogs is every step's output in --progress rawjson output, decoded
// (rawjson carries it base64-encoded).
func ProgressLogs(t *testing.T, rawjson string) string {
	t.Helper()
	var out strings.Builder
	sc := bufio.NewScanner(strings.NewReader(rawjson))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var status struct {
			Logs []struct {
				Data []byte `json:"data"`
			} `json:"logs"`
		}
		if json.Unmarshal(sc.Bytes(), &status) != nil {
			continue
		}
		for _, l := range status.Logs {
			out.Write(l.Data)
		}
	}
	return out.String()
}
