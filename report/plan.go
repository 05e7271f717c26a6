package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
)

// PrintPlan writes p as text or (format "json") JSON, with the secrets
// (URL credentials, plan.Secrets) scrubbed from the JSON.
func PrintPlan(w io.Writer, p plan.Plan, format string, secrets []string) error {
	if format == "text" {
		plan.Render(w, p)
		return nil
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, plan.Scrub(string(b), secrets))
	return err
}

// PrintCheck writes one verified list: "ok" and its platforms, or one line
// per problem.
func PrintCheck(w io.Writer, check publish.ListCheck, problems []publish.Problem) {
	if len(problems) == 0 {
		fmt.Fprintf(w, "ok %s (%s)\n", check.Ref, plan.FormatAll(check.Platforms))
		return
	}
	for _, p := range problems {
		fmt.Fprintln(w, p.String())
	}
}
