# shellcheck shell=bash
# Part of scripts/gpu-check.sh: the run's environment. setup finds the GPU,
# the parley binary, the ONNX Runtime bundle and the CUDA runtime libraries,
# isolates parley from the user's config, state and models, and starts the
# model generation in the background.

# setup fills the run's globals (all read by the steps).
setup() {
  start_epoch=$(date +%s)
  work=$(mktemp -d /tmp/gpucheck.XXXXXX)
  mkdir -p "$work"/{logs,sections,verdicts,cfg,state,audio,models,xdg/config,xdg/state,xdg/cache}
  : >"$work/results.tsv"
  trap cleanup EXIT
  out=${out:-$work/out}
  mkdir -p "$out"
  detect_gpu
  budget=${budget:-$(((gpu) ? 480 : 300))}
  deadline=$((SECONDS + budget))
  soak_s=$(((gpu && !quick) ? 120 : (gpu ? 30 : 8)))
  soak_every=$((gpu ? 5 : 2))
  find_binary
  find_bundle
  find_cuda_libs
  isolate
  prepare_audio
  start_models
  write_base_config
  # The committed test models, until the models step has the sized ones.
  asr_dir=$root/pipeline/asr/testdata/asr/sensevoice
  tts_model=$root/pipeline/tts/testdata/piper/en_US-test-small.onnx
  model_kind=test
}

cleanup() {
  local j
  tui_stop_all
  for j in $(jobs -p); do kill_tree "$j"; done
  [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$work"
}

# detect_gpu sets gpu (1 when nvidia-smi lists a GPU), gpu_name, driver,
# gpu_total_mib, and no_gpu (why not).
detect_gpu() {
  gpu=0 gpu_name="" driver="" gpu_total_mib=0 no_gpu=""
  if ! command -v nvidia-smi >/dev/null; then
    no_gpu="no nvidia-smi (no NVIDIA driver)"
    return
  fi
  local q
  q=$(timeout 20 nvidia-smi -i 0 --query-gpu=name,driver_version,memory.total --format=csv,noheader,nounits 2>&1)
  if [[ $? -ne 0 || -z "$q" ]]; then
    no_gpu="nvidia-smi lists no GPU: ${q:-no output}"
    return
  fi
  IFS=, read -r gpu_name driver gpu_total_mib <<<"$q"
  gpu_name=$(echo "$gpu_name" | xargs) driver=$(echo "$driver" | xargs) gpu_total_mib=$(echo "$gpu_total_mib" | xargs)
  gpu=1
}

# find_binary sets parley (the binary), pack (the unpacked carry pack, or
# ""), and the library paths the pack needs.
find_binary() {
  pack=""
  local tar=$root/.ort-cuda/pack/gpucheck-pack.tar.xz
  if [[ -z "${PARLEY_BIN:-}" && -f "$tar" ]] && ((gpu || force_pack)); then
    pack=$work/pack
    mkdir -p "$pack"
    untar_xz "$tar" "$pack" || setup_failed "cannot unpack $tar"
    parley=$pack/bin/parley
    export LD_LIBRARY_PATH="$pack/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export ESPEAK_DATA_PATH=$pack
    return
  fi
  parley=${PARLEY_BIN:-$root/bin/parley}
  if [[ ! -x "$parley" ]]; then
    command -v go >/dev/null || setup_failed "no parley binary: carry .ort-cuda/pack (make gpu-bundle) or set PARLEY_BIN"
    say "building $parley"
    (cd "$root" && go build -o "$parley" .) >"$work/logs/build.txt" 2>&1 ||
      setup_failed "go build failed: $(tail -1 "$work/logs/build.txt")"
  fi
}

# setup_failed REASON: writes a report that says why nothing could run, and exits.
setup_failed() {
  say "$1"
  printf 'setup\tFAIL\t%s\t%s\n' "$SECONDS" "$1" >>"$work/results.tsv"
  write_report
  exit 1
}

# untar_xz TAR DIR: unpacks an .tar.xz, with python3 where xz is missing.
untar_xz() {
  if command -v xz >/dev/null; then
    tar -xJf "$1" -C "$2"
  else
    python3 -c 'import sys, tarfile
t = tarfile.open(sys.argv[1])
try:
    t.extractall(sys.argv[2], filter="tar")
except TypeError:
    t.extractall(sys.argv[2])' "$1" "$2"
  fi
}

# find_bundle sets bundle (the unpacked ONNX Runtime CUDA bundle, or "") and
# ort_lib (the library parley loads).
find_bundle() {
  bundle="" ort_lib=${PARLEY_ORT_LIB:-${XDG_CACHE_HOME:-$HOME/.cache}/parley/lib/libonnxruntime.so.1}
  local dir=$root/.ort-cuda/$BUNDLE tar=$root/.ort-cuda/$BUNDLE.tar.xz
  if [[ -f "$dir/SHA256SUMS" ]] && (cd "$dir" && sha256sum --check --status SHA256SUMS); then
    bundle=$dir
  elif [[ -f "$tar" ]]; then
    untar_xz "$tar" "$work" && bundle=$work/$BUNDLE
  fi
  [[ -n "$bundle" ]] && ort_lib=$bundle/lib/libonnxruntime.so.1
  export PARLEY_ORT_LIB=$ort_lib
}

# find_cuda_libs puts NVIDIA's CUDA runtime wheels (site-packages/nvidia/*/lib)
# on the library path and sets cuda_libs (what was found) for the report.
find_cuda_libs() {
  cuda_libs="" cuda_dirs=""
  local sp
  sp=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null)
  if [[ -d "$sp/nvidia" ]]; then
    cuda_dirs=$(find "$sp/nvidia" -name 'lib*.so*' -path '*/lib/*' -printf '%h\n' 2>/dev/null | sort -u | paste -sd:)
  fi
  [[ -n "$cuda_dirs" ]] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$cuda_dirs"
  local so found
  for so in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcurand.so.10 libcufft.so.12 libcudnn.so.9; do
    found=$(find_lib "$so")
    cuda_libs+="${cuda_libs:+, }$so ${found:-MISSING}"
  done
}

