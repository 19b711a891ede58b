# shellcheck shell=bash
# Part of scripts/gpu-check.sh: the report. One Markdown file named after the
# date and the GPU, and the raw logs beside it, both under $OUT.

# report_name: <date>-<gpu>.md, e.g. 2026-12-06-nvidia-h100-80gb-hbm3.md.
report_name() {
  local slug
  slug=$(echo "${gpu_name:-no-gpu}" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9]\{1,\}/-/g; s/^-//; s/-$//')
  echo "$(date +%F)-$slug.md"
}

# commit: the parley commit of the binary (the pack's manifest on a GPU host,
# which has no .git), else of this checkout.
commit() {
  if [[ -n "${pack:-}" ]]; then
    sed -n 1p "$root/.ort-cuda/pack/MANIFEST.txt"
  else
    echo "parley commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  fi
}

machine_table() {
  local cpu cores
  cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
  cores=$(nproc)
  echo "| | |"
  echo "| --- | --- |"
  if ((gpu)); then
    echo "| GPU | $gpu_name, $gpu_total_mib MiB, driver $driver |"
  else
    echo "| GPU | none: $no_gpu |"
  fi
  echo "| CPU | $cpu, $cores logical cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) |"
  echo "| OS | $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r) |"
  echo "| parley | $(commit | sed 's/^parley commit: //'), binary \`${parley:-none}\`$([[ -n "${pack:-}" ]] && echo " (carried pack)") |"
  echo "| ONNX Runtime | \`${ort_lib:-not looked for}\`$([[ -n "${bundle:-}" ]] && echo " (bundle $BUNDLE)") |"
  echo "| CUDA runtime | ${cuda_libs:-not looked for} |"
  echo "| models | ${model_kind:-none} |"
  echo "| run | $((SECONDS)) s of a ${budget} s budget$( ((quick)) && echo ", --quick") |"
}

summary_table() {
  local name v s h
  echo "| step | verdict | seconds | headline |"
  echo "| --- | --- | --- | --- |"
  while IFS=$'\t' read -r name v s h; do
    echo "| $name | **$v** | $s | ${h//|/\\|} |"
  done <"$work/results.tsv"
}

write_report() {
  local f name
  f=$out/$(report_name)
  {
    echo "# parley GPU check: ${gpu_name:-no GPU}, $(date +%F)"
    echo
    echo "Written by \`scripts/gpu-check.sh\`; every figure below was measured in this run" \
      "(raw output in \`gpucheck-logs.tar.gz\` beside this file). Commit it as \`docs/gpu-runs/$(report_name)\`."
    echo
    machine_table
    echo
    echo "## Summary"
    echo
    summary_table
    echo
    for name in "${STEPS[@]}"; do
      [[ -f "$work/sections/$name.md" ]] && cat "$work/sections/$name.md"
    done
  } >"$f"
  tar -czf "$out/gpucheck-logs.tar.gz" -C "$work" logs sections cfg results.tsv 2>/dev/null
  say "report: $f"
  cat "$work/results.tsv" >&2
}
