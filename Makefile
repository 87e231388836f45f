# make test: everything a change must pass (installs the npm clients it needs).
# make e2e:  real editors (Neovim, VS Code in Chromium), the Windows lane under
#            Wine and the release check; installs its own packages.
# make vsix: the .vsix files, one per platform and a universal one, in bin/.
# make release VERSION=x.y.z: archives, .vsix files and SHA256SUMS in dist/.
# make bench: the benchmarks whose figures the README quotes.

GO        ?= go
NODE_DIR  := test/node
CODE_DIR  := editors/code
BIN       := bin/doxls

export DOXLS_REQUIRE_TOOLS := 1

.PHONY: test e2e bench build node-deps vet fuzz clean vsix release

# Static, as in the .vsix: no dynamic loader at every start of the server.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(BIN) .

node-deps: $(NODE_DIR)/node_modules/.installed $(CODE_DIR)/node_modules/.installed

$(NODE_DIR)/node_modules/.installed: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CODE_DIR)/node_modules/.installed: $(CODE_DIR)/package.json $(CODE_DIR)/package-lock.json
	cd $(CODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

test: node-deps vet
	$(GO) test -race -count=1 ./...
	cd $(CODE_DIR) && npm test

# Short fuzz runs over every target; the seed corpora live in testdata/fuzz.
fuzz:
	scripts/fuzz.sh 20s

bench: build node-deps
	scripts/bench.sh

clean:
	rm -rf bin dist $(NODE_DIR)/node_modules

# Real editors against the built binary and the UAA emulator, the Go tests
# and an LSP session as Windows programs under Wine, and a release built,
# checked and built again to compare. Each script installs what it needs.
e2e: build
	editors/nvim/test/e2e.sh
	editors/code/scripts/e2e.sh
	scripts/windows-e2e.sh
	scripts/release-check.sh

# A .vsix per platform with its server inside, and a universal one without.
vsix:
	editors/code/scripts/package.sh

# docs/release.md: what goes into dist/ and how it is checked.
release:
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z"; exit 2; }
	scripts/release.sh $(VERSION)
	cd dist && sha256sum -c --quiet SHA256SUMS
	DOXLS_DIST=$(CURDIR)/dist DOXLS_DIST_VERSION=$(VERSION) $(GO) test -count=1 ./test/dist
