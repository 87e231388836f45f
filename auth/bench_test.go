package auth

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// BenchmarkCacheTokenCached is the hot path of every hover, code lens and
// request: a token that is still good.
func BenchmarkCacheTokenCached(b *testing.B) {
	k := loadedKey(b)
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
	k := loadedKey(b)
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

// loadedKey is a key as the server holds it: parsed from its file.
func loadedKey(b *testing.B) *ServiceKey {
	data, _ := json.Marshal(map[string]any{"uaa": map[string]string{
		"url": "https://uaa.example.com", "clientid": testClientID, "clientsecret": testSecret,
	}})
	k, err := ParseKey("dox.json", data)
	if err != nil {
		b.Fatal(err)
	}
	return k
}
