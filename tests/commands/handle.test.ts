import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handle, type Interaction, type Result } from '../../commands/entry/handle.ts';
import { replyText } from '../../commands/shared/reply.ts';
import { createAppWarden } from '../../src/app.ts';
import { parsePolicyText } from '../../src/core/policy-text.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { botOn, packPath, testClock } from '../support/bot.ts';

// France, March 2023: recreational apps banned on work phones, exceptions for public communications.
const FR = 'fr-2023-recreational.yaml';
const AT = '2023-04-03T08:00:00Z';
const staff = 'julien.moreau';
const approver = 'helene.lefebvre';

/** A bot on a pack, and `as(person)`: one interaction through `handle`, as that person, on a memory store. */
function on(pack: string, at: string) {
  const { bot, store } = botOn(pack, at);
  let n = 0;
  const as = (person: string, interaction: Interaction, key = `test:${++n}`) =>
    handle(interaction, { ...bot.contextFor(person, 'test'), idempotencyKey: key });
  return { bot, store, as };
}

const fileTwitter = {
  kind: 'text',
  text: 'request twitter --purpose public-communications --days 90 --reason "Posting the ministry\'s announcements"',
} as const;

describe('handle: the one way in', () => {
  it('text is the typed command: the same result as runCommand, with its effects', async () => {
    const { as, store } = on(FR, AT);
    const checked = await as(staff, { kind: 'text', text: 'check "Candy Crush"' });
    expect(checked).toMatchObject({ ok: true, data: { verdict: 'prohibited' } });
    expect(checked.form).toBeUndefined();
    const filed = await as(staff, fileTwitter);
    expect(filed.data).toMatchObject({ id: 'EX-1', status: 'requested' });
    expect(filed.effects).toEqual([
      expect.objectContaining({ kind: 'post', channel: 'approvals', subject: 'EX-1' }),
      expect.objectContaining({ kind: 'notify', person: approver, subject: `EX-1:copy:${approver}` }),
    ]);
    expect(store.get('requests', 'EX-1')?.status).toBe('requested');
  });

  it('text `request <app>` alone opens the request form where the surface can show one, and is a command elsewhere', async () => {
    const { as } = on(FR, AT);
    const opened = await as(staff, { kind: 'text', text: 'request twitter', forms: true });
    expect(opened.ok).toBe(true);
    expect(opened.form).toMatchObject({
      form: 'request',
      request: { app: 'twitter', device: 'corporate', purposes: expect.arrayContaining(['public-communications']) },
    });
    expect(opened.effects).toEqual([]);
    const view = opened.form?.form === 'request' ? opened.form.view : undefined;
    expect(view?.fields.map((f) => [f.id, f.kind])).toEqual([
      ['purpose', 'select'],
      ['device', 'select'],
      ['days', 'number'],
      ['reason', 'text'],
    ]);
    expect(view?.fields[1]).toMatchObject({
      value: 'corporate',
      options: expect.arrayContaining([{ value: 'personal', label: expect.any(String) }]),
    });
    const typed = await as(staff, { kind: 'text', text: 'request twitter' });
    expect(typed.form).toBeUndefined();
    expect(typed.ok).toBe(false);
    const unknown = await as(staff, { kind: 'text', text: 'request nosuchapp', forms: true });
    expect(unknown.form).toBeUndefined();
    expect(unknown.ok).toBe(false);
  });

  it('button request.open opens the form for the app and device its value names', async () => {
    const { as } = on(FR, AT);
    const opened = await as(staff, {
      kind: 'button',
      action: 'request.open',
      value: JSON.stringify({ app: 'twitter', device: 'corporate' }),
    });
    expect(opened.form).toMatchObject({ form: 'request', request: { app: 'twitter', device: 'corporate' } });
    // The French ban covers work phones only: on a personal phone there is nothing to ask for.
    const personal = await as(staff, {
      kind: 'button',
      action: 'request.open',
      value: JSON.stringify({ app: 'twitter', device: 'personal' }),
    });
    expect(personal.ok).toBe(false);
    expect(personal.form).toBeUndefined();
    const odd = await as(staff, { kind: 'button', action: 'request.open', value: JSON.stringify({ app: 'twitter', device: 'toaster' }) });
    expect(odd.form).toMatchObject({ form: 'request', request: { device: 'corporate' } });
    const none = await as(staff, { kind: 'button', action: 'request.open', value: '{}' });
    expect(none).toMatchObject({ ok: false, code: 'missing_app' });
  });

  it('button request.approve decides the request: refused to the requester, approved by the approver, once per key', async () => {
    const { as, store } = on(FR, AT);
    await as(staff, fileTwitter);
    const own = await as(staff, { kind: 'button', action: 'request.approve', value: 'EX-1' });
    expect(own).toMatchObject({ ok: false, code: 'own_request', effects: [] });
    const approved = await as(approver, { kind: 'button', action: 'request.approve', value: 'EX-1' }, 'click-1');
    expect(approved.ok).toBe(true);
    expect(approved.effects.map((e) => e.kind)).toEqual(['update', 'update', 'notify']); // the post, Akiko's copy, the requester
    expect(store.get('requests', 'EX-1')).toMatchObject({ status: 'approved', decidedBy: approver });
    const retried = await as(approver, { kind: 'button', action: 'request.approve', value: 'EX-1' }, 'click-1');
    expect(retried.code).toBe('duplicate');
  });

  it('button request.deny opens the deny form for who may deny, and refuses anyone else', async () => {
    const { as } = on(FR, AT);
    await as(staff, fileTwitter);
    const opened = await as(approver, { kind: 'button', action: 'request.deny', value: 'EX-1' });
    expect(opened.form).toMatchObject({
      form: 'deny',
      id: 'EX-1',
      view: { intro: expect.stringContaining('EX-1'), fields: [{ id: 'reason', kind: 'text', optional: false }] },
    });
    const own = await as(staff, { kind: 'button', action: 'request.deny', value: 'EX-1' });
    expect(own).toMatchObject({ ok: false, code: 'own_request' });
    expect(own.form).toBeUndefined();
  });

  it('form request files the request from its fields; a field in error comes back named', async () => {
    const { as, store } = on(FR, AT);
    const tooLong = await as(staff, {
      kind: 'form',
      form: 'request',
      meta: { app: 'twitter' },
      values: { purpose: 'public-communications', days: '9999', reason: 'Announcements' },
    });
    expect(tooLong).toMatchObject({ ok: false, field: 'days' });
    expect(store.count('requests')).toBe(0);
    const filed = await as(staff, {
      kind: 'form',
      form: 'request',
      meta: { app: 'twitter' },
      values: { purpose: 'public-communications', days: '30', reason: 'Announcements' },
    });
    expect(filed.ok).toBe(true);
    expect(filed.data as ExceptionRequest).toMatchObject({ id: 'EX-1', days: 30, purpose: 'public-communications', device: 'corporate' });
  });

  it('form deny denies with its reason, and refuses a denial without one where the rule requires it', async () => {
    const { as, store } = on(FR, AT);
    await as(staff, fileTwitter);
    const bare = await as(approver, { kind: 'form', form: 'deny', meta: { id: 'EX-1' }, values: {} });
    expect(bare).toMatchObject({ ok: false, code: 'reason_missing' });
    expect(store.get('requests', 'EX-1')?.status).toBe('requested');
    const denied = await as(approver, {
      kind: 'form',
      form: 'deny',
      meta: { id: 'EX-1' },
      values: { reason: ['Use the press office account'] },
    });
    expect(denied.ok).toBe(true);
    expect(store.get('requests', 'EX-1')).toMatchObject({ status: 'denied', decisionReason: 'Use the press office account' });
    expect(denied.effects.find((e) => e.kind === 'notify')).toMatchObject({ person: staff });
  });
});

