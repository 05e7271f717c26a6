package buildkit

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/moby/buildkit/client"
)

// manifestTap passes a solve's statuses on and remembers the platform
// manifest its image exporter wrote: BuildKit's push error names only the
// repository when pushing by digest, and a user needs the digest refused.
type manifestTap struct {
	digest    string
	exporting bool // an exporter vertex started: the solve itself had finished
	noSpace   bool // a step's output said its disk was full (see diskFull)
	done      chan struct{}
}

const manifestStatus = "exporting manifest sha256:"

// tap returns the channel to give to Solve; out may be nil (no display).
func tapManifest(out chan *client.SolveStatus) (chan *client.SolveStatus, *manifestTap) {
	in := make(chan *client.SolveStatus)
	t := &manifestTap{done: make(chan struct{})}
	go func() {
		defer close(t.done)
		for s := range in {
			for _, v := range s.Vertexes {
				t.exporting = t.exporting || strings.HasPrefix(v.Name, "exporting ")
			}
			for _, l := range s.Logs {
				t.noSpace = t.noSpace || bytes.Contains(l.Data, []byte(enospc))
			}
			for _, st := range s.Statuses {
				if d, ok := strings.CutPrefix(st.ID, "exporting manifest "); ok && strings.HasPrefix(st.ID, manifestStatus) {
					t.digest = d
				}
			}
			if out != nil {
				out <- s
			}
		}
		if out != nil {
			close(out)
		}
	}()
	return in, t
}

// explain names the manifest in err once Solve has closed the channel.
func (t *manifestTap) explain(err error) error {
	<-t.done
	if t.digest == "" {
		return err
	}
	return fmt.Errorf("platform manifest %s: %w", t.digest, err)
}

// during says what the solve was doing when it ended, once Solve has closed
// the channel: exporting (pushing) its result, or still solving.
func (t *manifestTap) during() string {
	<-t.done
	if t.exporting {
		return "an export"
	}
	return "a solve"
}
