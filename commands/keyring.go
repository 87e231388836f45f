package commands

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/internal/fileuri"
)

// Keyring holds the service keys known in the workspace and which one is
// active.
type Keyring struct {
	mu       sync.Mutex
	folders  []string
	keys     map[string]*auth.ServiceKey
	loaded   map[string]bool // ids loaded by path; discovery keeps them
	active   string
	problems []error
	getenv   func(string) string
}

// NewKeyring returns an empty keyring for the given workspace folders.
func NewKeyring(folders []string, getenv func(string) string) *Keyring {
	return &Keyring{
		folders: folders,
		keys:    map[string]*auth.ServiceKey{},
		loaded:  map[string]bool{},
		getenv:  getenv,
	}
}

// SetFolders replaces the workspace folders.
func (r *Keyring) SetFolders(folders []string) {
	r.mu.Lock()
	r.folders = folders
	r.mu.Unlock()
}

// Discover scans the workspace folders (or the files that patterns name)
// and the environment. The setting serviceKey, when given, is loaded and
// made active. Problems are keyed files that failed to parse.
func (r *Keyring) Discover(s Settings, patterns []string) []error {
	r.mu.Lock()
	folders := append([]string(nil), r.folders...)
	r.mu.Unlock()

	found := map[string]*auth.ServiceKey{}
	var problems []error
	envKeys, err := auth.KeysFromEnv(r.getenv)
	if err != nil {
		problems = append(problems, err)
	}
	for _, k := range envKeys {
		found[k.ID] = k
	}
	for _, folder := range folders {
		keys, errs := auth.Discover(folder, auth.DiscoverOptions{Patterns: patterns})
		problems = append(problems, errs...)
		for _, k := range keys {
			if len(folders) > 1 {
				k.ID = filepath.ToSlash(filepath.Join(filepath.Base(folder), k.ID))
			}
			found[k.ID] = k
		}
	}

	r.mu.Lock()
	for id, k := range r.keys {
		if r.loaded[id] {
			found[id] = k
		}
	}
	r.keys = found
	r.problems = problems
	if _, ok := r.keys[r.active]; !ok {
		r.active = ""
	}
	if r.active == "" && len(r.keys) == 1 {
		for id := range r.keys {
			r.active = id
		}
	}
	r.mu.Unlock()

	if s.ServiceKey != "" {
		// A key from Cloud Foundry read before is kept: discovery runs at
		// every change of a watched file, and cf talks to the platform.
		if !auth.IsCFRef(s.ServiceKey) || r.Activate(s.ServiceKey) != nil {
			if _, err := r.Load(context.Background(), s.ServiceKey); err != nil {
				problems = append(problems, err)
			}
		}
	}
	return problems
}

// Load reads the key file at path (absolute, or relative to the first
// workspace folder), or the key cf:INSTANCE/KEY from Cloud Foundry, and
// makes it the active key.
func (r *Keyring) Load(ctx context.Context, path string) (*auth.ServiceKey, error) {
	if auth.IsCFRef(path) {
		key, err := auth.LoadCFKey(ctx, path)
		if err != nil {
			return nil, err
		}
		return r.activate(key), nil
	}
	r.mu.Lock()
	folders := append([]string(nil), r.folders...)
	r.mu.Unlock()
	if !filepath.IsAbs(path) && len(folders) > 0 {
		path = filepath.Join(folders[0], path)
	}
	key, err := auth.LoadKey(path)
	if err != nil {
		return nil, err
	}
	key.ID = keyID(folders, path)
	return r.activate(key), nil
}

// activate keeps key, loaded explicitly, as the active key.
func (r *Keyring) activate(key *auth.ServiceKey) *auth.ServiceKey {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys[key.ID] = key
	r.loaded[key.ID] = true
	r.active = key.ID
	return key
}

// Reread reads a key from Cloud Foundry again (it may have been rotated
// on the platform) and keeps the new one under the same id; ok is false
// for other keys, and when cf gives the same credentials.
func (r *Keyring) Reread(ctx context.Context, old *auth.ServiceKey) (key *auth.ServiceKey, ok bool) {
	if !auth.IsCFRef(old.ID) {
		return nil, false
	}
	key, err := auth.LoadCFKey(ctx, old.ID)
	if err != nil || auth.SameCredentials(key, old) {
		return nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, known := r.keys[key.ID]; known {
		r.keys[key.ID] = key
	}
	return key, true
}

// keyID is path relative to the folder holding it, else the absolute path.
func keyID(folders []string, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	for _, f := range folders {
		if rel, ok := fileuri.Rel(f, abs); ok {
			if len(folders) > 1 {
				rel = filepath.Join(filepath.Base(f), rel)
			}
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(abs)
}

// errNoKey is what a user sees when no key is known.
var errNoKey = errors.New("no DOX service key found in the workspace; save the key JSON as a .json file in the workspace, or set dox.serviceKey")

// Get returns the key with id, or the active key when id is "".
func (r *Keyring) Get(id string) (*auth.ServiceKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id == "" {
		id = r.active
	}
	if id == "" {
		switch len(r.keys) {
		case 0:
			if len(r.problems) > 0 {
				return nil, r.problems[0]
			}
			return nil, errNoKey
		case 1:
			for _, k := range r.keys {
				return k, nil
			}
		}
		return nil, fmt.Errorf("%d service keys found (%s); choose one with doxls.loadServiceKey", len(r.keys), strings.Join(r.idsLocked(), ", "))
	}
	k, ok := r.keys[id]
	if !ok {
		return nil, r.unknown(id)
	}
	return k, nil
}

// Activate makes the known key id the active one.
func (r *Keyring) Activate(id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.keys[id]; !ok {
		return r.unknown(id)
	}
	r.active = id
	return nil
}

// Has reports whether id names a known key.
func (r *Keyring) Has(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.keys[id]
	return ok
}

// List returns every known key sorted by id, and the active id.
func (r *Keyring) List() ([]*auth.ServiceKey, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys := make([]*auth.ServiceKey, 0, len(r.keys))
	for _, id := range r.idsLocked() {
		keys = append(keys, r.keys[id])
	}
	return keys, r.active
}

// Problems returns the key files that failed to parse at the last discovery.
func (r *Keyring) Problems() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.problems...)
}

// Owns reports whether path is a key file the keyring knows, so that a
// change to it should trigger a reload.
func (r *Keyring) Owns(path string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range r.keys {
		if k.Path != "" && sameFile(k.Path, path) {
			return true
		}
	}
	return false
}

func sameFile(a, b string) bool {
	if fileuri.Same(a, b) {
		return true
	}
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}

func (r *Keyring) idsLocked() []string {
	ids := make([]string, 0, len(r.keys))
	for id := range r.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Folders returns the workspace folders.
func (r *Keyring) Folders() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.folders...)
}

func (r *Keyring) unknown(id string) error {
	return invalidParams("unknown service key %q; known keys: %s", id, strings.Join(r.idsLocked(), ", "))
}
