package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// The service account files every Pod gets (https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/).
const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// kubeClient talks to the Kubernetes API over its REST API: in a Pod with the Pod's service account,
// out of cluster with a client certificate.
type kubeClient struct {
	base   string
	token  string
	client *http.Client
}

// kubeOptions locate the API server out of cluster; all empty means in-cluster.
type kubeOptions struct {
	server     string
	caFile     string
	clientCert string
	clientKey  string
}

func newKubeClient(opts kubeOptions) (*kubeClient, error) {
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	k := &kubeClient{}
	caFile := opts.caFile
	if opts.server == "" {
		host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
		if host == "" || port == "" {
			return nil, fmt.Errorf("not in a cluster (KUBERNETES_SERVICE_HOST/PORT unset) and no --apiServer given")
		}
		k.base = "https://" + net.JoinHostPort(host, port)
		token, err := os.ReadFile(serviceAccountDir + "/token")
		if err != nil {
			return nil, fmt.Errorf("reading the service account token: %w", err)
		}
		k.token = strings.TrimSpace(string(token))
		caFile = serviceAccountDir + "/ca.crt"
	} else {
		k.base = strings.TrimSuffix(opts.server, "/")
		if opts.clientCert == "" || opts.clientKey == "" {
			return nil, fmt.Errorf("--apiServer needs --apiClientCert and --apiClientKey")
		}
		pair, err := tls.LoadX509KeyPair(opts.clientCert, opts.clientKey)
		if err != nil {
			return nil, fmt.Errorf("loading the API client certificate: %w", err)
		}
		tlsConfig.Certificates = []tls.Certificate{pair}
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("reading the API server CA %s: %w", caFile, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
		}
		tlsConfig.RootCAs = pool
	}
	// Never through a proxy: the API server is reached directly.
	k.client = &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: tlsConfig, Proxy: nil},
	}
	return k, nil
}

// do sends one request and decodes a 2xx JSON answer into out.
func (k *kubeClient) do(ctx context.Context, method, path string, body, out any) error {
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, k.base+path, reader)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if k.token != "" {
		req.Header.Set("Authorization", "Bearer "+k.token)
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return &apiError{status: resp.StatusCode, method: method, path: path, body: string(data)}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

type apiError struct {
	status       int
	method, path string
	body         string
}

func (e *apiError) Error() string {
	var status struct {
		Message string `json:"message"`
	}
	msg := e.body
	if json.Unmarshal([]byte(e.body), &status) == nil && status.Message != "" {
		msg = status.Message
	}
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.method, e.path, e.status, msg)
}

// secret is the part of a core/v1 Secret the verifier reads.
type secret struct {
	Type string            `json:"type"`
	Data map[string][]byte `json:"data"`
}

// configMap is the part of a core/v1 ConfigMap the verifier reads.
type configMap struct {
	Data map[string]string `json:"data"`
}

// tokenReview asks the API server who a bearer token belongs to (authentication.k8s.io/v1).
type tokenReview struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		Token     string   `json:"token"`
		Audiences []string `json:"audiences,omitempty"`
	} `json:"spec"`
	Status struct {
		Authenticated bool     `json:"authenticated"`
		Audiences     []string `json:"audiences"`
		Error         string   `json:"error"`
		User          struct {
			Username string `json:"username"`
		} `json:"user"`
	} `json:"status"`
}

func (k *kubeClient) reviewToken(ctx context.Context, token string, audiences []string) (*tokenReview, error) {
	review := &tokenReview{APIVersion: "authentication.k8s.io/v1", Kind: "TokenReview"}
	review.Spec.Token = token
	review.Spec.Audiences = audiences
	var answer tokenReview
	if err := k.do(ctx, http.MethodPost, "/apis/authentication.k8s.io/v1/tokenreviews", review, &answer); err != nil {
		return nil, err
	}
	return &answer, nil
}
