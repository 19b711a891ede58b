#!/usr/bin/env bash
# Builds what scripts/gpu-check.sh carries to a GPU host besides the ONNX
# Runtime bundle: OUT/pack/gpucheck-pack.tar.xz with
#   bin/parley         stripped build of this checkout (x86-64, Debian 12 glibc)
#   lib/               the C libraries parley uses there: espeak-ng, sonic,
#                      speexdsp; and tiny stubs for the CPU-only engines it
#                      links but the GPU check never runs (flite, pocketsphinx,
#                      sphinxbase, pcaudio): their real libraries and voices are
#                      ~13 MB compressed, which the 64 MiB carry cannot hold.
#                      A stub exports the symbols parley needs; every function
#                      returns 0 (NULL), so those engines fail to open and say so.
#   espeak-ng-data/    English phoneme data for Piper (ESPEAK_DATA_PATH)
#   tmux/              tmux and its libraries, for hosts without tmux
#   audio/*.wav        flite speech (16 kHz) for the benchmark and the soak
# and OUT/pack/MANIFEST.txt. Then it checks that the whole call fits: tracked
# and untracked files of the checkout plus the carried bundle and pack must
# stay under the device tool's 64 MiB.
# Usage: scripts/gpucheck/pack.sh OUT_DIR BUNDLE_TAR
set -euo pipefail

REAL_LIBS=(libespeak-ng.so.1 libsonic.so.0 libspeexdsp.so.1)
GLIBC='^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libresolv\.so\.2|ld-linux-x86-64\.so\.2)$'
TMUX_LIBS=(libevent_core-2.1.so.7 libutempter.so.0 libtinfo.so.6)
ESPEAK_FILES=(phontab phonindex phondata intonations en_dict lang/gmw/en lang/gmw/en-US)
CARRY_LIMIT=$((64 << 20))
SENTENCES=(
  "what time is it in tokyo right now"
  "turn the music down a little please"
  "remind me to call my sister tomorrow morning"
  "how long does it take to boil an egg"
  "open the pull request and show me the failing test"
  "the quick brown fox jumps over the lazy dog"
  "move speech recognition to the graphics card"
  "read me the last three messages from the team"
)

out=${1:?usage: scripts/gpucheck/pack.sh OUT_DIR BUNDLE_TAR}
bundle=${2:?usage: scripts/gpucheck/pack.sh OUT_DIR BUNDLE_TAR}
root=$(cd "$(dirname "$0")/../.." && pwd)

say() { printf 'gpu-pack: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# libpath SONAME: where the dynamic linker finds SONAME on this machine.
libpath() {
  awk -v n="$1" '$1 == n && /x86-64/ && !found {print $NF; found = 1}' "$tmp/ldcache"
}

# needed FILE...: the DT_NEEDED sonames of FILEs.
needed() {
  for f in "$@"; do readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; done | sort -u
}

build_parley() {
  say "building a stripped parley"
  (cd "$root" && CGO_CFLAGS="${CGO_CFLAGS:--O2 -g -Wno-deprecated-declarations}" \
    go build -ldflags '-s -w' -o "$stage/bin/parley" .)
}

# copy_libs DIR SONAME...: copies each library (its target, not a link) into DIR.
copy_libs() {
  local dir=$1 so path
  for so in "${@:2}"; do
    path=$(libpath "$so")
    [[ -n "$path" ]] || die "$so not found (make setup-dev installs it)"
    cp -L "$path" "$dir/$so"
  done
}

# stub SONAME: a library named SONAME that defines, as functions returning 0
# or zeroed data of the real size, every symbol parley and the real libraries
# take from the real SONAME.
stub() {
  local so=$1 real c="$tmp/${1%%.so*}.c"
  real=$(libpath "$so")
  [[ -n "$real" ]] || die "$so not found: cannot list the symbols its stub must define"
  { nm -D --undefined-only "$stage/bin/parley" "$stage"/lib/*.so* 2>/dev/null || true; } |
    awk '{sub(/@.*/, "", $NF); print $NF}' | LC_ALL=C sort -u >"$tmp/undefined"
  printf '/* Stub of %s for the GPU check: every function returns 0. */\n' "$so" >"$c"
  readelf -W --dyn-syms "$real" |
    awk '$7 != "UND" && ($4 == "FUNC" || $4 == "OBJECT") {n = $8; sub(/@.*/, "", n); print n, $4, $3}' |
    LC_ALL=C sort -u | LC_ALL=C join - "$tmp/undefined" | while read -r sym type size; do
      if [[ $type == OBJECT ]]; then
        printf 'char %s[%d];\n' "$sym" "$((size > 0 ? size : 1))"
      else
        printf 'void *%s(void) { return 0; }\n' "$sym"
      fi
    done >>"$c"
  gcc -shared -fPIC -O0 -w -Wl,-soname,"$so" -o "$stage/lib/$so" "$c"
}

