//go:build tools

// Package tools pins the engine this wrapper module builds; see tools/engines/src/catalog.ts.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
