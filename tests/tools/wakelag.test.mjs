// bench/wakelag.py, which reads a scheduler trace and says how long the media workers
// waited for their CPU and who held it: on a made-up trace whose waits are known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const root = new URL('../../', import.meta.url).pathname;
const run = (...args) => execFileSync('python3', [`${root}bench/wakelag.py`, ...args],
  { stdio: 'pipe' }).toString();

test('wakelag measures each wait from wakeup or preemption to the switch in', () => {
  const r = JSON.parse(run(`${root}tests/tools/fixtures/wakelag.txt`, '--json'));
  // Woken and in after 10 µs; woken under kdamond and in after 1,600 µs; preempted at a
  // cond_resched and back after 500 µs. Worker 1's first wakeup has no recorded switch in,
  // but it ran (it switched out): its next wait counts from its next wakeup (100 µs), not
  // from the first (600). kamer-dtls is not a worker.
  assert.equal(r.waits, 4, JSON.stringify(r));
  assert.equal(r.wait_us.max, 1600, JSON.stringify(r));
  assert.equal(r.wait_us.p50, 500, JSON.stringify(r));
  assert.equal(r.long, 2, JSON.stringify(r));
  assert.deepEqual(r.held_by, [{ thread: 'kdamond.0', count: 1, mean_us: 1600 },
    { thread: 'kamer-load', count: 1, mean_us: 500 }]);
  assert.deepEqual(r.how.map((h) => `${h.thread}: ${h.left}`).sort(),
    ['kamer-load: preempted in the kernel (cond_resched)', 'kdamond.0: slept']);
});

test('wakelag takes the threshold and the workers\' name', () => {
  const fixture = `${root}tests/tools/fixtures/wakelag.txt`;
  assert.equal(JSON.parse(run(fixture, '--json', '--over-us', '1000')).long, 1);
  // kamer-dtls/1 is woken but never switched in within the trace: no wait to count.
  assert.equal(JSON.parse(run(fixture, '--json', '--threads', 'kamer-dtls')).waits, 0);
  assert.throws(() => run(fixture, '--threads', 'nobody'),
    (e) => e.status === 1 && /no waits of threads named nobody/.test(e.stdout.toString()));
});
