import { describe, expect, it } from 'vitest';
import { handle, type SourceSnapshot } from '../../commands/entry/handle.ts';
import { replyText } from '../../commands/shared/reply.ts';
import { createAppWarden } from '../../src/app.ts';
import type { Store } from '../../src/core/store.ts';
import { createDirectorySync, type DirectoryReader } from '../../src/runtime/directory-sync.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { loadPack, testClock } from '../support/bot.ts';

const T0 = '2026-12-01T09:00:00.000Z';

function bot() {
  const clock = testClock(T0);
  const store = createMemoryStore();
  const policy = loadPack('demo.yaml');
  const app = createAppWarden({
    policy: {
      ...policy,
      directory: {
        every_minutes: 60,
        slack: true,
        entra: { units_by_department: { Communications: 'demo/comms' }, units_by_group: {}, roles_by_group: {} },
      },
    },
    store,
    now: clock.now,
    log: () => {},
  });
  return { app, store, clock };
}

const entra = (people: SourceSnapshot['people'], extra: Partial<SourceSnapshot> = {}): SourceSnapshot => ({
  source: 'entra',
  complete: true,
  people,
  removed: [],
  cursor: 'https://graph.example/v1.0/users/delta?$deltatoken=one',
  ...extra,
});
const reader = (read: DirectoryReader['read'], source: DirectoryReader['source'] = 'entra'): DirectoryReader => ({ source, read });

async function audited(store: Store, action: string) {
  const found = [];
  for await (const e of store.readAudit()) if (e.action === action) found.push(e);
  return found;
}

describe('a directory sync', () => {
  it('is one audited change with counts, keeps the cursor, and brings people the engine then sees', async () => {
    const { app, store } = bot();
    const sync = createDirectorySync(
      app,
      [reader(async () => entra([{ key: 'e-nora', email: 'nora@agency.gov', name: 'Nora Quist', department: 'Communications' }]))],
      () => {},
    );
    const done = await sync.sync(new Date(T0));
    expect(done).toMatchObject({ ok: true, done: { added: 1, changed: 0, left: 0, total: 1 } });
    if (done.ok) expect(done.text).toBe('Directory synced: 1 added, 0 changed, 0 left, 0 returned; 1 people in all.');
    const [entry, ...more] = await audited(store, 'directory.synced');
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ actor: 'system', detail: { added: 1, changed: 0, left: 0, total: 1, closed: 0, sources: 'entra' } });
    expect(store.get('directory_sources', 'entra')).toMatchObject({
      cursor: 'https://graph.example/v1.0/users/delta?$deltatoken=one',
      people: 1,
    });
    // Nora, who is in no policy file, now gets a real answer in her unit on Teams.
    const ctx = app.contextFor('e-nora', 'teams');
    expect(ctx.person).toMatchObject({ id: 'nora@agency.gov', unit: 'demo/comms', name: 'Nora Quist' });
    expect(app.filePolicy.people.some((p) => p.id === 'nora@agency.gov')).toBe(false);
  });

  it('a source that fails changes nothing: no entry, no cursor, no leaver, though another source was read', async () => {
    const { app, store } = bot();
    const first = createDirectorySync(app, [reader(async () => entra([{ key: 'e-nora', email: 'nora@agency.gov' }]))], () => {});
    await first.sync(new Date(T0));
    const seq = store.seq;
    const slack = reader(async () => ({ source: 'slack', complete: true, people: [], removed: [] }), 'slack');
    const broken = reader(async () => {
      throw new Error('https://graph.microsoft.com/v1.0/users/delta answered 503 five times');
    });
    const lines: string[] = [];
    const outcome = await createDirectorySync(app, [slack, broken], (line) => lines.push(line)).sync(new Date(T0));
    expect(outcome).toEqual({
      ok: false,
      problem: expect.stringContaining('entra could not be read, nothing was changed: https://graph.microsoft.com'),
    });
    expect(lines).toHaveLength(1);
    expect(store.seq).toBe(seq);
    expect(app.contextFor('nora@agency.gov', 'cli').person.listed).toBe(true);
  });

  it("a leaver's pending request is withdrawn and their exception revoked, audited, and the approvers told", async () => {
    const { app, store, clock } = bot();
    const sync = (snap: SourceSnapshot) => handle({ kind: 'directory', snapshots: [snap], at: clock.now() }, app.systemContext());
    await sync(entra([{ key: 'e-nora', email: 'nora@agency.gov', name: 'Nora Quist', department: 'Communications' }]));
    const asNora = (text: string) => handle({ kind: 'text', text }, app.contextFor('e-nora', 'teams'));
    const filed = await asNora('request instagram --purpose public-communications --reason "the press office answers questions on it"');
    expect(filed.ok, replyText(filed.reply)).toBe(true);
    const second = await asNora('request twitter --purpose public-communications --reason "the press office on the road"');
    expect(second.ok, replyText(second.reply)).toBe(true);
    const approved = await handle({ kind: 'text', text: 'approve EX-2' }, app.contextFor('akiko', 'cli'));
    expect(approved.ok, replyText(approved.reply)).toBe(true);

    const left = await sync(entra([], { complete: false, removed: ['e-nora'] }));
    expect(left.data).toMatchObject({ left: 1, total: 0, closed: ['EX-1', 'EX-2'] });
    expect(store.get('requests', 'EX-1')).toMatchObject({ status: 'withdrawn', endedBy: 'system', endedBecause: 'left' });
    expect(store.get('requests', 'EX-2')).toMatchObject({ status: 'revoked', endedBy: 'system', endedBecause: 'left' });
    const told = left.effects.filter((e) => e.kind === 'notify');
    expect(told.map((e) => e.kind === 'notify' && e.person)).toEqual(['akiko', 'akiko']);
    expect(told.map((e) => (e.kind === 'notify' ? replyText(e.message) : ''))).toEqual([
      'EX-1 (Nora Quist, Instagram) was closed without a decision: Nora Quist has left the organisation.',
      'The exception EX-2 (Nora Quist, X (Twitter)) has ended: Nora Quist has left the organisation.',
    ]);
    expect(left.effects.filter((e) => e.kind === 'update').map((e) => e.kind === 'update' && e.subject)).toEqual([
      'EX-1',
      'EX-1:copy:akiko',
      'EX-2',
      'EX-2:copy:akiko',
    ]);
    // One entry holds it all: the directory, the requests and the messages to deliver.
    const [, entry] = await audited(store, 'directory.synced');
    expect(entry?.changes.map((c) => c.collection).sort()).toEqual(
      ['directory', 'directory_sources', ...Array(6).fill('outbox'), 'requests', 'requests'].sort(),
    );
    // No longer a subject: Nora, typing again, is nobody the policy knows.
    expect(app.contextFor('e-nora', 'teams').person.listed).toBe(false);
  });

  it('only the system syncs: a person cannot hand the command layer snapshots', async () => {
    const { app } = bot();
    await expect(handle({ kind: 'directory', snapshots: [], at: new Date(T0) }, app.contextFor('olivia', 'cli'))).rejects.toThrow(
      /not_system|asked by olivia/,
    );
  });
});