make_stubs() {
  local so
  for so in $(needed "$stage/bin/parley" "$stage"/lib/*.so* | grep -Ev "$GLIBC"); do
    [[ -e "$stage/lib/$so" ]] || stub "$so"
  done
}

# check_closure: every library the binary and lib/ need is in lib/ or glibc.
check_closure() {
  local so missing=()
  for so in $(needed "$stage/bin/parley" "$stage"/lib/*.so* | grep -Ev "$GLIBC"); do
    [[ -e "$stage/lib/$so" ]] || missing+=("$so")
  done
  ((${#missing[@]} == 0)) || die "not in the pack: ${missing[*]}"
}

copy_tmux() {
  cp "$(command -v tmux)" "$stage/tmux/tmux" || die "tmux is not installed (make setup-dev)"
  copy_libs "$stage/tmux" "${TMUX_LIBS[@]}"
}

copy_espeak_data() {
  local src f
  src=$(dirname "$(find /usr/lib /usr/share -path '*espeak-ng-data/phontab' -print -quit 2>/dev/null)")
  [[ -d "$src" ]] || die "espeak-ng-data not found (make setup installs espeak-ng)"
  for f in "${ESPEAK_FILES[@]}"; do
    mkdir -p "$stage/espeak-ng-data/$(dirname "$f")"
    cp "$src/$f" "$stage/espeak-ng-data/$f"
  done
}

make_audio() {
  local i=1 s
  for s in "${SENTENCES[@]}"; do
    flite -voice slt -t "$s" -o "$stage/audio/$(printf '%02d' "$i").wav"
    i=$((i + 1))
  done
}

# travel_bytes: what one device call sends: tracked and untracked files of
# the checkout (not ignored) plus the carried bundle and pack.
travel_bytes() {
  local tree
  tree=$(cd "$root" && { git ls-files -z; git ls-files -z -o --exclude-standard; } |
    xargs -0 stat -L -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
  echo "$tree $(stat -c %s "$bundle") $(du -sb "$out/pack" | cut -f1)"
}

write_manifest() {
  local commit
  commit=$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [[ -n "$(cd "$root" && git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
    commit+=" (with uncommitted changes)"
  fi
  {
    echo "parley commit: $commit"
    echo "built: $(date -u +%FT%TZ) on $(uname -srm), $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "files:"
    (cd "$stage" && find . -type f -printf '  %P %s\n' | sort)
  } >"$out/pack/MANIFEST.txt"
}

main() {
  [[ -f "$bundle" ]] || die "no bundle at $bundle (scripts/ort-cuda-bundle.sh builds it)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  stage=$tmp/stage
  ldconfig -p >"$tmp/ldcache"
  mkdir -p "$stage"/{bin,lib,tmux,audio} "$out/pack"
  build_parley
  copy_libs "$stage/lib" "${REAL_LIBS[@]}"
  make_stubs
  check_closure
  copy_tmux
  copy_espeak_data
  make_audio
  write_manifest
  say "compressing"
  XZ_OPT='-9 -T2' tar -cJf "$out/pack/gpucheck-pack.tar.xz" -C "$stage" .
  local tree bun pack total
  read -r tree bun pack <<<"$(travel_bytes)"
  total=$((tree + bun + pack))
  awk -v t="$tree" -v b="$bun" -v p="$pack" 'BEGIN {
    printf "gpu-pack: travel per device call: checkout %d + bundle %d + pack %d = %d bytes (%.1f MiB of 64 MiB)\n",
      t, b, p, t + b + p, (t + b + p) / 1048576 }' >&2
  ((total < CARRY_LIMIT)) || die "over the device tool's 64 MiB: trim the pack or the checkout"
}

main
