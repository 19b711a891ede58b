#!/usr/bin/env bash
# Starts or stops a private headless PulseAudio with a virtual microphone
# (source "virtmic", fed through sink "mic_feed") and a virtual speaker (sink
# "spk", recorded from "spk.monitor"). Nothing touches the user's own server.
# Usage: scripts/pulse.sh start|stop|env    (start prints the env to export)
# PARLEY_PULSE_DIR picks the folder (one server per folder); PARLEY_PULSE_IDLE
# makes the server exit that many seconds after its last client (default never).
set -euo pipefail
dir="${PARLEY_PULSE_DIR:-/tmp/parley-pulse-$(id -u)}"

envvars() {
  echo "export PULSE_SERVER=unix:$dir/native PULSE_RUNTIME_PATH=$dir/run PULSE_STATE_PATH=$dir/state"
}

start() {
  mkdir -p "$dir/run" "$dir/state" "$dir/config"
  eval "$(envvars)"
  if pactl info >/dev/null 2>&1; then envvars; return 0; fi
  cat > "$dir/headless.pa" <<PA
load-module module-native-protocol-unix auth-anonymous=1 socket=$dir/native
load-module module-null-sink sink_name=spk rate=16000 channels=1
load-module module-null-sink sink_name=mic_feed rate=16000 channels=1
load-module module-remap-source master=mic_feed.monitor source_name=virtmic
load-module module-null-source source_name=silence rate=16000 channels=1
load-module module-loopback source=silence sink=mic_feed latency_msec=20
load-module module-loopback source=silence sink=spk latency_msec=20
set-default-sink spk
set-default-source virtmic
PA
  XDG_CONFIG_HOME="$dir/config" pulseaudio --daemonize=yes -n -F "$dir/headless.pa" \
    --exit-idle-time="${PARLEY_PULSE_IDLE:--1}" --use-pid-file=yes --log-target=file:"$dir/pulse.log" --disallow-exit=no
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && { envvars; return 0; }; sleep 0.1; done
  echo "pulse.sh: PulseAudio did not start; see $dir/pulse.log" >&2
  return 1
}

stop() {
  eval "$(envvars)"
  XDG_CONFIG_HOME="$dir/config" pulseaudio --kill >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) envvars ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
