package buildkit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moby/buildkit/client"
	_ "github.com/moby/buildkit/client/connhelper/dockercontainer" // docker-container:// addresses, as buildx
	_ "github.com/moby/buildkit/client/connhelper/kubepod"         // kube-pod:// addresses
	_ "github.com/moby/buildkit/client/connhelper/ssh"             // ssh:// addresses
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// DefaultAddress is BuildKit's standard socket, used when neither the flag
// nor $BUILDKIT_HOST names one.
const DefaultAddress = "unix:///run/buildkit/buildkitd.sock"

// TLS is the mTLS setup of a tcp:// node, as buildctl's --tlscacert,
// --tlscert, --tlskey and --tlsservername; all empty for other addresses.
type TLS struct {
	CA, Cert, Key, ServerName string
}

// Client is one connected BuildKit node. Every solve it runs shows in prog.
type Client struct {
	c    *client.Client
	addr string
	prog *Progress
}

// Connect dials the node at addr and checks it answers, so a wrong address
// fails before anything is built. prog may be nil (no display).
func Connect(ctx context.Context, addr string, tls TLS, prog *Progress) (*Client, error) {
	c, err := client.New(ctx, addr, tlsOpts(tls)...)
	if err != nil {
		return nil, unreachable(addr, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := c.Info(ctx); err != nil {
		c.Close()
		return nil, unreachable(addr, err)
	}
	return &Client{c: c, addr: addr, prog: prog}, nil
}

func tlsOpts(t TLS) []client.ClientOpt {
	var opts []client.ClientOpt
	if t.CA != "" || t.ServerName != "" {
		opts = append(opts, client.WithServerConfig(t.ServerName, t.CA))
	}
	if t.Cert != "" || t.Key != "" {
		opts = append(opts, client.WithCredentials(t.Cert, t.Key))
	}
	return opts
}

func unreachable(addr string, err error) error {
	return fmt.Errorf("BuildKit node %s is unreachable (%s): start buildkitd there, or fix --buildkit-addr / --builder / $BUILDKIT_HOST", addr, dialCause(err))
}

// rootCause keeps error lines short: gRPC wraps the dial error several times.
func rootCause(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

// dialCause keeps the last clause of gRPC's nested dial error, e.g.
// "connect: no such file or directory".
func dialCause(err error) string {
	msg := rootCause(err).Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return strings.TrimSuffix(msg, "\"")
}

// Close releases the connection.
func (c *Client) Close() error { return c.c.Close() }

// Address is where the node was dialled.
func (c *Client) Address() string { return c.addr }

// Platforms lists what the node's workers can build, the first being native.
func (c *Client) Platforms(ctx context.Context) ([]ocispecs.Platform, error) {
	workers, err := c.c.ListWorkers(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing BuildKit workers at %s: %w", c.addr, err)
	}
	if len(workers) == 0 {
		return nil, fmt.Errorf("BuildKit node %s has no workers", c.addr)
	}
	return workers[0].Platforms, nil
}
