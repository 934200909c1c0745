#!/usr/bin/env bash
# Installs whatever the local stack is missing, and nothing else: Debian's rabbitmq-server,
# postgresql (FerretDB's backend, unless JUMO_FERRETDB_BACKEND=sqlite), redis-server (feed's
# timelines), nginx, curl and jq, npm (the documentation site and Mailpit's web inbox are built
# with it), the FerretDB and Mailpit programs (built with Go into .tools/bin), the documentation
# site (deploy/docs/dist, served at /docs), the web client (web/dist, served at /), Debian's
# chromium (the browser tests), uv, and the Python workspace.
# Idempotent: a second run finds everything present and only re-checks the Python environment.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FERRET_BIN="$ROOT/.tools/bin/jumo-ferretdb"
MAILPIT_BIN="$ROOT/.tools/bin/mailpit"
# A Go toolchain of our own, when the machine's is too old to fetch the one a go.mod asks for.
GO_DIR="$ROOT/.tools/go"
# The newest Go that a program we build asks for (the go line of its go.mod): Mailpit v1.33.1's.
GO_WANTED=1.26.0
export DEBIAN_FRONTEND=noninteractive

log() { printf '[install] %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

installed() {
    # dpkg -s also succeeds for a removed package whose config files remain: check the status.
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

install_system_packages() {
    local missing=()
    installed rabbitmq-server || missing+=(rabbitmq-server)
    installed redis-server || missing+=(redis-server)
    # Prometheus for `make observe`; its promtool checks deploy/prometheus in the tests.
    installed prometheus || missing+=(prometheus)
    # Any nginx flavour will do as the gateway; Debian 12's plain one is `nginx`.
    if ! installed nginx && ! installed nginx-light && ! installed nginx-core \
        && ! installed nginx-full && ! installed nginx-extras; then
        missing+=(nginx)
    fi
    # The end-to-end tests drive the API with curl exactly as docs/walkthrough.md does (jq too).
    installed curl || missing+=(curl)
    installed jq || missing+=(jq)
    # npm builds the documentation site (deploy/docs) and bundles Mailpit's web inbox when it
    # is built (deploy/local/mailpit/build.sh).
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    # Debian's chromium: the browser tests (tests/browser) drive it with Playwright, which
    # never downloads a browser of its own.
    installed chromium || missing+=(chromium)
    local want_postgres=""
    if [ "${JUMO_FERRETDB_BACKEND:-postgresql}" != sqlite ] && ! installed postgresql; then
        want_postgres=1
    fi
    if [ "${#missing[@]}" -eq 0 ] && [ -z "$want_postgres" ]; then
        log "system packages present"
        return
    fi
    as_root apt-get update -qq
    # Debian starts a package's service on install; the stack starts its own servers, so keep
    # the packages from leaving a default broker, cluster or port-80 nginx behind
    # (policy-rc.d: 101).
    local policy=/usr/sbin/policy-rc.d created_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
        as_root chmod 755 "$policy"
        created_policy=1
    fi
    local rc=0
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing ${missing[*]}"
        as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" || rc=$?
    fi
    [ "$rc" -eq 0 ] && [ -n "$want_postgres" ] && { install_postgresql || rc=$?; }
    [ -n "$created_policy" ] && as_root rm -f "$policy"
    [ "$rc" -eq 0 ] && [[ " ${missing[*]} " == *" redis-server "* ]] && keep_redis_service_off
    [ "$rc" -eq 0 ] && [[ " ${missing[*]} " == *" prometheus "* ]] && keep_prometheus_service_off
    return "$rc"
}

# Debian's redis-server package enables a service on port 6379 at boot. The stack runs a Redis
# node of its own (port 6380 by default, jumo_devstack.RedisNode) and never uses that one, so
# the service we just installed (policy-rc.d kept it from starting) is disabled too. A Redis
# that was installed before, by someone else, is left as it is.
keep_redis_service_off() {
    log "disabling Debian's redis-server service (port 6379): the stack runs its own node"
    if command -v systemctl >/dev/null 2>&1; then
        as_root systemctl disable redis-server.service >/dev/null 2>&1 || true
    fi
    if command -v update-rc.d >/dev/null 2>&1 && [ -e /etc/init.d/redis-server ]; then
        as_root update-rc.d redis-server disable >/dev/null 2>&1 || true
    fi
}

# Debian's prometheus package enables a service on port 9090 (and its node exporter, when
# recommended packages come along: they do not here). `make observe` runs a Prometheus of our
# own against the stack (jumo_devstack.PrometheusNode, its data in the run folder), so the
# service is disabled like redis-server's.
keep_prometheus_service_off() {
    log "disabling Debian's prometheus service (port 9090): \`make observe\` runs its own"
    if command -v systemctl >/dev/null 2>&1; then
        as_root systemctl disable prometheus.service >/dev/null 2>&1 || true
    fi
    if command -v update-rc.d >/dev/null 2>&1 && [ -e /etc/init.d/prometheus ]; then
        as_root update-rc.d prometheus disable >/dev/null 2>&1 || true
    fi
}

# Debian's postgresql (15 on Debian 12), without the default cluster `main` it would create:
# the stack runs a cluster of its own in the run folder (deploy/local/stack.py). Its
# postgresql-common comes first, so that createcluster.conf can say not to create `main`
# before the server package's post-install step reads it.
install_postgresql() {
    log "installing postgresql (FerretDB's backend; JUMO_FERRETDB_BACKEND=sqlite skips it)"
    local conf=/etc/postgresql-common/createcluster.conf
    as_root apt-get install -y -qq --no-install-recommends postgresql-common || return
    if [ -f "$conf" ] && ! grep -Eq '^[[:space:]]*create_main_cluster' "$conf"; then
        printf '\n# jumo: the local stack runs a cluster of its own\ncreate_main_cluster = false\n' \
            | as_root tee -a "$conf" >/dev/null
    fi
    as_root apt-get install -y -qq --no-install-recommends postgresql
}

# The Go program: go on PATH, else /usr/local/go/bin/go, else our own .tools/go, else Debian's
# golang-go. Go 1.21 and later fetch the toolchain a go.mod asks for (GOTOOLCHAIN=auto); an older
# one (Debian 12's golang-go is Go 1.19) cannot even read those go.mod files, so it only serves to
# download Go $GO_WANTED into .tools/go (bootstrap_go).
find_go() {
    local go minor
    if command -v go >/dev/null 2>&1; then
        go="$(command -v go)"
    elif [ -x /usr/local/go/bin/go ]; then
        go=/usr/local/go/bin/go
    elif [ -x "$GO_DIR/bin/go" ]; then
        go="$GO_DIR/bin/go"
    else
        log "no Go toolchain: installing Debian's golang-go"
        as_root apt-get update -qq >&2
        as_root apt-get install -y -qq --no-install-recommends golang-go ca-certificates git >&2
        go="$(command -v go)"
    fi
    minor="$("$go" version | sed -n 's/^go version go1\.\([0-9]*\).*/\1/p')"
    if [ -n "$minor" ] && [ "$minor" -lt 21 ]; then
        go="$(bootstrap_go "$go")"
    fi
    echo "$go"
}

# Go $GO_WANTED as the Go command itself fetches a toolchain: the module golang.org/toolchain
# from the Go module proxy, checked against the checksum database like any module. The module
# cache keeps it without execute bits and read-only, so it is copied to .tools/go.
bootstrap_go() {
    local old=$1 version="go$GO_WANTED" module dir
    if [ -x "$GO_DIR/bin/go" ]; then
        echo "$GO_DIR/bin/go"
        return
    fi
    module="golang.org/toolchain@v0.0.1-$version.$("$old" env GOOS)-$("$old" env GOARCH)"
    log "$("$old" version) is too old for our go.mod files: fetching $module"
    dir="$(GOFLAGS='' "$old" mod download -json "$module" \
        | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -f "$dir/bin/go" ] || { log "no toolchain at '$dir'"; return 1; }
    rm -rf "$GO_DIR.part"
    mkdir -p "$(dirname "$GO_DIR")"
    cp -r "$dir" "$GO_DIR.part"
    chmod -R u+w "$GO_DIR.part"
    chmod +x "$GO_DIR.part"/bin/* "$GO_DIR.part"/pkg/tool/*/*
    mv "$GO_DIR.part" "$GO_DIR"
    echo "$GO_DIR/bin/go"
}

build_ferretdb() {
    if [ -n "${JUMO_FERRETDB_BIN:-}" ] && [ -x "$JUMO_FERRETDB_BIN" ]; then
        log "FerretDB program from JUMO_FERRETDB_BIN=$JUMO_FERRETDB_BIN"
        return
    fi
    if [ -x "$FERRET_BIN" ]; then
        log "FerretDB program present: $FERRET_BIN"
        return
    fi
    local go
    go="$(find_go)"
    log "building the FerretDB program with $("$go" version)"
    mkdir -p "$(dirname "$FERRET_BIN")"
    # Build to a temporary name so an interrupted build never leaves a half-written binary.
    if ! (cd "$ROOT/deploy/local/ferretdb" \
        && GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" \
            "$go" build -trimpath -o "$FERRET_BIN.part" .); then
        log "building the FerretDB program failed: it needs Go >= 1.24 (see deploy/local/ferretdb/go.mod)"
        log "and the Go module proxy; or point JUMO_FERRETDB_BIN at a built jumo-ferretdb"
        return 1
    fi
    mv "$FERRET_BIN.part" "$FERRET_BIN"
}

build_mailpit() {
    if [ -n "${JUMO_MAILPIT_BIN:-}" ] && [ -x "$JUMO_MAILPIT_BIN" ]; then
        log "Mailpit program from JUMO_MAILPIT_BIN=$JUMO_MAILPIT_BIN"
        return
    fi
    if [ -x "$MAILPIT_BIN" ]; then
        log "Mailpit program present: $MAILPIT_BIN"
        return
    fi
    local go
    go="$(find_go)"
    if ! bash "$ROOT/deploy/local/mailpit/build.sh" "$MAILPIT_BIN" "$go"; then
        log "building Mailpit failed: it needs Go >= 1.21 (or Go $GO_WANTED), npm and the Go"
        log "module proxy and npm registry; or point JUMO_MAILPIT_BIN at a built mailpit"
        return 1
    fi
}

# The documentation site the gateway serves at /docs (deploy/docs/build.mjs): its npm packages
# from package-lock.json (again only when the lock changed; --ignore-scripts: no package's
# install script runs, so swagger-ui-dist's @scarf/scarf reports nothing), then the build, every
# time (a second or so), since the guide and the AsyncAPI document it renders may have changed.
build_docs() {
    local dir="$ROOT/deploy/docs"
    if [ ! -f "$dir/node_modules/.package-lock.json" ] \
        || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        log "installing the documentation site's npm packages (deploy/docs/package-lock.json)"
        (cd "$dir" && SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund \
            --loglevel=error >&2)
    fi
    (cd "$dir" && node build.mjs >&2)
}

# The web client the gateway serves at / (web/, TypeScript and Preact built by Vite): its npm
# packages from package-lock.json only when the lock changed (--ignore-scripts: no package's
# install script runs), then the build every time (a few seconds; it fails over the bundle
# budget, web/scripts/budget.mjs).
build_web() {
    local dir="$ROOT/web"
    if [ ! -f "$dir/node_modules/.package-lock.json" ] \
        || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        log "installing the web client's npm packages (web/package-lock.json)"
        (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
    fi
    log "building the web client (web/dist)"
    (cd "$dir" && npm run --silent build >&2)
}

find_uv() {
    if command -v uv >/dev/null 2>&1; then
        command -v uv
        return
    fi
    log "installing uv with pip"
    # Debian's own python3 refuses pip installs (PEP 668) unless told otherwise.
    python3 -m pip install --quiet uv >&2 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages uv >&2
    command -v pyenv >/dev/null 2>&1 && pyenv rehash
    hash -r
    if command -v uv >/dev/null 2>&1; then command -v uv; else echo "python3 -m uv"; fi
}

main() {
    install_system_packages
    build_ferretdb
    build_mailpit
    build_docs
    build_web
    local uv
    uv="$(find_uv)"
    log "syncing the Python workspace"
    (cd "$ROOT" && $uv sync --all-packages --frozen --quiet)
    log "done"
}

main "$@"
