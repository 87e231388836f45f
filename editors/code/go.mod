// A module of its own so that "go ./..." at the repository root does not
// descend into node_modules (some npm packages ship .go files), and so the
// e2e test's emulator program can use the root module's uaatest package.
module github.com/doxls/doxls/editors/code

go 1.26.8

require github.com/doxls/doxls v0.0.0-00010101000000-000000000000

replace github.com/doxls/doxls => ../..
