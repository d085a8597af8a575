#!/usr/bin/env bash
# Lint, typecheck, test and build what changed against a base.
# Usage: pnpm affected [base]   (default: origin/main when it exists, else HEAD~1)
set -euo pipefail
base="${1:-}"
if [[ -z "${base}" ]]; then
  if git rev-parse --verify --quiet origin/main >/dev/null; then
    base=origin/main
  else
    base=HEAD~1
  fi
fi
exec pnpm exec nx affected -t lint typecheck test build --base="${base}" --head=HEAD --outputStyle=stream
