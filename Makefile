# make test: everything a change must pass (installs the npm clients it needs).
# make e2e:  real editors (Neovim, VS Code in Chromium); installs its own packages.
# make bench: the benchmarks whose figures the README quotes.

GO        ?= go
NODE_DIR  := test/node
CODE_DIR  := editors/code
BIN       := bin/doxls

export DOXLS_REQUIRE_TOOLS := 1

.PHONY: test e2e bench build node-deps vet fuzz clean vsix

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
	rm -rf bin $(NODE_DIR)/node_modules

# Real editors against the built binary and the UAA emulator. Each script
# installs the Debian and npm packages it needs.
e2e: build
	editors/nvim/test/e2e.sh
	editors/code/scripts/e2e.sh

# The linux-x64 .vsix with the server inside.
vsix:
	editors/code/scripts/package.sh
