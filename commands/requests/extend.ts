import { appById } from '../../src/core/catalog.ts';
import { requestExtension } from '../../src/core/exceptions.ts';
import { lastValidDate } from '../../src/core/explain.ts';
import { requestId, type Command } from '../shared/command.ts';
import { nextNumber } from '../shared/commit.ts';
import { inputFields, objectOf, optional, validate } from '../entry/inputs.ts';
import { refusal, refused } from '../shared/refusals.ts';
import { reply } from '../shared/reply.ts';
import { stageNewRequest } from './request.ts';

/**
 * `extend <id> [--days N] --reason "…"`: the requester asks, before their exception ends, for more
 * days. It is a request of its own, decided as any other (its approvers reached the same way); once
 * approved, its days count on from where the exception ends.
 */
export const extend: Command = {
  name: 'extend',
  flags: { days: 'string', reason: 'string' },
  async run({ words, flags }, ctx) {
    const m = ctx.m;
    if (words.length !== 1)
      return words.length
        ? refused('unexpected_text', m.t('errors.unexpectedText', { command: 'extend', text: words.slice(1).join(' ') }))
        : refused('missing_id', m.t('errors.missingId', { command: 'extend' }));
    const old = requestId(words[0]!);
    const f = inputFields(ctx.policy, m);
    const input = validate(
      objectOf(f, 'extend', () => ({ days: optional(f.days), reason: optional(f.reason) })),
      flags,
      m,
    );
    if (!input.ok) return refusal(input, m, { command: 'extend', id: old });
    const exception = ctx.store.get('requests', old);
    if (!exception) return refusal({ code: 'unknown_request' }, m, { command: 'extend', id: old });
    const now = ctx.now();
    const id = `EX-${nextNumber(ctx, 'requests')}`;
    const asked = requestExtension(
      exception,
      ctx.person,
      { ...(input.value.days ? { days: input.value.days } : {}), reason: input.value.reason ?? '' },
      ctx.policy,
      ctx.store.listByPerson('requests', exception.person),
      now,
      id,
    );
    if (!asked.ok) return refusal(asked, m, { command: 'extend', id: old });
    const { req, effects, approversNote } = await stageNewRequest(asked.value, { extends: old, days: asked.value.days }, ctx);
    return {
      ok: true,
      data: req,
      reply: reply('ok', [
        {
          type: 'heading',
          text: m.t('request.extensionFiled', {
            id: req.id,
            old,
            app: appById(ctx.policy, req.app)?.name ?? req.app,
            days: req.days,
            from: lastValidDate(exception.expiresAt!, ctx.policy.organization.timezone),
          }),
        },
        approversNote,
      ]),
      effects,
    };
  },
};