describe('handle: reminders and census', () => {
  it('buttons attest.removed and attest.removed-work-apps record an attestation to that rule', async () => {
    const { as, store } = on('ec-2023-tiktok.yaml', '2023-03-01T09:00:00Z');
    const removed = await as('matteo.rossi', { kind: 'button', action: 'attest.removed', value: 'ec-2023-tiktok' });
    expect(removed.ok).toBe(true);
    expect(store.listByPerson('attestations', 'matteo.rossi')).toEqual([expect.objectContaining({ rule: 'ec-2023-tiktok' })]);
    const again = await as('matteo.rossi', { kind: 'button', action: 'attest.removed-work-apps', value: 'ec-2023-tiktok' });
    expect(again.ok).toBe(true);
    expect(store.listByPerson('attestations', 'matteo.rossi')).toHaveLength(1);
    const other = await as('zofia.nowak', { kind: 'button', action: 'attest.removed-work-apps', value: 'ec-2023-tiktok' });
    expect(other.ok).toBe(true);
    expect(store.listByPerson('attestations', 'zofia.nowak')).toEqual([expect.objectContaining({ statement: 'removed-work-apps' })]);
    const unknown = await as('zofia.nowak', { kind: 'button', action: 'attest.removed', value: 'no-such-rule' });
    expect(unknown.ok).toBe(false);
  });

  it('button census.open opens the census form; form census answers it, with every field problem on the form again', async () => {
    const parsed = parsePolicyText(readFileSync(packPath('jp-2021-line.yaml'), 'utf8'));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const store = createMemoryStore();
    const bot = createAppWarden({ policy: parsed.value, store, now: testClock('2021-03-19T10:00:00+09:00').now });
    let n = 0;
    const as = (person: string, i: Interaction) => handle(i, { ...bot.contextFor(person, 'test'), idempotencyKey: `k${++n}` });
    const unit = 'soumu/jichi/chiba/ichikawa';
    expect((await as('tanaka.hiroshi', { kind: 'text', text: `census start LINE --due 2021-03-26 --units ${unit}` })).ok).toBe(true);

    const value = JSON.stringify({ census: 'CN-1', unit });
    const opened = await as('inoue.saki', { kind: 'button', action: 'census.open', value });
    expect(opened.form).toMatchObject({ form: 'census', census: 'CN-1', unit, view: { intro: expect.stringContaining('LINE') } });
    const view = opened.form?.form === 'census' ? opened.form.view : undefined;
    expect(view?.fields.map((f) => f.id).slice(0, 5)).toEqual(['uses_app', 'use1_purpose', 'use1_personal', 'use1_people', 'use1_account']);
    expect(view?.fields[0]).toMatchObject({ kind: 'yes-no', optional: false, options: [{ value: 'yes' }, { value: 'no' }] });
    expect(view?.fields.every((f) => f.error === undefined)).toBe(true);
    const unknown = await as('inoue.saki', { kind: 'button', action: 'census.open', value: JSON.stringify({ census: 'CN-9', unit }) });
    expect(unknown).toMatchObject({ ok: false, code: 'unknown_census' });
    expect(unknown.form).toBeUndefined();

    const missing = await as('inoue.saki', {
      kind: 'form',
      form: 'census',
      meta: { census: 'CN-1', unit },
      values: { uses_app: 'yes', use1_purpose: '広報' },
    });
    expect(missing.ok).toBe(false);
    expect(missing.form).toMatchObject({ form: 'census', census: 'CN-1', unit });
    const fields = missing.form?.form === 'census' ? missing.form.view.fields : [];
    // The form comes back as it was sent, each field's problem on that field.
    expect(fields.find((f) => f.id === 'use1_personal')?.error).toEqual(expect.any(String));
    expect(Object.fromEntries(fields.flatMap((f) => (f.error ? [[f.id, f.error]] : [])))).toEqual(missing.fields);
    expect(store.count('census_answers')).toBe(0);

    const answered = await as('inoue.saki', {
      kind: 'form',
      form: 'census',
      meta: { census: 'CN-1', unit },
      values: { uses_app: 'yes', use1_purpose: '広報', use1_personal: 'no', use1_people: '120' },
    });
    expect(answered.ok).toBe(true);
    expect(answered.form).toBeUndefined();
    expect(store.get('census_answers', `CN-1/${unit}`)).toMatchObject({
      usesApp: true,
      uses: [expect.objectContaining({ purpose: '広報', personalData: false, people: 120 })],
    });
    expect(replyText(answered.reply)).toBeTruthy();

    const reopened = await as('inoue.saki', { kind: 'button', action: 'census.open', value });
    const again = reopened.form?.form === 'census' ? reopened.form.view.fields : [];
    expect(again.slice(0, 4).map((f) => f.value)).toEqual(['yes', '広報', 'no', '120']);
  });
});

