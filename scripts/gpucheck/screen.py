"""Reading parley's TUI from a tmux capture: the right-hand panes (GPU,
devices), the device table's rows and reasons, and the status line.
Part of scripts/gpu-check.sh, used by report.py."""

import re

JUNCTION = re.compile("[│┃║╮┓╗╯┛╝](?=[│┃║╭╰┏┗╔╚])")
BORDERS = "│┃║"


def right_column(line):
    """The text of the right-hand panes: everything after the junction of the two columns."""
    cuts = [m.start() for m in JUNCTION.finditer(line)]
    return line[cuts[-1] + 1:] if cuts else ""


def pane(lines, title):
    """The inner lines of the right-column box titled title."""
    out, inside = [], False
    for line in lines:
        r = right_column(line)
        if re.match("[╭┏╔][─━═] %s " % re.escape(title), r):
            inside = True
            continue
        if inside and r[:1] in "╰┗╚":
            break
        if inside:
            out.append(r.strip(BORDERS).rstrip())
    return out


DEVICE_ROW = re.compile(r"^(VAD|ASR|TTS)\s+(\S+)\s+(switching\S*|\S+(?: \(fallback\))?)\s+(\S+)\s+(.*)$")


def parse_screen(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    devices, reason, last = {}, {}, None
    for line in pane(lines, "devices"):
        m = DEVICE_ROW.match(line.strip())
        if m:
            # The first row of a model is the GPU manager's; the TUI may list
            # the model again (see the report's notes), which is left out.
            last = m.group(1).lower() if m.group(1).lower() not in devices else None
            if last:
                devices[last] = {"requested": m.group(2), "active": m.group(3), "mem": m.group(4),
                                 "switch": m.group(5).strip()}
        elif last and line.strip().startswith(("↳", "->")):
            reason[last] = line.strip()[1:].lstrip("> ").strip()
    return {"gpu": pane(lines, "GPU"), "devices": devices, "reasons": reason, "lines": lines}


SELF = re.compile(r"self ([\d.]+)([KMGT]i?)")
UNITS = {"K": 1 / 1024, "Ki": 1 / 1024, "M": 1, "Mi": 1, "G": 1024, "Gi": 1024, "T": 1 << 20, "Ti": 1 << 20}


def split_captures(path):
    """The screens of a file of captures, each after a line starting with ===."""
    screens, cur = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f.read().splitlines():
            if line.startswith("=== "):
                cur = []
                screens.append(cur)
            elif cur is not None:
                cur.append(line)
    return screens


def screen_of(lines):
    devices = {}
    for line in pane(lines, "devices"):
        m = DEVICE_ROW.match(line.strip())
        if m and m.group(1).lower() not in devices:
            devices[m.group(1).lower()] = {"active": m.group(3), "switch": m.group(5).strip()}
    status = next((l for l in reversed(lines) if l.startswith("error:")), "")
    return devices, status


def millis(text):
    """A FormatMS duration ("850ms", "1.20s") in milliseconds, or None."""
    m = re.match(r"([\d.]+)(ms|s)$", text)
    if not m:
        return None
    return float(m.group(1)) * (1 if m.group(2) == "ms" else 1000)
