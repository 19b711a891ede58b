# shellcheck shell=bash
# Part of scripts/gpu-check.sh: the steps. Each writes its section with md
# and judge, and sets its verdict.

# EXPECTED_NO_GPU is what the CUDA provider must fail with on a host without
# the CUDA 13 runtime: the provider library is found next to the core, and
# only its CUDA dependencies are missing.
EXPECTED_NO_GPU='libonnxruntime_providers_cuda\.so with error: lib(cudart|cublas|cublasLt|curand|cufft|cudnn|cuda|nvrtc)[^ ]*\.so[.0-9]*: cannot open shared object file'

# plain FILE: FILE without terminal colour codes.
plain() { sed 's/\x1b\[[0-9;]*m//g' "$1"; }

step_gpu() {
  if ((gpu)); then
    md '```' "$(timeout 20 nvidia-smi 2>&1)" '```' ""
  else
    md "No GPU: $no_gpu."
  fi
  md "" "CUDA runtime libraries: $cuda_libs." ""
  smoke
  doctor
  judge_gpu
}

# smoke runs the bundle's stdlib-only smoke test: on the GPU with CPU fallback
# disabled, or without a GPU on the CPU (the core runs) and on CUDA (it must
# fail for the expected reason).
smoke() {
  smoke_gpu="" smoke_cpu=""
  [[ -n "$bundle" ]] || { md "No ONNX Runtime CUDA bundle ($root/.ort-cuda/$BUNDLE.tar.xz): run make gpu-bundle."; return; }
  timeout "$(tmo 60)" python3 "$bundle/ort_smoke.py" --lib "$bundle/lib" >"$work/logs/smoke-cuda.txt" 2>&1
  smoke_gpu=$(grep -o 'SMOKE TEST [A-Z]* ([A-Z]* EP)' "$work/logs/smoke-cuda.txt" || tail -1 "$work/logs/smoke-cuda.txt")
  timeout "$(tmo 60)" python3 "$bundle/ort_smoke.py" --lib "$bundle/lib" --cpu >"$work/logs/smoke-cpu.txt" 2>&1
  smoke_cpu=$(grep -o 'SMOKE TEST [A-Z]* ([A-Z]* EP)' "$work/logs/smoke-cpu.txt" || tail -1 "$work/logs/smoke-cpu.txt")
  md "\`ort_smoke.py\` (bundle $BUNDLE): CUDA EP without CPU fallback: \`$smoke_gpu\`; CPU EP: \`$smoke_cpu\`." ""
  md '```' "$(plain "$work/logs/smoke-cuda.txt")" '```' ""
}

doctor() {
  local cfg
  cfg=$(config doctor "$(models_toml cuda:0 cuda:0)")
  timeout "$(tmo 60)" "$parley" doctor --config "$cfg" >"$work/logs/doctor.txt" 2>&1
  md "\`PARLEY_ORT_LIB=$ort_lib parley doctor\`:" "" '```' "$(plain "$work/logs/doctor.txt")" '```' ""
}

