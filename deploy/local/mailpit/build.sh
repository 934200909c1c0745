#!/usr/bin/env bash
# Builds Mailpit (github.com/axllent/mailpit, the local stack's mail catcher) into the path given
# as $1, with the Go program given as $2 (default: go on PATH). install.sh calls it.
#
# Why not `go install github.com/axllent/mailpit@v1.33.1`: that builds and its SMTP server and
# API work, but its web inbox is a blank page. The binary embeds server/ui/dist, a bundle that
# Mailpit's release process makes with npm from server/ui-src; the module holds the sources, not
# the bundle, so /dist/app.js answers 404. Its own Dockerfile does what this script does: the
# module's source (from the Go module proxy, checked against the checksum database), the UI
# bundled with npm from the module's package-lock.json (`npm run package`), then go build with
# the version stamped in.
#
# Two packages of that lock file are no longer served by the npm registry: sass-embedded 1.108.1
# (a peer of the SCSS plugin; the patch release 1.108.2 is used) and rapidoc 12.1.0 (the API
# reference page at /api/v1/; 9.3.8, the newest served, is used). Everything else is as locked.
# `npm install --ignore-scripts` runs no package's install scripts.
set -euo pipefail

VERSION=v1.33.1
MODULE=github.com/axllent/mailpit
OUT=${1:?usage: build.sh OUTPUT [GO]}
GO=${2:-go}

log() { printf '[mailpit] %s\n' "$*" >&2; }

command -v npm >/dev/null 2>&1 || { log "npm is missing (Debian's npm package)"; exit 1; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/jumo-mailpit-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" GOFLAGS="-mod=mod -buildvcs=false"

log "fetching $MODULE@$VERSION"
# The module cache holds it read-only: build in a writable copy.
src="$("$GO" mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$src" ] || { log "go mod download gave no folder for $MODULE@$VERSION"; exit 1; }
cp -r "$src/." "$WORK/src"
chmod -R u+w "$WORK/src"
cd "$WORK/src"

log "bundling the web inbox with npm (node $(node --version))"
npm pkg set dependencies.rapidoc=9.3.8 overrides.sass-embedded=1.108.2
npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
npm run --silent package >&2
[ -s server/ui/dist/app.js ] || { log "npm made no server/ui/dist/app.js"; exit 1; }

log "building with $("$GO" version)"
mkdir -p "$(dirname "$OUT")"
# A temporary name, so that an interrupted build never leaves a half-written program.
CGO_ENABLED=0 "$GO" build -trimpath -o "$OUT.part" \
    -ldflags "-s -w -X $MODULE/config.Version=$VERSION" .
mv "$OUT.part" "$OUT"
log "built $OUT"