# find_lib SONAME: where SONAME is on LD_LIBRARY_PATH or in the linker cache.
find_lib() {
  local d
  for d in ${LD_LIBRARY_PATH:+${LD_LIBRARY_PATH//:/ }}; do
    [[ -e "$d/$1" ]] && { echo "$d/$1"; return; }
  done
  ldconfig -p 2>/dev/null | awk -v n="$1" '$1 == n {print $NF; exit}'
}

# isolate keeps parley away from the user's config, models and state.
isolate() {
  export XDG_CONFIG_HOME=$work/xdg/config XDG_STATE_HOME=$work/xdg/state XDG_CACHE_HOME=$work/xdg/cache
  export NO_COLOR=1 TERM=xterm-256color LANG=C.UTF-8
  cd "$work" || exit 1
}

# prepare_audio sets clips: the pack's flite speech, or speech made here.
prepare_audio() {
  if [[ -n "$pack" ]]; then
    cp "$pack"/audio/*.wav "$work/audio/"
  elif command -v flite >/dev/null; then
    local i=1 s
    for s in "what time is it in tokyo right now" "turn the music down a little please" \
      "move speech recognition to the graphics card"; do
      flite -voice slt -t "$s" -o "$work/audio/0$i.wav"
      i=$((i + 1))
    done
  fi
  clips=("$work"/audio/*.wav)
  [[ -f "${clips[0]}" ]] || setup_failed "no speech to play: neither the pack's audio nor flite"
}

# start_models starts the sized models' generation when torch can run here
# and a GPU is present (on this 2-core machine it takes ~2 minutes).
start_models() {
  models_pid="" models_why=""
  if ((!gpu)); then
    models_why="no GPU: the sized models are generated only on a GPU host (the SenseVoice-sized export takes ~2 min on a 2-core machine)"
    return
  fi
  if ! timeout 60 python3 -c 'import torch, onnx' 2>"$work/logs/torch.txt"; then
    models_why="no torch/onnx for python3 here ($(tail -1 "$work/logs/torch.txt")), and the sized models cannot be carried (936 MB + 63 MB)"
    return
  fi
  (
    cd "$root/scripts/models" || exit 1
    gen export_asr_models.py --sized "$work/models/sensevoice-sized" >"$work/logs/models-asr.txt" 2>&1 &
    mkdir -p "$work/models/piper-sized"
    gen export_piper_model.py --sized "$work/models/piper-sized/en_US-sized-medium.onnx" \
      >"$work/logs/models-piper.txt" 2>&1
    wait
  ) &
  models_pid=$!
}

# gen SCRIPT ARGS...: runs a scripts/models generator and logs its time.
gen() {
  local t0=$SECONDS
  python3 "$here/export.py" "$@"
  local rc=$?
  echo "generator exit $rc after $((SECONDS - t0)) s"
  return $rc
}

# write_base_config writes the settings every parley run shares.
write_base_config() {
  threads=$((gpu ? 4 : 1))
  cat >"$work/cfg/base.toml" <<EOF
[audio]
backend = "null"
[vad]
engine = "energy"
[llm]
engine = "offline"
[onnx]
intra_op_threads = $threads
EOF
}

# config NAME [TOML...]: writes cfg/NAME.toml: the base, the models, log.dir,
# then the extra lines; prints its path.
config() {
  local f=$work/cfg/$1.toml
  mkdir -p "$work/state/$1"
  {
    cat "$work/cfg/base.toml"
    printf '[log]\ndir = "%s"\n' "$work/state/$1"
    printf '%s\n' "${@:2}"
  } >"$f"
  echo "$f"
}

# models_toml ASR_DEVICE TTS_DEVICE: the [asr] and [tts] tables for the models.
models_toml() {
  printf '[asr]\nengine = "sensevoice"\ndevice = "%s"\n[asr.sensevoice]\nmodel_dir = "%s"\n' "$1" "$asr_dir"
  printf '[tts]\nengine = "piper"\ndevice = "%s"\n[tts.piper]\nmodel = "%s"\n' "$2" "$tts_model"
}
