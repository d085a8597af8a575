// Command signet-verifier answers Kyverno's image verification calls (`POST /checkimages`) with
// Notation: it verifies each image's signatures in its registry against the TrustPolicy the request
// names, using the TrustPolicy and TrustStore custom resources (notation.nirmata.io/v1alpha1) that
// the eks stack installs.
//
// It takes kyverno-notation-aws v1.1's flags and environment, so the eks stack's objects run it as
// they are rendered; what it does differently is listed in docs/testing.md (the admission drill).
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	// The signature envelope formats Notation signs with: registered by import.
	_ "github.com/notaryproject/notation-core-go/signature/cose"
	_ "github.com/notaryproject/notation-core-go/signature/jws"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "signet-verifier:", err)
		os.Exit(1)
	}
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func run() error {
	var (
		cacheEnabled         = flag.Bool("cacheEnabled", true, "keep verified answers for --cacheTTLDurationSeconds")
		cacheMaxSize         = flag.Int("cacheMaxSize", 1000, "verified answers kept at most")
		cacheTTL             = flag.Int("cacheTTLDurationSeconds", 3600, "seconds a verified answer is kept")
		pluginConfigMap      = flag.String("pluginConfigMap", "notation-plugin-config", "ConfigMap (in the verifier's namespace) of plugin configuration; empty for none")
		allowInsecure        = flag.Bool("allowInsecureRegistry", false, "reach registries over plain HTTP")
		maxSignatureAttempts = flag.Int("maxSignatureAttempts", 30, "signatures tried per image at most")
		reviewToken          = flag.Bool("reviewKyvernoToken", true, "require a bearer token of an allowed user (TokenReview)")
		allowedUsers         = flag.String("allowedUsers", "system:serviceaccount:kyverno:kyverno-admission-controller", "comma-separated users allowed to call")
		tokenAudiences       = flag.String("tokenReviewAudiences", "", "comma-separated audiences the caller's token must have (empty: the API server's)")
		listen               = flag.String("listen", ":9443", "HTTPS address")
		trustRefresh         = flag.Duration("trustRefresh", 2*time.Second, "how often the TrustPolicy and TrustStore resources are re-read")
		apiServer            = flag.String("apiServer", "", "API server URL when out of cluster (default: in-cluster)")
		apiCA                = flag.String("apiCA", "", "CA of the API server when out of cluster")
		apiClientCert        = flag.String("apiClientCert", "", "client certificate when out of cluster")
		apiClientKey         = flag.String("apiClientKey", "", "client key when out of cluster")
	)
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	namespace := os.Getenv("POD_NAMESPACE")
	if namespace == "" {
		return errors.New("POD_NAMESPACE is not set (the verifier's namespace, where its TLS secret is)")
	}
	service := env("SERVICE_NAME", "svc")
	tlsSecret := fmt.Sprintf("%s.%s.svc.tls-pair", service, namespace)
	if *cacheTTL < 1 || *cacheMaxSize < 1 || *maxSignatureAttempts < 1 {
		return errors.New("--cacheTTLDurationSeconds, --cacheMaxSize and --maxSignatureAttempts must be positive")
	}

	kube, err := newKubeClient(kubeOptions{server: *apiServer, caFile: *apiCA, clientCert: *apiClientCert, clientKey: *apiClientKey})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	t := &trust{kube: kube, pluginDir: filepath.Join(env("NOTATION_DIR", "/notation"), "plugins")}
	if _, err := t.load(ctx); err != nil {
		return fmt.Errorf("loading the trust resources: %w", err)
	}
	go refreshTrust(ctx, log, t, *trustRefresh)

	certs := &tlsPair{kube: kube, path: "/api/v1/namespaces/" + namespace + "/secrets/" + tlsSecret}
	if err := certs.load(ctx); err != nil {
		return fmt.Errorf("the TLS secret %s/%s: %w", namespace, tlsSecret, err)
	}
	go func() {
		for ctx.Err() == nil {
			time.Sleep(10 * time.Second)
			if err := certs.load(ctx); err != nil {
				log.Warn("reloading the TLS secret", "error", err)
			}
		}
	}()

	s := &server{
		log: log, kube: kube, trust: t,
		defaultTrustPolicy:   os.Getenv("DEFAULT_TRUST_POLICY"),
		maxSignatureAttempts: *maxSignatureAttempts,
		pluginConfigMap:      *pluginConfigMap,
		namespace:            namespace,
		plainHTTP:            *allowInsecure,
		// Anonymous registry access: credentials (ECR's) are not implemented.
		registryClient: &auth.Client{Client: retry.DefaultClient, Cache: auth.NewCache()},
	}
	if *cacheEnabled {
		s.cache = &verifiedCache{ttl: time.Duration(*cacheTTL) * time.Second, maxEntries: *cacheMaxSize}
	}
	if *reviewToken {
		s.review = &callerReview{allowedUsers: splitList(*allowedUsers), audiences: splitList(*tokenAudiences)}
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/checkimages", s.handleCheckImages)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	srv := &http.Server{
		Addr:              *listen,
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.get},
	}
	errs := make(chan error, 1)
	go func() { errs <- srv.ListenAndServeTLS("", "") }()
	log.Info("listening", "address", *listen, "tlsSecret", tlsSecret)
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	}
}

func refreshTrust(ctx context.Context, log *slog.Logger, t *trust, every time.Duration) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			changed, err := t.load(ctx)
			if err != nil {
				log.Warn("reloading the trust resources", "error", err)
			} else if changed {
				log.Info("trust resources changed; verified answers forgotten")
			}
		}
	}
}

func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// tlsPair serves the certificate of the verifier's TLS secret (type kubernetes.io/tls), the one
// Kyverno reads to pin the connection.
type tlsPair struct {
	kube *kubeClient
	path string
	mu   sync.RWMutex
	cert *tls.Certificate
}

func (p *tlsPair) load(ctx context.Context) error {
	var s secret
	if err := p.kube.do(ctx, http.MethodGet, p.path, nil, &s); err != nil {
		return err
	}
	if s.Type != "kubernetes.io/tls" {
		return fmt.Errorf("type %q, expected kubernetes.io/tls", s.Type)
	}
	cert, err := tls.X509KeyPair(s.Data["tls.crt"], s.Data["tls.key"])
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.cert = &cert
	p.mu.Unlock()
	return nil
}

func (p *tlsPair) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.cert, nil
}
