package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/notaryproject/notation-go"
	notationregistry "github.com/notaryproject/notation-go/registry"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// imageInfo is one entry of Kyverno's `images` variable (pkg/utils/image ImageInfo in Kyverno 1.19).
type imageInfo struct {
	Registry string `json:"registry"`
	Path     string `json:"path"`
	Tag      string `json:"tag"`
	Digest   string `json:"digest"`
	Pointer  string `json:"jsonPointer"`
}

func (i imageInfo) reference() string {
	name := i.Path
	if i.Registry != "" {
		name = i.Registry + "/" + i.Path
	}
	if i.Digest != "" {
		return name + "@" + i.Digest
	}
	return name + ":" + i.Tag
}

// checkRequest is the body Kyverno POSTs to /checkimages (the ClusterPolicy's apiCall data): the
// request's images by container kind and name, the image patterns to verify, the TrustPolicy to use.
type checkRequest struct {
	Images struct {
		Containers          map[string]imageInfo `json:"containers"`
		InitContainers      map[string]imageInfo `json:"initContainers"`
		EphemeralContainers map[string]imageInfo `json:"ephemeralContainers"`
	} `json:"images"`
	ImageReferences []string `json:"imageReferences"`
	TrustPolicy     string   `json:"trustPolicy"`
}

// patchOperation pins a verified image to its digest (a JSON patch operation, as upstream answers).
type patchOperation struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value string `json:"value"`
}

// checkResponse is the answer: `verified` true only when every image verified.
type checkResponse struct {
	Verified bool             `json:"verified"`
	Message  string           `json:"message,omitempty"`
	Results  []patchOperation `json:"results"`
}

// verifiedCache remembers verified digests per TrustPolicy and image for a TTL. Entries belong to
// one snapshot of the trust resources: a changed TrustPolicy or TrustStore empties it.
type verifiedCache struct {
	mu         sync.Mutex
	ttl        time.Duration
	maxEntries int
	snapshot   string
	entries    map[string]cacheEntry
}

type cacheEntry struct {
	digest  string
	expires time.Time
}

func (c *verifiedCache) get(snapshot, key string) (string, bool) {
	if c == nil {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snapshot != snapshot {
		return "", false
	}
	e, ok := c.entries[key]
	if !ok || time.Now().After(e.expires) {
		delete(c.entries, key)
		return "", false
	}
	return e.digest, true
}

func (c *verifiedCache) put(snapshot, key, digest string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snapshot != snapshot {
		c.snapshot, c.entries = snapshot, map[string]cacheEntry{}
	}
	if len(c.entries) >= c.maxEntries {
		c.entries = map[string]cacheEntry{}
	}
	c.entries[key] = cacheEntry{digest: digest, expires: time.Now().Add(c.ttl)}
}

// server answers Kyverno's verification calls.
type server struct {
	log                  *slog.Logger
	kube                 *kubeClient
	trust                *trust
	cache                *verifiedCache
	defaultTrustPolicy   string
	maxSignatureAttempts int
	pluginConfigMap      string
	namespace            string
	plainHTTP            bool
	review               *callerReview
	registryClient       *auth.Client
}

// callerReview decides who may call: the bearer token's user must be allowed (and, with audiences,
// the token must be of one of them).
type callerReview struct {
	allowedUsers []string
	audiences    []string
}

func (s *server) authorize(r *http.Request) (int, error) {
	if s.review == nil {
		return 0, nil
	}
	header := r.Header.Get("Authorization")
	token, found := strings.CutPrefix(header, "Bearer ")
	if !found || token == "" {
		return http.StatusUnauthorized, errors.New("no bearer token")
	}
	review, err := s.kube.reviewToken(r.Context(), token, s.review.audiences)
	if err != nil {
		return http.StatusServiceUnavailable, fmt.Errorf("token review failed: %w", err)
	}
	if !review.Status.Authenticated {
		return http.StatusUnauthorized, fmt.Errorf("token not authenticated: %s", review.Status.Error)
	}
	for _, user := range s.review.allowedUsers {
		if user == review.Status.User.Username {
			return 0, nil
		}
	}
	return http.StatusForbidden, fmt.Errorf("%s may not call the verifier", review.Status.User.Username)
}

func (s *server) handleCheckImages(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "only POST", http.StatusMethodNotAllowed)
		return
	}
	if status, err := s.authorize(r); err != nil {
		s.log.Warn("caller refused", "error", err)
		http.Error(w, err.Error(), status)
		return
	}
	var req checkRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		http.Error(w, "the request is not the JSON of a verification request: "+err.Error(), http.StatusBadRequest)
		return
	}
	answer := s.check(r.Context(), &req)
	w.Header().Set("Content-Type", "application/json")
	// A refusal is an answer, not an error: Kyverno reads `verified` and `message`.
	if err := json.NewEncoder(w).Encode(answer); err != nil {
		s.log.Warn("writing the answer", "error", err)
	}
}

