#!/usr/bin/env python3
"""Helpers of scripts/gpu-check.sh: judge each step's raw output and write its Markdown.

Standard library only, so that it runs with any python3 (the GPU host's and
this machine's). Every judging sub-command prints a Markdown section on stdout
and writes "VERDICT<TAB>headline" to the file given with --verdict, where
VERDICT is PASS, FAIL or SKIP.

  mkwav     build a long WAV: utterances separated by silence (prints the count)
  bench     `parley bench --json` report -> headline table of the GPU figures
  soak      `parley bench --soak --json` report -> summary
  segments  conversation log (JSONL) -> lost / duplicated utterances
  trend     sampler CSV -> start, end, peak and growth of RSS and GPU memory
  screen    tmux capture of the TUI -> what the GPU and devices panes show
  flips     the TUI captured before each toggle -> the live switches that happened
  budget    memory budget step: screen + log + samples
  failure   forced GPU failure step: screens + log
"""

import argparse
import json
import math
import re
import sys
import wave

from screen import SELF, UNITS, millis, parse_screen, screen_of, split_captures

ONNX_MODELS = ("piper",)  # besides the ASR model folder, named by the caller


# ARGS are each sub-command's arguments: (name, keyword arguments of add_argument).
ARGS = {
    "mkwav": [("--out", dict(required=True)), ("--seconds", dict(type=float, required=True)),
              ("--gap", dict(type=float, default=5.0)), ("inputs", dict(nargs="+"))],
    "bench": [("report", {}), ("--asr", dict(required=True, help="the ASR model's row name (its folder's name)"))],
    "soak": [("report", {})],
    "segments": [("log", {}), ("--expected", dict(type=int, required=True))],
    "trend": [("csv", {}), ("--max-growth", dict(type=float, default=64.0, help="MiB over the run")),
              ("--from", dict(dest="start", type=float, default=0.0, help="ignore the first seconds (start-up)"))],
    "screen": [("screen", {}), ("--model", dict(default="asr", help="the model that must be on a GPU"))],
    "flips": [("captures", {}), ("--sent", dict(type=int, required=True, help="toggles sent"))],
    "budget": [("--screen", dict(required=True)), ("--log", dict(required=True)), ("--samples", dict(required=True)),
               ("--budget-mib", dict(type=float, required=True))],
    "failure": [("--screen", dict(required=True)), ("--log", dict(required=True)), ("--model", dict(default="tts"))],
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, args in ARGS.items():
        p = sub.add_parser(name)
        for flag, kw in args + [("--verdict", dict(help="file for VERDICT<TAB>headline")),
                                ("--gpu", dict(action="store_true", help="a GPU is present (else GPU parts are SKIPs)"))]:
            p.add_argument(flag, **kw)
    a = ap.parse_args()
    verdict, headline = globals()["cmd_" + a.cmd](a)
    if a.verdict:
        with open(a.verdict, "w", encoding="utf-8") as f:
            f.write("%s\t%s\n" % (verdict, headline.replace("\t", " ").replace("\n", " ")))


# ---------- audio ----------

def cmd_mkwav(a):
    """Concatenate 16-bit mono WAVs of one rate, each followed by a silence gap, up to --seconds."""
    clips, rate = [], None
    for path in a.inputs:
        with wave.open(path, "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2:
                sys.exit("mkwav: %s: want 16-bit mono" % path)
            if rate not in (None, w.getframerate()):
                sys.exit("mkwav: %s: rate %d differs from %d" % (path, w.getframerate(), rate))
            rate = w.getframerate()
            clips.append(w.readframes(w.getnframes()))
    gap = b"\0\0" * int(a.gap * rate)
    out, n, frames = [gap], 0, len(gap) // 2
    while frames < a.seconds * rate:
        clip = clips[n % len(clips)]
        out += [clip, gap]
        frames += (len(clip) + len(gap)) // 2
        n += 1
    with wave.open(a.out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(out))
    print(n)
    return "PASS", "%d utterances, %.0f s" % (n, frames / rate)


# ---------- bench ----------

def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load3s(row):
    for load in row.get("loads") or []:
        if load["name"] == "3s":
            return load
    return None


def fmt(v, digits=3):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return ("%%.%dg" % digits) % v


def lat(row):
    l3 = load3s(row) if row else None
    if not l3:
        return "-"
    return "%s / %s" % (fmt(l3["latency"]["p50_ms"]), fmt(l3["latency"]["p95_ms"]))


def row_ok(r):
    return r and not r.get("missing") and not r.get("error") and r.get("repetitions", 0) > 0


def problem(r):
    if r is None:
        return "no row"
    if r.get("missing"):
        return "missing: " + r["missing"]
    return "error: " + r.get("error", "not timed")


def short(text, n=160):
    """text cut to n characters."""
    return text if len(text) <= n else text[:n - 3] + "..."


def cmd_bench(a):
    """The GPU rows of the ONNX models beside their CPU rows, and the verdict."""
    rep = load_json(a.report)
    models = (a.asr,) + ONNX_MODELS
    rows = [r for r in rep["rows"] if r["model"] in models]
    cpu = {(r["model"], r["batch"], r["parallel"]): r for r in rows if r["device"] == "cpu" and row_ok(r)}
    gpu = [r for r in rows if r["device"].startswith("cuda")]
    checks = {c["model"]: c for c in rep.get("checks", []) if c["device"].startswith("cuda")}
    bad = bench_table(cpu, gpu, checks)
    bad += ["%s identical outputs: %s %s" % (m, c["verdict"], c.get("reason", ""))
            for m, c in checks.items() if m in models and c["verdict"] != "PASS"]
    cpu_bad = [problem(r) for r in rows if r["device"] == "cpu" and not row_ok(r)]
    if cpu_bad:
        return "FAIL", "CPU rows failed: " + "; ".join(cpu_bad)
    if not a.gpu:
        why = next((problem(r) for r in gpu if not row_ok(r)), "no GPU rows")
        return "SKIP", "CPU rows measured; GPU rows skipped: " + short(why)
    if bad or not gpu:
        return "FAIL", "; ".join(bad) or "no GPU rows"
    return "PASS", bench_headline(a.asr, cpu, gpu, checks)


def bench_table(cpu, gpu, checks):
    """Prints one line per GPU row with its CPU row; returns the GPU rows' problems."""
    print("| model | batch | parallel | CPU RTF | GPU RTF | GPU/CPU | 3 s chunk p50 / p95 ms, CPU | "
          "3 s chunk p50 / p95 ms, GPU | peak GPU MiB | identical outputs |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    bad = []
    for r in gpu:
        c = cpu.get((r["model"], r["batch"], r["parallel"]))
        if not row_ok(r):
            bad.append("%s on %s: %s" % (r["model"], r["device"], problem(r)))
            print("| %s | | | %s | %s | | | | | |" % (r["model"], fmt(c["rtf"]) if c else "-", problem(r)))
            continue
        print("| %s | %d | %d | %s | %s | %sx | %s | %s | %s | %s |" % (
            r["model"], r["batch"], r["parallel"], fmt(c["rtf"]) if c else "-", fmt(r["rtf"]),
            fmt(r.get("speedup_vs_reference") or None), lat(c), lat(r),
            fmt(r["peak_gpu_mib"], 4) if r["peak_gpu_mib"] >= 0 else "N/A",
            checks.get(r["model"], {}).get("verdict", "-")))
    print()
    return bad


def bench_headline(asr, cpu, gpu, checks):
    best = [r for r in gpu if r["model"] == asr and r["batch"] == 1 and r["parallel"] == 1]
    r = best[0] if best else gpu[0]
    c = cpu.get((r["model"], r["batch"], r["parallel"]))
    peak = max(x["peak_gpu_mib"] for x in gpu)
    ratios = [x["speedup_vs_reference"] for x in gpu if x["model"] == asr and x.get("speedup_vs_reference")]
    return ("%s batch 1: GPU/CPU %sx (range %s-%sx over the grid), 3 s chunk p50/p95 %s ms on GPU vs %s ms on CPU; "
            "peak VRAM %s MiB; outputs %s" % (
                asr, fmt(r.get("speedup_vs_reference") or None), fmt(min(ratios) if ratios else None),
                fmt(max(ratios) if ratios else None), lat(r), lat(c), fmt(peak, 4),
                "/".join("%s %s" % (m, c["verdict"]) for m, c in sorted(checks.items()))))


def cmd_soak(a):
    r = load_json(a.report)
    gpu = r["gpu"]
    line = "%d runs, %d live switches, %d errors in %.0f s; RSS %s -> %s MiB (growth %s MiB); GPU %s" % (
        r["runs"], r["switches"], r["errors"], r["seconds"], fmt(r["rss"]["start_mib"], 4),
        fmt(r["rss"]["end_mib"], 4), fmt(r["rss"]["growth_mib"]),
        ("%s -> %s MiB (growth %s MiB)" % (fmt(gpu["start_mib"], 4), fmt(gpu["end_mib"], 4), fmt(gpu["growth_mib"])))
        if gpu["known"] else "unknown")
    print("`parley bench --soak`: %s. Verdict %s%s.\n" % (line, r["verdict"],
                                                          (": " + "; ".join(r["reasons"])) if r.get("reasons") else ""))
    if any("grew" in x for x in r.get("reasons") or []) and r["switches"]:
        print("Note: bench's growth is a slope fitted over the whole run. With live switches the memory is a "
              "sawtooth (a session is freed at each switch), which biases such a slope either way; the TUI soak "
              "below compares peaks and troughs instead.\n")
    if r["verdict"] != "PASS":
        return "FAIL", line
    if not a.gpu or r["switches"] == 0:
        return "SKIP", "no GPU, no live switches; CPU soak: " + line
    return "PASS", line


# ---------- conversation log ----------

def read_log(path):
    events = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                events.append(json.loads(line))
    return events


def cmd_segments(a):
    """Each utterance in the file must give exactly one final result (heard or nothing recognised)."""
    events = read_log(a.log)
    started, finals, errors = set(), {}, []
    for e in events:
        turn = e.get("turn", 0)
        if e["kind"] == "speech":
            started.add(turn)
        elif e["kind"] == "heard" or (e["kind"] == "info" and e.get("text") == "nothing recognised"):
            finals[turn] = finals.get(turn, 0) + 1
        elif e["kind"] == "error":
            errors.append(e.get("text", ""))
    # Lost: detected without a final result, or never detected at all.
    lost = sum(1 for t in started if t not in finals) + max(0, a.expected - len(started))
    dup = sorted(t for t, n in finals.items() if n > 1)
    heard = sum(1 for e in events if e["kind"] == "heard")
    print("| utterances in the file | speech starts | final results | heard | lost | duplicated | errors |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print("| %d | %d | %d | %d | %d | %d | %d |\n" % (a.expected, len(started), sum(finals.values()), heard,
                                                     lost, len(dup), len(errors)))
    for e in errors[:5]:
        print("- error: %s" % e)
    line = "%d utterances in the file, %d detected, %d lost, %d duplicated, %d errors" % (
        a.expected, len(started), lost, len(dup), len(errors))
    ok = not lost and not dup and len(started) == a.expected and not errors
    return ("PASS" if ok else "FAIL"), line


# ---------- samples ----------

def read_samples(path):
    with open(path, encoding="utf-8") as f:
        head = f.readline().strip().split(",")
        rows = [line.strip().split(",") for line in f if line.strip()]
    cols = {h: [] for h in head}
    for r in rows:
        for h, v in zip(head, r):
            try:
                cols[h].append(float(v))
            except ValueError:
                cols[h].append(float("nan"))
    return cols


def slope(xs, ys):
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    return 0.0 if den == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den


def series(cols, name, scale, start):
    """(minutes, values) of column name from start seconds on, NaNs left out."""
    t0 = cols["t_s"][0] if cols["t_s"] else 0
    pts = [((t - t0) / 60, v * scale) for t, v in zip(cols["t_s"], cols[name])
           if not math.isnan(v) and t - t0 >= start]
    return [p[0] for p in pts], [p[1] for p in pts]


def trend_of(cols, name, scale, max_growth, start=0.0):
    """Start, end, peak, fitted slope, and growth: how much the peaks and the
    troughs of the last third are above those of the first third. Live
    switches make GPU memory (and RSS) a sawtooth, which biases a fitted
    slope either way; its peaks and troughs only rise when memory leaks."""
    xs, ys = series(cols, name, scale, start)
    if len(ys) < 3:
        return None
    third = max(len(ys) // 3, 1)
    first, last = ys[:third], ys[-third:]
    growth = max(max(last) - max(first), min(last) - min(first))
    return {"start": ys[0], "end": ys[-1], "peak": max(ys), "slope": slope(xs, ys), "growth": growth,
            "flat": growth <= max_growth, "n": len(ys)}


def trend_row(name, t):
    if t is None:
        return "| %s | no samples | | | | |" % name
    return "| %s | %s | %s | %s | %+.2f | %+.1f |" % (name, fmt(t["start"], 4), fmt(t["end"], 4), fmt(t["peak"], 4),
                                                    t["slope"], t["growth"])


def trends(path, max_growth, start=0.0):
    cols = read_samples(path)
    return {"RSS (MiB)": trend_of(cols, "rss_kib", 1 / 1024, max_growth, start),
            "this process on the GPU (MiB, NVML)": trend_of(cols, "proc_gpu_mib", 1, max_growth, start),
            "GPU memory used, all processes (MiB, NVML)": trend_of(cols, "gpu_used_mib", 1, max_growth, start)}


def cmd_trend(a):
    ts = trends(a.csv, a.max_growth, a.start)
    print("Samples from %.0f s after the start (model loading left out), one a second.\n" % a.start)
    print("| memory | start | end | peak | fitted slope MiB/min | growth: last third over first third, MiB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, t in ts.items():
        print(trend_row(name, t))
    print()
    known = {k: t for k, t in ts.items() if t}
    grew = [k for k, t in known.items() if not t["flat"]]
    rss, gpu = ts["RSS (MiB)"], ts["this process on the GPU (MiB, NVML)"]
    line = "RSS %s MiB growth, VRAM %s MiB growth (bound %.0f MiB)" % (
        "%+.1f" % rss["growth"] if rss else "?", "%+.1f" % gpu["growth"] if gpu else "unknown", a.max_growth)
    if not a.gpu:
        return "SKIP", "no GPU (a run this short says nothing about growth); " + line
    if grew:
        return "FAIL", "grew: " + ", ".join(grew) + "; " + line
    if not gpu:
        return "SKIP", "no GPU memory samples; " + line
    return "PASS", "flat: " + line


# ---------- TUI screens ----------

def cmd_screen(a):
    s = parse_screen(a.screen)
    gpu = [l for l in s["gpu"] if l.strip()]
    print("GPU pane:\n\n```\n%s\n```\n" % "\n".join(gpu))
    print("devices pane: %s\n" % ", ".join("%s %s" % (k.upper(), v["active"]) for k, v in s["devices"].items()))
    text = " ".join(gpu)
    if "no GPU" in text or not gpu:
        return "SKIP", "GPU pane: " + (text.strip() or "empty")
    mem = next((l for l in gpu if "MEM" in l), "")
    self_m = SELF.search(mem)
    self_mib = float(self_m.group(1)) * UNITS[self_m.group(2)] if self_m else None
    model = s["devices"].get(a.model, {})
    bad = []
    if "N/A" in mem or "/" not in mem:
        bad.append("MEM gauge has no NVML value")
    if not self_mib:
        bad.append("no memory of this process (self) on the MEM gauge")
    if not model.get("active", "").startswith("cuda"):
        bad.append("%s is on %s, not a GPU" % (a.model, model.get("active", "?")))
    line = "%s; %s; %s on %s" % (gpu[0].strip(), mem.strip(), a.model.upper(), model.get("active", "?"))
    return ("FAIL" if bad else "PASS"), ("; ".join(bad) + ": " if bad else "") + line


def cmd_flips(a):
    """Count the ASR device changes seen between the captures taken before each toggle."""
    seen, times, refused, bad = [], [], 0, []
    for lines in split_captures(a.captures):
        devices, status = screen_of(lines)
        asr = devices.get("asr", {})
        seen.append(asr.get("active", "?"))
        ms = millis(asr.get("switch", "-").split(" at ")[0])
        if ms and (not times or times[-1] != ms):
            times.append(ms)
        if "already in progress" in status:
            refused += 1
        elif status:
            bad.append(status)
    settled = [d for d in seen if not d.startswith("switching")]
    flips = sum(1 for x, y in zip(settled, settled[1:]) if x != y)
    med = sorted(times)[len(times) // 2] if times else None
    print("Toggles sent: %d; ASR device before each toggle: %s.\n" % (a.sent, " ".join(seen) or "none"))
    print("Switch times shown (each new last-switch value): %s.\n" % (
        ", ".join("%.0f ms" % t for t in times) or "none"))
    print("Toggles refused while a switch was still in progress: %d.\n" % refused)
    for b in bad[-3:]:
        print("- status line: `%s`" % b)
    line = "%d toggles, %d device changes seen, %d refused (switch in progress), switch time median %s ms (%d values)" % (
        a.sent, flips, refused, fmt(med), len(times))
    if not a.gpu:
        return "SKIP", "no GPU: %s" % (bad[-1] if bad else line)
    ok = flips >= 1 and not bad and not any("fallback" in d for d in seen)
    return ("PASS" if ok else "FAIL"), line + ("; errors: " + bad[-1] if bad else "")


def start_notice(log):
    """The pipeline's start notice: where each engine runs when listening starts."""
    for e in read_log(log):
        if e["kind"] == "info" and e.get("text", "").startswith("listening on"):
            return e["text"]
    return ""


def answered(log):
    """Whether a reply was synthesised and played (speaking state, or said)."""
    return any(e["kind"] == "said" or e.get("state") == "speaking" for e in read_log(log))


def cmd_budget(a):
    s = parse_screen(a.screen)
    ts = trends(a.samples, 1e9)
    proc = ts["this process on the GPU (MiB, NVML)"]
    asr, tts = s["devices"].get("asr", {}), s["devices"].get("tts", {})
    print("Start notice: `%s`\n" % start_notice(a.log))
    print("| model | active | reason shown |\n| --- | --- | --- |")
    for m in ("asr", "tts"):
        print("| %s | %s | %s |" % (m, s["devices"].get(m, {}).get("active", "?"), s["reasons"].get(m, "")))
    peak = proc["peak"] if proc else None
    print("\nPeak memory of this process on the GPU (NVML, sampled every second): %s MiB; budget "
          "(gpu.memory_fraction x total): %.0f MiB.\n" % (fmt(peak, 5), a.budget_mib))
    bad = []
    if not tts.get("active", "").startswith("cpu") or not s["reasons"].get("tts"):
        bad.append("TTS did not fall back with a reason (active %s)" % tts.get("active", "?"))
    if not asr.get("active", "").startswith("cuda"):
        bad.append("ASR is not on the GPU (%s)" % asr.get("active", "?"))
    if peak is None or peak > a.budget_mib:
        bad.append("VRAM %s MiB above the budget %.0f MiB" % (fmt(peak, 5), a.budget_mib))
    if not a.gpu:
        return "SKIP", "no GPU"
    line = "ASR %s, TTS %s (%s); peak VRAM %s MiB of a %.0f MiB budget" % (
        asr.get("active", "?"), tts.get("active", "?"), s["reasons"].get("tts", "no reason"), fmt(peak, 5), a.budget_mib)
    return ("FAIL" if bad else "PASS"), ("; ".join(bad) + ": " if bad else "") + line


def cmd_failure(a):
    s = parse_screen(a.screen)
    notice = start_notice(a.log)
    st = s["devices"].get(a.model, {})
    reason = s["reasons"].get(a.model, "")
    on_gpu_at_start = re.search(r"%s \S+ on cuda" % a.model.upper(), notice) is not None
    print("Start notice: `%s`\n" % notice)
    print("After the turn: %s is `%s`, reason `%s`; the reply was %s.\n" % (
        a.model.upper(), st.get("active", "?"), reason, "spoken" if answered(a.log) else "NOT spoken"))
    fell = st.get("active", "").startswith("cpu") and reason
    if not fell or not answered(a.log):
        return "FAIL", "%s: active %s, reason %r, answered %s" % (a.model, st.get("active"), reason, answered(a.log))
    kind = "run failure (loaded on the GPU, failed while running)" if on_gpu_at_start else "load failure"
    if not a.gpu:
        return "SKIP", "no GPU; the fallback path ran (%s): %s" % (kind, reason)
    return ("PASS" if on_gpu_at_start else "FAIL"), "%s answered on the CPU: %s" % (kind, reason)


if __name__ == "__main__":
    main()
