#!/usr/bin/env python3
"""How long kamerd's media workers wait for their CPU once they may run, and who held it.

A worker that a packet wakes (or that was preempted) is runnable from that moment; its
packets wait until the scheduler switches to it. This reads a system-wide trace of the
scheduler's switches and wakeups with their call chains, made while kamerd runs under
load:

    perf record -e sched:sched_switch,sched:sched_wakeup -g -a -o FILE -- sleep 4
    perf script -i FILE -F comm,tid,cpu,time,event,trace,ip,sym > TEXT
    bench/wakelag.py TEXT [--threads kamer-media] [--over-us 300] [--json]

and prints the distribution of those waits, and for the waits longer than --over-us the
thread that was on the CPU when the worker got it (a kernel thread's name without its
/N), how long they lasted, and how that thread left the CPU: it slept (ran
until it had nothing to do), it was preempted at a return to user space (from a system
call or an interrupt), or inside the kernel at a cond_resched (a kernel built without
forced preemption runs a system call to its end or to such a point).
"""
import argparse
import collections
import json
import re
import sys

HEADER = re.compile(r"^\s*(\S.*?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s+(.*)$")
WAKEUP = re.compile(r"comm=(.*?) pid=(\d+) ")
SWITCH = re.compile(r"prev_comm=(.*?) prev_pid=(\d+) .*prev_state=(\S+) ==> "
                    r"next_comm=(.*?) next_pid=(\d+)")


def events(lines):
    """(comm, tid, cpu, time, event, trace, [frames]) for each event of perf script's text."""
    cur = None
    for line in lines:
        m = HEADER.match(line)
        if m:
            if cur:
                yield cur
            cur = (m.group(1), int(m.group(2)), int(m.group(3)), float(m.group(4)),
                   m.group(5), m.group(6), [])
        elif cur and line.strip():
            parts = line.split()
            if len(parts) >= 2:
                cur[6].append(parts[1])
    if cur:
        yield cur


def how_it_left(state, frames):
    """How the thread on the CPU gave it up, from its state and its call chain there."""
    if not state.startswith("R"):
        return "slept"
    if "__cond_resched" in frames:
        return "preempted in the kernel (cond_resched)"
    if any(f.startswith(("asm_sysvec", "sysvec_", "irqentry_exit")) for f in frames):
        return "preempted at an interrupt's return"
    if any(f.startswith(("syscall_exit", "exit_to_user_mode")) for f in frames):
        return "preempted at a system call's return"
    if any(f in frames for f in ("schedule_idle", "do_idle")):
        return "idle (the vCPU itself was not running, or was slow to notice)"
    return "preempted (" + ",".join(frames[:4]) + ")"


def holder_name(comm):
    return comm if comm.startswith("kamer") else comm.split("/")[0]


def analyse(lines, prefix="kamer-media", over_s=300e-6):
    runnable = {}  # worker tid -> since when
    waits = []
    long_by = collections.Counter()
    long_s = collections.Counter()
    how = collections.Counter()
    for comm, tid, cpu, t, ev, trace, frames in events(lines):
        if ev == "sched:sched_wakeup":
            m = WAKEUP.search(trace)
            if m and m.group(1).startswith(prefix):
                runnable.setdefault(int(m.group(2)), t)
        elif ev == "sched:sched_switch":
            m = SWITCH.search(trace)
            if not m:
                continue
            prev, prev_tid, state = m.group(1), int(m.group(2)), m.group(3)
            nxt, next_tid = m.group(4), int(m.group(5))
            if nxt.startswith(prefix) and next_tid in runnable:
                d = t - runnable.pop(next_tid)
                waits.append(d)
                if d >= over_s:
                    who = holder_name(prev)
                    long_by[who] += 1
                    long_s[who] += d
                    how[(who, how_it_left(state, frames))] += 1
            if prev.startswith(prefix):
                # It ran, whether or not its switch in was recorded (perf drops events
                # when its buffers fill); preempted, it is runnable again from now.
                runnable.pop(prev_tid, None)
                if state.startswith("R"):
                    runnable[prev_tid] = t
    waits.sort()
    n = len(waits)

    def q(f):
        return round(waits[min(n - 1, int(f * n))] * 1e6) if n else None
    return {
        "waits": n,
        "wait_us": {"p50": q(0.5), "p90": q(0.9), "p99": q(0.99), "p999": q(0.999),
                    "max": round(waits[-1] * 1e6) if n else None},
        "over_us": round(over_s * 1e6),
        "long": sum(long_by.values()),
        "held_by": [{"thread": k, "count": v, "mean_us": round(long_s[k] / v * 1e6)}
                    for k, v in long_by.most_common()],
        "how": [{"thread": k[0], "left": k[1], "count": v} for k, v in how.most_common()],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("text", help="perf script's output ('-' for standard input)")
    ap.add_argument("--threads", default="kamer-media", help="the workers' name prefix")
    ap.add_argument("--over-us", type=float, default=300, help="what counts as a long wait")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    with (sys.stdin if a.text == "-" else open(a.text, errors="replace")) as f:
        r = analyse(f, a.threads, a.over_us / 1e6)
    if a.json:
        print(json.dumps(r))
        return
    if not r["waits"]:
        print(f"no waits of threads named {a.threads}*: is it a trace of sched_switch and "
              "sched_wakeup with -a?")
        sys.exit(1)
    w = r["wait_us"]
    print(f"{r['waits']} waits for the CPU: p50 {w['p50']} µs, p90 {w['p90']}, p99 {w['p99']}, "
          f"p99.9 {w['p999']}, max {w['max']}")
    print(f"{r['long']} over {r['over_us']} µs ({100 * r['long'] / r['waits']:.2f}%), "
          "by the thread on the CPU when the worker got it:")
    for h in r["held_by"]:
        print(f"  {h['thread']}: {h['count']}, {h['mean_us']} µs on average")
    for h in r["how"]:
        print(f"    {h['count']} {h['thread']}: {h['left']}")


if __name__ == "__main__":
    main()
