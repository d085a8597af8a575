package main

import (
	"testing"
	"time"
)

func TestReferenceOfKyvernoImage(t *testing.T) {
	cases := map[string]imageInfo{
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com/signet-dev/app@sha256:ab": {Registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", Path: "signet-dev/app", Tag: "v1", Digest: "sha256:ab"},
		"docker.io/library/nginx:latest":                                        {Registry: "docker.io", Path: "library/nginx", Tag: "latest"},
	}
	for want, info := range cases {
		if got := info.reference(); got != want {
			t.Errorf("reference() = %q, want %q", got, want)
		}
	}
}

func TestImageReferencePatterns(t *testing.T) {
	ref := "r.example/team/app@sha256:ab"
	for pattern, want := range map[string]bool{"*": true, "r.example/*": true, "r.example/team/app@*": true, "r.example/other/*": false, "?.example/*": true} {
		if got := matchesAny([]string{pattern}, ref); got != want {
			t.Errorf("matchesAny(%q) = %v, want %v", pattern, got, want)
		}
	}
	if !matchesAny(nil, ref) {
		t.Error("no pattern must match every image")
	}
}

func TestCacheForgetsOnTrustChangeAndExpiry(t *testing.T) {
	c := &verifiedCache{ttl: 50 * time.Millisecond, maxEntries: 10}
	c.put("snapshot-1", "policy\x00ref", "sha256:ab")
	if d, ok := c.get("snapshot-1", "policy\x00ref"); !ok || d != "sha256:ab" {
		t.Fatalf("cached answer not found: %q %v", d, ok)
	}
	if _, ok := c.get("snapshot-2", "policy\x00ref"); ok {
		t.Error("an answer of an older trust snapshot was served")
	}
	time.Sleep(60 * time.Millisecond)
	if _, ok := c.get("snapshot-1", "policy\x00ref"); ok {
		t.Error("an expired answer was served")
	}
	var off *verifiedCache
	off.put("s", "k", "d")
	if _, ok := off.get("s", "k"); ok {
		t.Error("a disabled cache answered")
	}
}