describe('handle: a request card as each viewer should see it', () => {
  const helene = { slack: 'U05FR1CAB04', teams: '06d1f1fa-f4ef-4c85-8c6b-dc7e2381946c' };
  const buttons = (r: Result) => r.reply.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons.map((x) => x.actionId) : []));
  const view = { kind: 'view', view: 'request-card', id: 'EX-1' } as const;

  it('Approve / Deny for whoever may still decide, read-only for the requester and everyone else; the deciders as addresses', async () => {
    const { as } = on(FR, AT);
    const filed = await as(staff, fileTwitter);
    const posted = filed.effects[0]!;
    expect(posted).toMatchObject({ kind: 'post', subject: 'EX-1', deciders: expect.arrayContaining([expect.objectContaining(helene)]) });

    const live = await as(approver, view);
    expect(live).toMatchObject({ ok: true, effects: [], view: { view: 'request-card', id: 'EX-1' } });
    expect(buttons(live)).toEqual(['request.approve', 'request.deny']);
    expect(live.view?.deciders).toEqual(posted.kind === 'post' ? posted.deciders : undefined);
    for (const viewer of [staff, 'camille.bernard']) {
      const readOnly = await as(viewer, view);
      expect(buttons(readOnly), viewer).toEqual([]);
      expect(replyText(readOnly.reply), viewer).toBe(replyText(live.reply));
      expect(readOnly.view?.deciders, viewer).toEqual(live.view?.deciders);
    }

    const approved = await as(approver, { kind: 'button', action: 'request.approve', value: 'EX-1' });
    expect(approved.effects[0]).toMatchObject({ kind: 'update', subject: 'EX-1', deciders: [] });
    const decided = await as(approver, view);
    expect(buttons(decided)).toEqual([]);
    expect(decided.view?.deciders).toEqual([]);
  });

  it('an unknown request is a refusal, with no view', async () => {
    const { as } = on(FR, AT);
    const unknown = await as(approver, { kind: 'view', view: 'request-card', id: 'EX-9' });
    expect(unknown).toMatchObject({ ok: false, code: 'unknown_request' });
    expect(unknown.view).toBeUndefined();
  });
});
