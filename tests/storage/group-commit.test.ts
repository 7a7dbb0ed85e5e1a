import { describe, expect, it } from 'vitest';
import { fileSink, GroupCommitWriter, type AppendFile, type AppendSink } from '../../storage/lowdb/group-commit.ts';
import { settledState } from './helpers.ts';

/** A gate the test opens: `passed()` waits while it is held. */
function gate() {
  let held: Promise<void> | undefined;
  let letGo = () => {};
  return {
    passed: () => held,
    hold() {
      held = new Promise((resolve) => (letGo = resolve));
    },
    release() {
      held = undefined;
      letGo();
    },
  };
}

/** A sink that records writes and syncs, and whose writes finish only when the test lets them. */
function recordingSink() {
  const writes: string[] = [];
  let syncs = 0;
  const writeGate = gate();
  const syncGate = gate();
  let failWith: Error | undefined;
  let failSyncWith: Error | undefined;
  const sink: AppendSink = {
    async write(data) {
      await writeGate.passed();
      if (failWith) throw failWith;
      writes.push(data.toString());
    },
    async sync() {
      syncs++;
      await syncGate.passed();
      if (failSyncWith) throw failSyncWith;
    },
  };
  return {
    sink,
    writes,
    syncs: () => syncs,
    holdWrites: writeGate.hold,
    release: writeGate.release,
    failWrites(error: Error) {
      failWith = error;
    },
    holdSyncs: syncGate.hold,
    releaseSyncs: syncGate.release,
    failSyncs(error: Error) {
      failSyncWith = error;
    },
  };
}

const writer = (sink: AppendSink) => new GroupCommitWriter(sink, 0, (cause, waiting) => new Error(`failed ${waiting}: ${cause}`));

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

  it('does not resolve an append before the sink has synced what was written', async () => {
    const recording = recordingSink();
    const log = writer(recording.sink);
    recording.holdSyncs();
    const appended = log.append('a');
    await settledState(appended);
    expect([recording.writes, recording.syncs()]).toEqual([['a\n'], 1]); // written, sync under way
    expect(await settledState(appended)).toBe('pending');
    expect(log.durableOffset).toBe(0);
    recording.releaseSyncs();
    expect(await settledState(appended)).toBe('resolved');
    expect(log.durableOffset).toBe(2);
  });

  it('rejects the appends a failed sync was for, and every later one', async () => {
    const recording = recordingSink();
    const log = writer(recording.sink);
    recording.failSyncs(new Error('EIO'));
    await expect(log.append('a')).rejects.toThrow('failed 1: Error: EIO');
    await expect(log.append('b')).rejects.toBe(log.failure);
    expect(log.durableOffset).toBe(0);
  });
});

describe('fileSink', () => {
  /** A stand-in for the file: takes at most 3 bytes a write, and syncs only when the test lets it. */
  function slowFile() {
    const written: Buffer[] = [];
    let datasyncs = 0;
    let finishSync = () => {};
    const file: AppendFile = {
      async write(buffer, offset, length) {
        const bytesWritten = Math.min(3, length);
        written.push(Buffer.from(buffer.subarray(offset, offset + bytesWritten)));
        return { bytesWritten };
      },
      datasync() {
        datasyncs++;
        return new Promise((resolve) => (finishSync = resolve));
      },
    };
    return { file, written, datasyncs: () => datasyncs, finishSync: () => finishSync() };
  }

  it('writes every byte, resuming short writes', async () => {
    const slow = slowFile();
    await fileSink(slow.file).write(Buffer.from('line one\n'));
    expect(Buffer.concat(slow.written).toString()).toBe('line one\n');
  });

  it("syncs with the file's fdatasync, and not before it has finished", async () => {
    const slow = slowFile();
    const synced = fileSink(slow.file).sync();
    expect(slow.datasyncs()).toBe(1);
    expect(await settledState(synced)).toBe('pending');
    slow.finishSync();
    expect(await settledState(synced)).toBe('resolved');
  });
});
