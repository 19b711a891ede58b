#!/usr/bin/env bash
# gpu-check.sh proves parley's GPU path in one run and writes the evidence to
# one Markdown report: $OUT/<date>-<gpu>.md (commit it as
# docs/gpu-runs/<date>-<gpu>.md) plus $OUT/gpucheck-logs.tar.gz (raw output).
#
# Steps (each bounded by `timeout`, the whole run by --budget, 480 s on a GPU):
#   gpu       nvidia-smi, the bundle's ort_smoke.py, `parley doctor` with PARLEY_ORT_LIB
#   models    a SenseVoice-small-sized and a Piper-medium-sized model, generated
#             here by scripts/models when torch is present (they are 936 MB and
#             63 MB: too big to carry), else the committed test models
#   bench     `parley bench --devices cpu,cuda:0`, batch 1/4/16 x parallel 1/3
#   budget    gpu.memory_fraction 0.05 with the TTS share too small: TTS falls
#             back with the reason, VRAM (NVML) stays under the budget
#   failure   a TTS gpu_mem_limit just above its weights: the first GPU run
#             fails and is answered on the CPU, the reason on screen
#   soak      live ASR switches every 5 s for 2 minutes, in `parley bench --soak`
#             and in the TUI (tmux) on a long WAV: no lost or duplicated
#             utterance, RSS and VRAM flat
#   tui       the TUI's GPU pane 20 s into the soak, ASR on cuda:0
# Without a GPU every step still runs as far as it can here and says why the
# rest is skipped (make test runs it so, through scripts/gpucheck_test.go).
#
# On a GPU machine lent through the device tool, from this checkout:
#   1. here: make gpu-bundle      (builds .ort-cuda/ort-1.29.0-cuda13-sm90.tar.xz
#                                  and .ort-cuda/pack/, checks the 64 MiB limit)
#   2. run(command="bash scripts/gpu-check.sh",
#          carry=[".ort-cuda/ort-1.29.0-cuda13-sm90.tar.xz", ".ort-cuda/pack"],
#          timeout_s=560)
#      kind left out (an H100; the report names the device it got). If time is
#      left for a second call: command="bash scripts/gpu-check.sh --quick",
#      same carry, timeout_s=300.
#
# Usage: scripts/gpu-check.sh [--out DIR] [--steps gpu,models,...] [--quick]
#                             [--budget SECONDS] [--pack]
#   --pack  use the carried pack's binary and libraries even without a GPU
#           (to test the pack here); with a GPU it is used when present.
# PARLEY_BIN overrides the binary (default: the pack's on a GPU host, else
# bin/parley, built when missing); KEEP_WORK=1 keeps the work folder (/tmp/gpucheck.*).
set -uo pipefail

STEPS=(gpu models bench budget failure soak tui)
BUNDLE=ort-1.29.0-cuda13-sm90
BUDGET_FRACTION=0.05

root=$(cd "$(dirname "$0")/.." && pwd)
here=$root/scripts/gpucheck
out=${OUT:-}
only=""
quick=0
force_pack=0
budget=""

usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

parse_args() {
  while (($#)); do
    case $1 in
    --out) out=$2; shift ;;
    --steps) only=,$2,; shift ;;
    --quick) quick=1 ;;
    --budget) budget=$2; shift ;;
    --pack) force_pack=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "gpu-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
  done
}

say() { printf 'gpu-check: %s\n' "$*" >&2; }

# remaining: seconds left before the run's deadline.
remaining() { echo $((deadline - SECONDS)); }

# tmo MAX [RESERVE]: a command's timeout: MAX seconds, or what is left of
# the run after RESERVE seconds kept for the steps after it.
tmo() {
  local left
  left=$(($(remaining) - 5 - ${2:-0}))
  echo $((left < $1 ? (left < 10 ? 10 : left) : $1))
}

# md TEXT...: appends a line to the current step's section.
md() { printf '%s\n' "$@" >>"$sec"; }

# verdict V HEADLINE: sets the current step's verdict (PASS, FAIL, SKIP).
verdict() { printf '%s\t%s\n' "$1" "$2" >"$vfile"; }

# judge SUB ARGS...: runs a report.py judge into the current step.
judge() {
  local g=()
  ((gpu)) && g=(--gpu)
  python3 "$here/report.py" "$1" "${@:2}" "${g[@]}" --verdict "$vfile" >>"$sec" 2>>"$work/logs/report-errors.txt" ||
    verdict FAIL "report.py $1 failed: $(tail -1 "$work/logs/report-errors.txt")"
}

# worst FILE...: merges verdict files into the current one (FAIL > SKIP > PASS).
worst() {
  local f v h best="" line=""
  for f in "$@"; do
    [[ -s "$f" ]] || continue
    IFS=$'\t' read -r v h <"$f"
    line+="${line:+; }$h"
    case $v in FAIL) best=FAIL ;; SKIP) [[ $best == FAIL ]] || best=SKIP ;; PASS) best=${best:-PASS} ;; esac
  done
  verdict "${best:-FAIL}" "$line"
}

# run_step NAME TITLE FUNCTION: runs one step and records its verdict and time.
run_step() {
  local name=$1 t0=$SECONDS v h
  sec=$work/sections/$name.md
  vfile=$work/verdicts/$name
  printf '## %s\n\n' "$2" >"$sec"
  if [[ -n "$only" && $only != *,$name,* ]]; then
    verdict SKIP "not selected (--steps)"
  elif (($(remaining) < 10)); then
    verdict SKIP "out of time: the run's budget of ${budget}s is spent"
  else
    say "step $name"
    "$3" || [[ -s "$vfile" ]] || verdict FAIL "the step stopped early (see the logs)"
  fi
  [[ -s "$vfile" ]] || verdict FAIL "the step set no verdict"
  IFS=$'\t' read -r v h <"$vfile"
  md "" "**$v**: $h" ""
  printf '%s\t%s\t%s\t%s\n' "$name" "$v" "$((SECONDS - t0))" "$h" >>"$work/results.tsv"
  say "$name: $v: $h"
}

source "$here/env.sh"
source "$here/tui.sh"
source "$here/steps.sh"
source "$here/write.sh"

main() {
  parse_args "$@"
  setup
  run_step gpu "1. GPU, driver and the CUDA provider" step_gpu
  run_step models "2. Models" step_models
  run_step bench "3. CPU vs GPU: \`parley bench\`" step_bench
  run_step budget "4. Memory budget" step_budget
  run_step failure "5. A GPU failure answered on the CPU" step_failure
  run_step soak "6. Soak: live switches every ${soak_every}s for ${soak_s}s" step_soak
  run_step tui "7. The TUI with a model on cuda:0" step_tui
  write_report
  ! grep -q $'\tFAIL\t' "$work/results.tsv"
}

main "$@"
