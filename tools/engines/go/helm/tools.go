//go:build tools

// Package tools pins the engines this wrapper module builds; see tools/engines/src/catalog.ts.
package tools

import (
	// `helm template` of Kyverno's chart with the values the eks stack renders.
	_ "helm.sh/helm/v3/cmd/helm"
)
