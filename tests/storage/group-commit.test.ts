import { describe, expect, it } from 'vitest';
import { GroupCommitWriter, type AppendSink } from '../../storage/lowdb/group-commit.ts';

/** A sink that records writes and syncs, and whose writes finish only when the test lets them. */
function recordingSink() {
  const writes: string[] = [];
  let syncs = 0;
  let hold: Promise<void> | undefined;
  let letGo = () => {};
  let failWith: Error | undefined;
  const sink: AppendSink = {
    async write(data) {
      await hold;
      if (failWith) throw failWith;
      writes.push(data.toString());
    },
    async sync() {
      syncs++;
    },
  };
  return {
    sink,
    writes,
    syncs: () => syncs,
    holdWrites() {
      hold = new Promise((resolve) => (letGo = resolve));
    },
    release() {
      hold = undefined;
      letGo();
    },
    failWrites(error: Error) {
      failWith = error;
    },
  };
}

const writer = (sink: AppendSink) =>
  new GroupCommitWriter(sink, 0, (cause, waiting) => new Error(`failed ${waiting}: ${cause}`));

describe('GroupCommitWriter', () => {
  it('writes a burst of 500 appends with one write and one sync', async () => {
    const recording = recordingSink();
    const log = writer(recording.sink);
    await Promise.all(Array.from({ length: 500 }, (_, i) => log.append(`line ${i}`)));
    expect(recording.writes).toHaveLength(1);
    expect(recording.syncs()).toBe(1);
    expect(recording.writes[0]?.split('\n').slice(0, 3)).toEqual(['line 0', 'line 1', 'line 2']);
    expect(log.durableOffset).toBe(Buffer.byteLength(recording.writes[0] ?? ''));
  });

  it('groups what arrives while a write is in flight into the next write, in order', async () => {
    const recording = recordingSink();
    const log = writer(recording.sink);
    recording.holdWrites();
    const first = log.append('a');
    await Promise.resolve();
    const later = ['b', 'c', 'd'].map((line) => log.append(line));
    expect(log.appendedOffset).toBe(8);
    expect(log.durableOffset).toBe(0);
    recording.release();
    await Promise.all([first, ...later]);
    expect(recording.writes).toEqual(['a\n', 'b\nc\nd\n']);
    expect(recording.syncs()).toBe(2);
  });

  it('rejects every waiting append when a write fails, and every later one', async () => {
    const recording = recordingSink();
    const log = writer(recording.sink);
    recording.holdWrites();
    const first = log.append('a');
    await Promise.resolve();
    const second = log.append('b');
    recording.failWrites(new Error('ENOSPC'));
    recording.release();
    await expect(first).rejects.toThrow('failed 2: Error: ENOSPC');
    await expect(second).rejects.toBe(log.failure);
    await expect(log.append('c')).rejects.toBe(log.failure);
    await expect(log.settled()).resolves.toBeUndefined();
  });
});
