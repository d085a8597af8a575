//go:build tools

// Package tools pins the engines this wrapper module builds; see tools/engines/src/catalog.ts.
package tools

import (
	// The CLI: `kyverno test` of the ClusterPolicy.
	_ "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno"
	// The admission controller, run out of cluster by the admission drill (tools/e2e).
	_ "github.com/kyverno/kyverno/cmd/kyverno"
)
