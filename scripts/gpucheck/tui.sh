# shellcheck shell=bash
# Part of scripts/gpu-check.sh: the real parley TUI in a private tmux server,
# its screen read with capture-pane, keys sent with send-keys, and its memory
# sampled (RSS from /proc, GPU memory from NVML through nvidia-smi).

# tmux_bin runs the system tmux, or the pack's where the host has none.
tmux_bin() {
  if command -v tmux >/dev/null; then
    tmux -u "$@"
  elif [[ -x "$pack/tmux/tmux" ]]; then
    LD_LIBRARY_PATH="$pack/tmux${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$pack/tmux/tmux" -u "$@"
  else
    say "no tmux here and none in the pack"
    return 1
  fi
}

# tui_start NAME CONFIG WAV: starts parley's TUI on WAV in a 250x60 terminal;
# sets tui_pid. The pane stays after parley exits, so its last screen and
# exit status can still be read.
tui_start() {
  local sock=$work/tmux-$1.sock
  printf 'set -g remain-on-exit on\nset -g status off\n' >"$work/tmux.conf"
  tmux_bin -S "$sock" -f "$work/tmux.conf" new-session -d -x 250 -y 60 \
    "exec '$parley' --config '$2' --input '$3' 2>>'$work/logs/$1-stderr.txt'" || return 1
  tui_pid=$(tmux_bin -S "$sock" display -p '#{pane_pid}')
  tui_socks+=("$sock")
}

# tui_capture NAME FILE: writes what the terminal shows now.
tui_capture() { tmux_bin -S "$work/tmux-$1.sock" capture-pane -p >"$2" 2>/dev/null; }

# tui_keys NAME KEY...: types keys into the TUI.
tui_keys() { tmux_bin -S "$work/tmux-$1.sock" send-keys "${@:2}"; }

# tui_alive NAME: true while parley runs in the pane.
tui_alive() { [[ "$(tmux_bin -S "$work/tmux-$1.sock" display -p '#{pane_dead}' 2>/dev/null)" == 0 ]]; }

# tui_stop NAME: quits parley (q), then removes the tmux server.
tui_stop() {
  local i
  tui_keys "$1" q 2>/dev/null
  for i in $(seq 50); do
    tui_alive "$1" || break
    sleep 0.1
  done
  tmux_bin -S "$work/tmux-$1.sock" kill-server 2>/dev/null
}

tui_stop_all() {
  local s
  for s in "${tui_socks[@]}"; do tmux_bin -S "$s" kill-server 2>/dev/null; done
  tui_socks=()
}
tui_socks=()

# conversation NAME: the conversation log of the run NAME (log.dir state/NAME).
conversation() { ls "$work/state/$1"/conversation-*.jsonl 2>/dev/null | head -1; }

# wait_log NAME PATTERN SECONDS: waits until the conversation log of NAME
# has a line matching PATTERN, or the seconds pass, or parley exits.
wait_log() {
  local end=$((SECONDS + $3)) log
  while ((SECONDS < end)) && tui_alive "$1"; do
    log=$(conversation "$1")
    [[ -n "$log" ]] && grep -q "$2" "$log" && return 0
    sleep 0.5
  done
  return 1
}

# finals NAME: the utterances of run NAME that got their final result.
finals() {
  local log
  log=$(conversation "$1")
  [[ -n "$log" ]] || { echo 0; return; }
  grep -c '"kind":"heard"\|"text":"nothing recognised"' "$log"
}

# wait_finals NAME N SECONDS: waits until N utterances got their final
# result, or the seconds pass, or parley exits.
wait_finals() {
  local end=$((SECONDS + $3))
  while ((SECONDS < end)) && tui_alive "$1" && (($(finals "$1") < $2)); do sleep 0.5; done
}

# sampler PID CSV: every second until PID exits: time, RSS, PID's GPU
# memory and the GPU's used memory (NVML through nvidia-smi; nan without).
sampler() {
  local pid=$1 csv=$2 rss proc used
  echo "t_s,rss_kib,proc_gpu_mib,gpu_used_mib" >"$csv"
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    proc=nan used=nan
    if ((gpu)); then
      proc=$(timeout 5 nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits 2>/dev/null |
        awk -F', *' -v p="$pid" '$1 == p {s += $2} END {print s + 0}')
      used=$(timeout 5 nvidia-smi -i 0 --query-gpu=memory.used --format=csv,noheader,nounits 2>/dev/null)
    fi
    echo "$(date +%s.%N),${rss:-nan},${proc:-nan},${used:-nan}" >>"$csv"
    sleep 1
  done
}

# tui_session NAME CONFIG WAV SECONDS: one TUI run that waits until the
# first reply plays (or SECONDS), then captures the screen into
# logs/NAME-screen.txt and quits; memory is sampled into logs/NAME-samples.csv.
tui_session() {
  tui_start "$1" "$2" "$3" || return 1
  sampler "$tui_pid" "$work/logs/$1-samples.csv" &
  local sp=$!
  wait_log "$1" '"state":"speaking"' "$4"
  sleep 2
  tui_capture "$1" "$work/logs/$1-screen.txt"
  tui_stop "$1"
  wait "$sp" 2>/dev/null
  cp "$(conversation "$1")" "$work/logs/$1-conversation.jsonl" 2>/dev/null
  cp "$work/state/$1/parley.log" "$work/logs/$1-parley.log" 2>/dev/null
  return 0
}
