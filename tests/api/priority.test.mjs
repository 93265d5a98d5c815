// --media-priority: the media workers at real-time priority when the operator asks and the
// process may; a clear refusal when it may not; normal priority otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startKamerd, KAMERD } from '../lib/kamerd.mjs';

const SCHED_OTHER = 0;
const SCHED_FIFO = 1;
// Without CAP_SYS_NICE, as a service started by an unprivileged user would be. (That an
// RLIMIT_RTPRIO of 1 would do instead is the kernel's rule; raising the limit needs
// CAP_SYS_RESOURCE, which this workplace's root does not have.)
const NO_SYS_NICE = ['setpriv', '--inh-caps=-sys_nice', '--bounding-set=-sys_nice'];

/** Each thread's name and scheduling policy (/proc/PID/task/TID/stat, field 41). */
function policies(pid) {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 on
    return { name, policy: Number(fields[41 - 3]) };
  });
}

function workersAndOthers(pid) {
  const all = policies(pid);
  return {
    workers: all.filter((t) => t.name.startsWith('kamer-media/')),
    others: all.filter((t) => !t.name.startsWith('kamer-media/')),
  };
}

test('by default the media workers run at normal priority', async () => {
  const k = await startKamerd([]);
  try {
    const { workers, others } = workersAndOthers(k.proc.pid);
    assert.equal(workers.length, 2);
    for (const t of [...workers, ...others]) assert.equal(t.policy, SCHED_OTHER, t.name);
  } finally {
    assert.deepEqual(await k.stop(), { code: 0, signal: null }, k.stderr().slice(-2000));
  }
});

test('--media-priority realtime puts the media workers, and only them, at SCHED_FIFO', async () => {
  const k = await startKamerd(['--media-priority', 'realtime']);
  try {
    const { workers, others } = workersAndOthers(k.proc.pid);
    assert.equal(workers.length, 2);
    for (const t of workers) assert.equal(t.policy, SCHED_FIFO, t.name);
    assert.ok(others.some((t) => t.name.startsWith('kamer-dtls/')));
    for (const t of others) assert.equal(t.policy, SCHED_OTHER, t.name);
  } finally {
    assert.deepEqual(await k.stop(), { code: 0, signal: null }, k.stderr().slice(-2000));
  }
});

test('kamerd that may not run real-time threads refuses to start, and says why', async () => {
  await assert.rejects(
    startKamerd(['--media-priority', 'realtime'], { wrap: ['prlimit', '--rtprio=0', ...NO_SYS_NICE] }),
    /exited early \(\{"code":1[^]*cannot start media worker 0 at real-time priority \(it needs CAP_SYS_NICE or an RLIMIT_RTPRIO of 1\): Operation not permitted/);
});

test('an unknown --media-priority is refused with a reason', () => {
  const r = spawnSync(KAMERD, ['--media-priority', 'high'], { timeout: 10000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /--media-priority wants normal or realtime/);
});
