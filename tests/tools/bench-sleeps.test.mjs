// bench/run.py's count of a server's sleeps, read from /proc while the server runs: the
// reading must not take the CPU from the server it measures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const root = new URL('../../', import.meta.url).pathname;

// A process counts its own threads' sleeps for a second, sleeping ten times in it, and says
// at which policy the counter's reading thread and its own main thread ran.
const script = `
import json, os, sys, time
sys.path.insert(0, ${JSON.stringify(`${root}bench`)})
import run
c = run.SleepCounter(os.getpid())
for _ in range(10):
    time.sleep(0.1)
def policy(tid):
    for line in open(f"/proc/{os.getpid()}/task/{tid}/sched"):
        if line.startswith("policy"):
            return int(line.split(":")[1])
reader = policy(c.thread.native_id)
main = policy(os.getpid())
print(json.dumps({"reader": reader, "main": main, "sleeps": c.stop()}))
`;

test('the sleep counter reads at the idle policy and counts the sleeps', () => {
  const r = JSON.parse(execFileSync('python3', ['-c', script], { stdio: 'pipe' }).toString());
  assert.equal(r.reader, 5, `SCHED_IDLE is 5: ${JSON.stringify(r)}`);
  assert.equal(r.main, 0, `only the reading thread gives way: ${JSON.stringify(r)}`);
  // The main thread's ten sleeps, and the reader's own waits between its readings.
  assert.ok(r.sleeps >= 10, JSON.stringify(r));
});
