package auth

import (
	"context"
	"testing"
	"time"
)

// BenchmarkCacheTokenCached is the hot path of every hover, code lens and
// request: a token that is still good.
func BenchmarkCacheTokenCached(b *testing.B) {
	k := &ServiceKey{ID: "dox.json", UAA: UAA{URL: "https://uaa.example.com", ClientID: testClientID, ClientSecret: testSecret}}
	cache := NewCache(NewClient(ClientOptions{}), 5*time.Minute)
	cache.Adopt(k, Token{AccessToken: "eyJ.x.y", ExpiresAt: time.Now().Add(12 * time.Hour)})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, cached, err := cache.Token(ctx, k, false); !cached || err != nil {
			b.Fatal("not served from the cache")
		}
	}
}

func BenchmarkCacheTokenCachedParallel(b *testing.B) {
	k := &ServiceKey{ID: "dox.json", UAA: UAA{URL: "https://uaa.example.com", ClientID: testClientID, ClientSecret: testSecret}}
	cache := NewCache(NewClient(ClientOptions{}), 5*time.Minute)
	cache.Adopt(k, Token{AccessToken: "eyJ.x.y", ExpiresAt: time.Now().Add(12 * time.Hour)})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			cache.Token(ctx, k, false)
		}
	})
}
