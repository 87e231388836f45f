// A module of its own so that "go ./..." at the repository root does not
// descend into node_modules (some npm packages ship .go files).
module github.com/doxls/doxls/editors/code

go 1.26.8
