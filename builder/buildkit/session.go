package buildkit

import (
	"io"

	"github.com/docker/cli/cli/config"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth/authprovider"
)

// attachables give the daemon registry credentials through the session, read
// from the docker config file and its credential helpers: they never enter
// argv, build args or image history.
func attachables() []session.Attachable {
	cfg := config.LoadDefaultConfigFile(io.Discard)
	return []session.Attachable{authprovider.NewDockerAuthProvider(authprovider.DockerAuthProviderConfig{
		AuthConfigProvider: authprovider.LoadAuthConfig(cfg),
	})}
}
