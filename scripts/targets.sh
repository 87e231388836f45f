# Sourced by the packaging scripts: the platforms doxls ships for, named as
# VS Code names them (vsce package --target), and how each one's static
# server is built. alpine-x64 takes the linux-x64 binary: it links nothing.

targets=(linux-x64 linux-arm64 alpine-x64 darwin-x64 darwin-arm64 win32-x64 win32-arm64)

# goos TARGET, goarch TARGET, exe TARGET: the Go names and the file name.
goos() { case $1 in linux-* | alpine-*) echo linux ;; darwin-*) echo darwin ;; win32-*) echo windows ;; *) return 1 ;; esac; }
goarch() { case $1 in *-x64) echo amd64 ;; *-arm64) echo arm64 ;; *) return 1 ;; esac; }
exe() { case $1 in win32-*) echo doxls.exe ;; *) echo doxls ;; esac; }

# build_server REPO TARGET VERSION OUT: a reproducible static build (no
# paths, no build id, so two builds of one commit are the same bytes).
build_server() {
	local os arch
	os=$(goos "$2") && arch=$(goarch "$2") || { echo "unknown target $2" >&2; return 1; }
	(cd "$1" && CGO_ENABLED=0 GOOS=$os GOARCH=$arch GOFLAGS= \
		go build -trimpath -buildvcs=false -ldflags "-s -w -buildid= -X main.version=$3" -o "$4" .)
}
