#!/usr/bin/env bash
# Installs whatever the local stack is missing, and nothing else: Debian's rabbitmq-server,
# postgresql (FerretDB's backend, unless JUMO_FERRETDB_BACKEND=sqlite), redis-server (feed's
# timelines), nginx, curl and jq, the FerretDB program (built with Go into .tools/bin), uv, and
# the Python workspace.
# Idempotent: a second run finds everything present and only re-checks the Python environment.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FERRET_BIN="$ROOT/.tools/bin/jumo-ferretdb"
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
    # Any nginx flavour will do as the gateway; Debian 12's plain one is `nginx`.
    if ! installed nginx && ! installed nginx-light && ! installed nginx-core \
        && ! installed nginx-full && ! installed nginx-extras; then
        missing+=(nginx)
    fi
    # The end-to-end tests drive the API with curl exactly as docs/walkthrough.md does (jq too).
    installed curl || missing+=(curl)
    installed jq || missing+=(jq)
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

find_go() {
    if command -v go >/dev/null 2>&1; then
        command -v go
    elif [ -x /usr/local/go/bin/go ]; then
        echo /usr/local/go/bin/go
    else
        log "no Go toolchain: installing Debian's golang-go (it fetches the newer toolchain go.mod asks for)"
        as_root apt-get update -qq
        as_root apt-get install -y -qq --no-install-recommends golang-go ca-certificates git
        command -v go
    fi
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
    local uv
    uv="$(find_uv)"
    log "syncing the Python workspace"
    (cd "$ROOT" && $uv sync --all-packages --frozen --quiet)
    log "done"
}

main "$@"
