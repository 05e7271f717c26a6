package istiomab

import "fmt"

// A tool that takes istio-mab's settings as text (say from its own config)
// gets the CLI's checks and messages: here a Docker Hub shorthand is
// resolved, and a bad count is refused naming the flag.
func ExampleBuildFlags_Request() {
	f := BuildFlags{
		Release: ReleaseFlags{Version: "1.22.0", Hub: "myreg", Platforms: "linux/arm64"},
		Inputs:  InputFlags{Source: "https://github.com/istio/istio.git"},
		Nodes:   NodeFlags{Jobs: 4, CompileJobs: 2, Progress: "quiet"},
	}
	req, err := f.Request(func(note string) { fmt.Println("note:", note) })
	fmt.Println(req.Options.Hub, req.Options.Platforms[0].Architecture, req.Options.Source.Ref, err)

	f.Nodes.Jobs = 0
	_, err = f.Request(nil)
	fmt.Println(err, ExitCode(err))
	// Output:
	// note: hub myreg resolves to docker.io/myreg (Docker Hub); name a registry host to push elsewhere
	// docker.io/myreg arm64 refs/tags/1.22.0 <nil>
	// --jobs 0: want at least 1 2
}
