package install

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// A rerun of an interrupted import writes a chart already there again
// neither by digest nor by tag: it only asks.
func TestArtefactWriteAndTagSkipWhatIsThere(t *testing.T) {
	c, err := Package(filepath.Join(fixtureCharts, "base"), "1.22.0", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewArtefact(c)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var writes []string
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			mu.Lock()
			writes = append(writes, r.Method+" "+r.URL.Path)
			mu.Unlock()
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	repo, err := name.NewRepository(strings.TrimPrefix(srv.URL, "http://")+"/charts/base", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	opt := remote.WithContext(t.Context())
	for run := range 2 {
		writes = nil
		if err := a.Write(repo, opt); err != nil {
			t.Fatal(err)
		}
		if err := a.Tag(repo, opt); err != nil {
			t.Fatal(err)
		}
		if run == 0 && len(writes) == 0 || run == 1 && len(writes) > 0 {
			t.Errorf("run %d wrote %v", run+1, writes)
		}
	}
}