judge_gpu() {
  local d=$work/logs/doctor.txt version lib cuda
  version=$(sed -n 's/^  version: //p' "$d")
  lib=$(sed -n 's/^  library: //p' "$d")
  cuda=$(sed -n 's/^  CUDA execution provider: //p' "$d")
  if ((gpu)); then
    local g
    g=$(grep -m1 '^  GPU 0:' "$d" | sed 's/^  //')
    if [[ $cuda == loads && -n "$g" && $smoke_gpu == *PASS* ]]; then
      verdict PASS "$gpu_name, driver $driver; ORT $version from the bundle: CUDA provider loads; smoke test $smoke_gpu; doctor: $g"
    else
      verdict FAIL "CUDA provider: ${cuda:-not reported}; smoke: ${smoke_gpu:-not run}; NVML: ${g:-no GPU line}"
    fi
  elif [[ -z "$bundle" ]]; then
    verdict SKIP "no GPU ($no_gpu) and no bundle to check (make gpu-bundle); ORT $version at $lib: CUDA ${cuda:0:80}"
  elif [[ $version == 1.29.0 && $lib == "$bundle"/* && $smoke_cpu == *PASS* ]] &&
    grep -Eq "$EXPECTED_NO_GPU" <<<"$cuda"; then
    verdict PASS "no GPU here; the bundle's core $version runs (smoke --cpu PASS) and its CUDA provider fails as expected: $(grep -Eo 'lib[A-Za-z]+\.so[.0-9]*: cannot open shared object file' <<<"$cuda" | head -1)"
  else
    verdict FAIL "bundle core check: version ${version:-?} from ${lib:-?}, smoke --cpu ${smoke_cpu:-not run}, CUDA: ${cuda:-?} (expected a missing CUDA 13 runtime library)"
  fi
}

step_models() {
  if [[ -n "$models_pid" ]]; then
    wait_pid "$models_pid" "$(tmo 180 "$((gpu * (soak_s + 180)))")"
    md '```' "$(grep -hv Warning "$work"/logs/models-*.txt | grep -E 'parameters|wrote|exit|Error' | tail -8)" '```' ""
  fi
  if grep -q '^generator exit 0' "$work/logs/models-asr.txt" 2>/dev/null &&
    grep -q '^generator exit 0' "$work/logs/models-piper.txt" 2>/dev/null; then
    asr_dir=$work/models/sensevoice-sized tts_model=$work/models/piper-sized/en_US-sized-medium.onnx model_kind=sized
  else
    asr_dir=$root/pipeline/asr/testdata/asr/sensevoice tts_model=$root/pipeline/tts/testdata/piper/en_US-test-small.onnx
    model_kind=test
  fi
  md "| model | file | bytes |" "| --- | --- | --- |"
  md "| ASR ($model_kind) | \`$asr_dir/model.onnx\` | $(stat -c %s "$asr_dir/model.onnx") |"
  md "| TTS ($model_kind) | \`$tts_model\` | $(stat -c %s "$tts_model") |" ""
  if [[ $model_kind == sized ]]; then
    verdict PASS "generated here: SenseVoice-small-sized $(stat -c %s "$asr_dir/model.onnx") bytes, Piper-medium-sized $(stat -c %s "$tts_model") bytes (fp32, generated weights)"
  else
    verdict "$([[ -n "$models_pid" ]] && echo FAIL || echo SKIP)" \
      "${models_why:-the generators failed (see the log above)}; the committed test models stand in"
  fi
}

# wait_pid PID SECONDS: waits for a background job, ending it and its
# children at the limit.
wait_pid() {
  local end=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null && ((SECONDS < end)); do sleep 1; done
  kill -0 "$1" 2>/dev/null && kill_tree "$1"
  wait "$1" 2>/dev/null
}

# kill_tree PID: ends PID and its descendants (read from /proc: the GPU
# host may have no pkill).
kill_tree() {
  local c
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do kill_tree "$c"; done
  kill "$1" 2>/dev/null
}

step_bench() {
  local dir=$work/bench-audio copies=$((gpu ? 4 : 1)) c f cfg
  mkdir -p "$dir"
  for c in $(seq "$copies"); do
    for f in "${clips[@]}"; do ln -f "$f" "$dir/c$c-$(basename "$f")"; done
  done
  cfg=$(config bench)
  timeout "$(tmo 200 "$((gpu * (soak_s + 130)))")" "$parley" bench --config "$cfg" --models asr,tts --devices cpu,cuda:0 --batch 1,4,16 \
    --parallel 1,3 --asr-model "$asr_dir" --tts-model "$tts_model" --audio "$dir" \
    --duration "$((gpu ? (quick ? 20 : 45) : 4))s" --reps 1 --ascii \
    --json "$work/logs/bench.json" --markdown "$work/logs/bench.md" >"$work/logs/bench.txt" 2>&1
  md "Models: $model_kind; audio: ${#clips[@]} flite utterances x $copies; ONNX Runtime intra-op threads on the CPU: $threads." ""
  [[ -s "$work/logs/bench.json" ]] || { verdict FAIL "bench wrote no report: $(tail -2 "$work/logs/bench.txt")"; return; }
  judge bench "$work/logs/bench.json" --asr "$(basename "$asr_dir")"
  md "<details><summary>Full <code>parley bench</code> report</summary>" "" "$(sed 's/^## /### /' "$work/logs/bench.md")" "" "</details>"
}

# budget_toml FRACTION ASR_WEIGHT TTS_WEIGHT: the [gpu] tables.
budget_toml() {
  printf '[gpu]\nmemory_fraction = %s\n[gpu.weights]\nasr = %s\ntts = %s\n' "$1" "$2" "$3"
}

step_budget() {
  if ((!gpu)); then
    verdict SKIP "no GPU ($no_gpu): no NVML total to take a fraction of"
    return
  fi
  local b cfg
  b=$(awk -v t="$gpu_total_mib" -v f="$BUDGET_FRACTION" 'BEGIN {printf "%.0f", t * f}')
  cfg=$(config budget "$(models_toml cuda:0 cuda:0)" "$(budget_toml "$BUDGET_FRACTION" 1 0.0001)")
  md "gpu.memory_fraction = $BUDGET_FRACTION of $gpu_total_mib MiB = $b MiB, split asr 1 : tts 0.0001," \
    "so TTS may use $(awk -v b="$b" 'BEGIN {printf "%.2f", b * 0.0001 / 1.0001}') MiB: the second model cannot fit." ""
  tui_session budget "$cfg" "${clips[0]}" "$(tmo 60 "$((gpu * (soak_s + 90)))")"
  judge budget --screen "$work/logs/budget-screen.txt" --log "$work/logs/budget-conversation.jsonl" \
    --samples "$work/logs/budget-samples.csv" --budget-mib "$b"
}

# step_failure tries a margin of 1 MiB, then 24 MiB when the first try
# failed at load rather than at run (ORT may allocate more than the weights).
step_failure() {
  failure_try 1
  if ((gpu)) && ! grep -q '^PASS' "$vfile" && (($(remaining) > soak_s + 100)); then
    failure_try 24
  fi
}

# failure_try MARGIN_MIB: TTS gets gpu_mem_limit = its file + MARGIN_MIB
# (ASR the rest of the budget); its first run on the GPU should fail.
failure_try() {
  local file_mib b w cfg name=failure-$1
  file_mib=$(awk -v s="$(stat -c %s "$tts_model")" 'BEGIN {printf "%.1f", s / 1048576}')
  b=$(awk -v t="${gpu_total_mib:-0}" -v f="$BUDGET_FRACTION" 'BEGIN {print t * f}')
  w=$(awk -v l="$file_mib" -v m="$1" -v b="$b" 'BEGIN {x = (b > l + m) ? (l + m) / (b - l - m) : 1; printf "%.6f", x}')
  cfg=$(config "$name" "$(models_toml cuda:0 cuda:0)" "$(budget_toml "$BUDGET_FRACTION" 1 "$w")")
  if ((gpu)); then
    md "Try: TTS gpu_mem_limit = its file ($file_mib MiB) + $1 MiB (gpu.weights.tts = $w of a $b MiB budget)." ""
  else
    md "No GPU: ASR and TTS ask for cuda:0, which cannot load here; the reply must still be spoken, from the CPU." ""
  fi
  tui_session "$name" "$cfg" "${clips[0]}" "$(tmo 60 "$((gpu * (soak_s + 40)))")"
  judge failure --screen "$work/logs/$name-screen.txt" --log "$work/logs/$name-conversation.jsonl" --model tts
}

step_soak() {
  local n
  toggles_sent=0
  n=$(python3 "$here/report.py" mkwav --out "$work/soak.wav" --seconds "$((soak_s + (gpu ? 15 : 2)))" --gap 4 "${clips[@]}")
  soak_bench &
  local bp=$!
  soak_tui "$n"
  wait_pid "$bp" "$(tmo 60)"
  md "### \`parley bench --soak ${soak_s}s --switch-every ${soak_every}s\`" ""
  if [[ -s "$work/logs/soak.json" ]]; then
    judge soak "$work/logs/soak.json"
    cp "$vfile" "$work/verdicts/soak-bench"
  else
    verdict FAIL "bench --soak wrote no report: $(tail -2 "$work/logs/soak.txt")"
    cp "$vfile" "$work/verdicts/soak-bench"
  fi
  md "### The TUI on a ${soak_s}s+ WAV of $n utterances, ASR toggled (key a) every ${soak_every}s" ""
  judge segments "$work/logs/soak-conversation.jsonl" --expected "$n"
  cp "$vfile" "$work/verdicts/soak-segments"
  judge flips "$work/logs/soak-toggles.txt" --sent "$toggles_sent"
  cp "$vfile" "$work/verdicts/soak-flips"
  judge trend "$work/logs/soak-samples.csv" --from "$((gpu ? 20 : 4))"
  cp "$vfile" "$work/verdicts/soak-trend"
  worst "$work"/verdicts/soak-{bench,segments,flips,trend}
}

soak_bench() {
  local cfg
  cfg=$(config soak-bench)
  # The soak starts on the first device: the GPU where there is one.
  timeout "$(tmo $((soak_s + 90)))" "$parley" bench --config "$cfg" --soak "${soak_s}s" --switch-every "${soak_every}s" \
    --models asr --devices "$( ((gpu)) && echo cuda:0,cpu || echo cpu,cuda:0)" --asr-model "$asr_dir" --audio "$work/audio" \
    --json "$work/logs/soak.json" --markdown "$work/logs/soak.md" >"$work/logs/soak.txt" 2>&1
}

# soak_tui N: the TUI on the long WAV: the screen at 20 s (the tui step),
# then a toggle every soak_every seconds for soak_s seconds, then it waits
# for the pipeline to finish the file.
soak_tui() {
  local cfg end
  cfg=$(config soak "$(models_toml cuda:0 cuda:0)")
  tui_start soak "$cfg" "$work/soak.wav" || return 1
  sampler "$tui_pid" "$work/logs/soak-samples.csv" &
  sleep "$((gpu ? 20 : 4))"
  tui_capture soak "$work/logs/tui-screen.txt"
  : >"$work/logs/soak-toggles.txt"
  end=$((SECONDS + soak_s))
  while ((SECONDS < end)) && tui_alive soak; do
    sleep "$soak_every"
    tui_capture soak "$work/logs/soak-now.txt"
    { echo "=== before toggle $((toggles_sent + 1)) at $SECONDS s"; cat "$work/logs/soak-now.txt"; } >>"$work/logs/soak-toggles.txt"
    tui_keys soak a && toggles_sent=$((toggles_sent + 1))
  done
  wait_finals soak "$1" "$(tmo 40)"
  tui_capture soak "$work/logs/soak-screen.txt"
  tui_stop soak
  cp "$(conversation soak)" "$work/logs/soak-conversation.jsonl" 2>/dev/null
  cp "$work/state/soak/parley.log" "$work/logs/soak-parley.log" 2>/dev/null
}

step_tui() {
  md "The TUI 20 s after start (ASR and TTS asked for cuda:0), as tmux captured it:" ""
  [[ -s "$work/logs/tui-screen.txt" ]] || { verdict SKIP "no screen: the soak step, which runs the TUI, did not run"; return; }
  md '```' "$(cat "$work/logs/tui-screen.txt")" '```' ""
  judge screen "$work/logs/tui-screen.txt" --model asr
}
