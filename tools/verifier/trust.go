package main

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"sort"
	"sync"

	"github.com/notaryproject/notation-go"
	"github.com/notaryproject/notation-go/dir"
	"github.com/notaryproject/notation-go/plugin"
	"github.com/notaryproject/notation-go/verifier"
	"github.com/notaryproject/notation-go/verifier/trustpolicy"
	"github.com/notaryproject/notation-go/verifier/truststore"
)

// The custom resources the verifier reads (cluster-scoped, group notation.nirmata.io, version
// v1alpha1): the same objects kyverno-notation-aws reads, so the eks stack's TrustPolicy and
// TrustStore apply unchanged.
const trustGroupVersion = "/apis/notation.nirmata.io/v1alpha1"

type trustPolicyResource struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version       string                    `json:"version"`
		TrustPolicies []trustpolicy.TrustPolicy `json:"trustPolicies"`
	} `json:"spec"`
}

type trustStoreResource struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		TrustStoreName string `json:"trustStoreName"`
		Type           string `json:"type"`
		CaBundle       string `json:"caBundle"`
	} `json:"spec"`
}

// memoryTrustStore is notation's X509TrustStore over the TrustStore resources: type/name → roots.
type memoryTrustStore map[string][]*x509.Certificate

func (s memoryTrustStore) GetCertificates(_ context.Context, storeType truststore.Type, name string) ([]*x509.Certificate, error) {
	certs, ok := s[string(storeType)+":"+name]
	if !ok || len(certs) == 0 {
		return nil, fmt.Errorf("no TrustStore resource of type %s named %s", storeType, name)
	}
	return certs, nil
}

func parseBundle(bundle string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := []byte(bundle)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("caBundle holds no PEM certificate")
	}
	return certs, nil
}

// trustSet is one consistent snapshot of the trust resources, with a notation verifier per TrustPolicy.
type trustSet struct {
	fingerprint string
	verifiers   map[string]notation.Verifier
	// errors of TrustPolicies that could not be turned into a verifier, by name: a request naming one
	// is refused with this reason.
	broken map[string]error
}

// trust keeps the current trustSet; a change of any TrustPolicy or TrustStore replaces it.
type trust struct {
	kube      *kubeClient
	pluginDir string
	mu        sync.RWMutex
	current   *trustSet
}

// load reads every TrustPolicy and TrustStore and rebuilds the verifiers when anything changed.
// It reports whether it did.
func (t *trust) load(ctx context.Context) (bool, error) {
	var policies struct {
		Items []trustPolicyResource `json:"items"`
	}
	if err := t.kube.do(ctx, "GET", trustGroupVersion+"/trustpolicies", nil, &policies); err != nil {
		return false, err
	}
	var stores struct {
		Items []trustStoreResource `json:"items"`
	}
	if err := t.kube.do(ctx, "GET", trustGroupVersion+"/truststores", nil, &stores); err != nil {
		return false, err
	}
	sort.Slice(policies.Items, func(i, j int) bool { return policies.Items[i].Metadata.Name < policies.Items[j].Metadata.Name })
	sort.Slice(stores.Items, func(i, j int) bool { return stores.Items[i].Metadata.Name < stores.Items[j].Metadata.Name })
	raw, err := json.Marshal([]any{policies.Items, stores.Items})
	if err != nil {
		return false, err
	}
	fingerprint := fmt.Sprintf("%x", sha256.Sum256(raw))
	t.mu.RLock()
	unchanged := t.current != nil && t.current.fingerprint == fingerprint
	t.mu.RUnlock()
	if unchanged {
		return false, nil
	}

	store := memoryTrustStore{}
	storeErrors := map[string]error{}
	for _, s := range stores.Items {
		certs, err := parseBundle(s.Spec.CaBundle)
		if err != nil {
			storeErrors[s.Spec.Type+":"+s.Spec.TrustStoreName] = fmt.Errorf("TrustStore %s: %w", s.Metadata.Name, err)
			continue
		}
		store[s.Spec.Type+":"+s.Spec.TrustStoreName] = certs
	}
	plugins := plugin.NewCLIManager(dir.NewSysFS(t.pluginDir))
	set := &trustSet{fingerprint: fingerprint, verifiers: map[string]notation.Verifier{}, broken: map[string]error{}}
	for _, p := range policies.Items {
		doc := &trustpolicy.Document{Version: p.Spec.Version, TrustPolicies: p.Spec.TrustPolicies}
		if err := doc.Validate(); err != nil {
			set.broken[p.Metadata.Name] = fmt.Errorf("TrustPolicy %s is invalid: %w", p.Metadata.Name, err)
			continue
		}
		if err := missingStore(doc, storeErrors); err != nil {
			set.broken[p.Metadata.Name] = fmt.Errorf("TrustPolicy %s: %w", p.Metadata.Name, err)
			continue
		}
		v, err := verifier.New(doc, store, plugins)
		if err != nil {
			set.broken[p.Metadata.Name] = fmt.Errorf("TrustPolicy %s: %w", p.Metadata.Name, err)
			continue
		}
		set.verifiers[p.Metadata.Name] = v
	}
	t.mu.Lock()
	t.current = set
	t.mu.Unlock()
	return true, nil
}

func missingStore(doc *trustpolicy.Document, storeErrors map[string]error) error {
	for _, statement := range doc.TrustPolicies {
		for _, ref := range statement.TrustStores {
			if err, bad := storeErrors[ref]; bad {
				return err
			}
		}
	}
	return nil
}

// verifierFor is the notation verifier of the named TrustPolicy.
func (t *trust) verifierFor(name string) (notation.Verifier, string, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.current == nil {
		return nil, "", fmt.Errorf("the trust resources have not been loaded yet")
	}
	if err, bad := t.current.broken[name]; bad {
		return nil, "", err
	}
	v, ok := t.current.verifiers[name]
	if !ok {
		return nil, "", fmt.Errorf("no TrustPolicy named %q", name)
	}
	return v, t.current.fingerprint, nil
}