type namedImage struct {
	kind, name string
	info       imageInfo
}

func (s *server) check(ctx context.Context, req *checkRequest) checkResponse {
	policy := req.TrustPolicy
	if policy == "" {
		policy = s.defaultTrustPolicy
	}
	var images []namedImage
	for kind, m := range map[string]map[string]imageInfo{
		"container": req.Images.Containers, "init container": req.Images.InitContainers,
		"ephemeral container": req.Images.EphemeralContainers,
	} {
		for name, info := range m {
			images = append(images, namedImage{kind, name, info})
		}
	}
	sort.Slice(images, func(i, j int) bool { return images[i].kind+images[i].name < images[j].kind+images[j].name })
	if len(images) == 0 {
		return checkResponse{Verified: false, Message: "the request names no image"}
	}
	v, snapshot, err := s.trust.verifierFor(policy)
	if err != nil {
		return checkResponse{Verified: false, Message: err.Error()}
	}
	pluginConfig, err := s.pluginConfig(ctx)
	if err != nil {
		return checkResponse{Verified: false, Message: err.Error()}
	}
	answer := checkResponse{Verified: true, Results: []patchOperation{}}
	for _, img := range images {
		ref := img.info.reference()
		if !matchesAny(req.ImageReferences, ref) {
			continue
		}
		digest, err := s.verifyOne(ctx, v, snapshot, policy, ref, pluginConfig)
		if err != nil {
			s.log.Info("not verified", "image", ref, "trustPolicy", policy, "error", err)
			return checkResponse{Verified: false, Message: fmt.Sprintf("%s %s: image %s: %v", img.kind, img.name, ref, err)}
		}
		if img.info.Pointer != "" {
			answer.Results = append(answer.Results, patchOperation{Op: "replace", Path: img.info.Pointer, Value: withDigest(ref, digest)})
		}
	}
	return answer
}

func (s *server) verifyOne(ctx context.Context, v notation.Verifier, snapshot, policy, ref string, pluginConfig map[string]string) (string, error) {
	key := policy + "\x00" + ref
	if digest, ok := s.cache.get(snapshot, key); ok {
		return digest, nil
	}
	name := ref
	if at := strings.LastIndex(ref, "@"); at >= 0 {
		name = ref[:at]
	} else if colon := strings.LastIndex(ref, ":"); colon > strings.LastIndex(ref, "/") {
		name = ref[:colon]
	}
	repo, err := remote.NewRepository(name)
	if err != nil {
		return "", fmt.Errorf("not an image reference: %w", err)
	}
	repo.Client = s.registryClient
	repo.PlainHTTP = s.plainHTTP
	desc, outcomes, err := notation.Verify(ctx, v, notationregistry.NewRepository(repo), notation.VerifyOptions{
		ArtifactReference:    ref,
		MaxSignatureAttempts: s.maxSignatureAttempts,
		PluginConfig:         pluginConfig,
	})
	if err != nil {
		return "", err
	}
	for _, o := range outcomes {
		if o.Error != nil {
			return "", o.Error
		}
	}
	digest := desc.Digest.String()
	s.cache.put(snapshot, key, digest)
	return digest, nil
}

func (s *server) pluginConfig(ctx context.Context) (map[string]string, error) {
	if s.pluginConfigMap == "" {
		return map[string]string{}, nil
	}
	var cm configMap
	p := "/api/v1/namespaces/" + s.namespace + "/configmaps/" + s.pluginConfigMap
	if err := s.kube.do(ctx, http.MethodGet, p, nil, &cm); err != nil {
		return nil, fmt.Errorf("plugin configuration: %w", err)
	}
	if cm.Data == nil {
		return map[string]string{}, nil
	}
	return cm.Data, nil
}

// matchesAny reports whether ref matches one of the patterns, where '*' matches any run of
// characters (slashes too) and '?' any one, as in Kyverno's imageReferences. No pattern means every
// image.
func matchesAny(patterns []string, ref string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if wildcard(p, ref) {
			return true
		}
	}
	return false
}

func wildcard(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if wildcard(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && wildcard(pattern[1:], s[1:])
	default:
		return s != "" && s[0] == pattern[0] && wildcard(pattern[1:], s[1:])
	}
}

func withDigest(ref, digest string) string {
	if at := strings.LastIndex(ref, "@"); at >= 0 {
		return ref[:at] + "@" + digest
	}
	return ref + "@" + digest
}
