package main

import "strings"

// oneLine is err's message on one line: BuildKit and registries answer
// with lists ("errors:\ncode: message\n..."), and a failure must read as
// one line in a terminal, a log search and a GitHub ::error:: command.
func oneLine(err error) string {
	var b strings.Builder
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if s := b.String(); s != "" {
			if strings.HasSuffix(s, ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(l)
	}
	return b.String()
}
