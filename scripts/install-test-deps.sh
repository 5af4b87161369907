#!/usr/bin/env bash
# Installs what Unkai's tests drive it with, when missing:
# - Debian: the AWS CLI v2 (`awscli`), curl (the shell custom runtime), python3 (the Python runtime),
#   python3-boto3 (the SDK Python functions use, as on Lambda),
#   chromium (the web console's browser tests, driven by playwright-core),
#   and the build tools AWS's Node.js runtime interface client compiles its native addon with;
#   bubblewrap, slirp4netns and socat (the linux sandbox driver and each sandbox's own network),
#   postgresql (the PostgreSQL store's contract and server tests start their own throwaway cluster);
#   nginx (the cluster test's load balancer, run in the foreground with its own config);
#   wrk (the load generator of `npm run bench`); wabt (wat2wasm: the CRC64NVME WebAssembly check of test/s3-checksums.test.ts).
# - AWS's `aws-lambda-ric` from npm, built once per machine and linked into .cache/ (not a project
#   dependency, so a plain `npm install` of Unkai stays fast); the custom-runtime test runs it as a bootstrap.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
[ -x /usr/bin/aws ] || need+=(awscli)
command -v curl >/dev/null 2>&1 || need+=(curl)
[ -x /usr/bin/python3 ] || need+=(python3)
/usr/bin/python3 -c "import boto3" >/dev/null 2>&1 || need+=(python3-boto3)
[ -x /usr/bin/bwrap ] || need+=(bubblewrap)
# the linux sandbox driver: setpriv/unshare, the /tmp filesystem, the runtime's exit waiter
[ -x /usr/bin/setpriv ] || need+=(util-linux)
[ -x /usr/sbin/mkfs.ext4 ] || need+=(e2fsprogs)
[ -x /usr/bin/perl ] || need+=(perl-base)
# the linux sandbox driver: each environment's network (egress and relays)
[ -x /usr/bin/slirp4netns ] || need+=(slirp4netns)
[ -x /usr/bin/socat ] || need+=(socat)
# `npm run bench`: the native load generator of the throughput and latency rows (bench/wrk.js)
[ -x /usr/bin/wrk ] || need+=(wrk)
# wabt's wat2wasm: test/s3-checksums.test.ts checks the CRC64NVME WebAssembly embedded in src/services/s3/crc.ts is its .wat compiled
[ -x /usr/bin/wat2wasm ] || need+=(wabt)
[ -x /usr/bin/chromium ] || need+=(chromium)
# PostgreSQL 15 for the shared-store tests (test/helpers/postgres.ts runs initdb and postgres from here)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
# nginx as the cluster test's load balancer (test/helpers/nginx.ts runs it in the foreground with its own config)
[ -x /usr/sbin/nginx ] || need+=(nginx)
# Flask for the gateway's WSGI test (test/gateway-adapters.test.ts)
/usr/bin/python3 -c "import flask" >/dev/null 2>&1 || need+=(python3-flask)
for tool in make g++ cmake autoconf automake libtoolize; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$([ "$tool" = libtoolize ] && echo libtool || echo "$tool")")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
/usr/bin/aws --version

# Built once per machine, outside the clone (keyed by version), and linked into .cache/: it compiles
# its own libcurl, minutes of CPU that a fresh clone of a CI machine would otherwise pay every time.
RIC_VERSION=4.0.2
RIC_BUILT="${XDG_CACHE_HOME:-$HOME/.cache}/unkai/aws-lambda-ric-$RIC_VERSION"
RIC_DIR=.cache/aws-lambda-ric
if [ ! -f "$RIC_DIR/node_modules/aws-lambda-ric/rapid-client.node" ]; then
  if [ ! -f "$RIC_BUILT/node_modules/aws-lambda-ric/rapid-client.node" ]; then
    echo "Building aws-lambda-ric (once per machine; cached in $RIC_BUILT)…"
    # Built aside and moved into place, so an interrupted build never passes for a finished one.
    partial="$RIC_BUILT.partial.$$"
    rm -rf "$partial"
    mkdir -p "$partial"
    echo '{"name":"unkai-test-ric","private":true,"allowScripts":{"aws-lambda-ric":true}}' > "$partial/package.json"
    npm install --prefix "$partial" --no-save --no-audit --no-fund "aws-lambda-ric@$RIC_VERSION" >/dev/null
    rm -rf "$RIC_BUILT"
    mv "$partial" "$RIC_BUILT"
  fi
  mkdir -p .cache
  rm -rf "$RIC_DIR"
  ln -s "$RIC_BUILT" "$RIC_DIR"
fi
test -f "$RIC_DIR/node_modules/aws-lambda-ric/rapid-client.node"
