#!/usr/bin/env bash
# Checks the project's own workflows and the example rebuild workflow users
# copy (docs/examples/), with the actionlint scripts/install-actionlint.sh built.
source "$(dirname "$0")/lib.sh"
ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
cd "${ROOT}"
"${CACHE}/actionlint-${ACTIONLINT_VERSION}/actionlint" -no-color \
  .github/workflows/*.yml docs/examples/github-actions/*.yml
log "workflows pass actionlint ${ACTIONLINT_VERSION}"
