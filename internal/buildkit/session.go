package buildkit

import (
	"io"

	"github.com/docker/cli/cli/config"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth/authprovider"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
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

// FileSecret gives a solve the file at path as the secret id: mounted into
// the steps that ask for it, never stored in a layer or the cache.
func FileSecret(id, path string) (session.Attachable, error) {
	store, err := secretsprovider.NewStore([]secretsprovider.Source{{ID: id, FilePath: path}})
	if err != nil {
		return nil, err
	}
	return secretsprovider.NewSecretProvider(store), nil
}
