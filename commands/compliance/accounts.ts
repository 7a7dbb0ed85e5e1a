import { changeAccountStatus, mayChangeAccount, statusOf } from '../../src/core/accounts.ts';
import { appById, findApp } from '../../src/core/catalog.ts';
import { wording } from '../wording/wording.ts';
import { resolvePerson } from '../../src/core/org.ts';
import type { OfficialAccount } from '../../src/core/policy.ts';
import { put } from '../../src/core/records.ts';
import type { Command } from '../shared/command.ts';
import { commitChanges } from '../shared/commit.ts';
import type { CommandContext, Effect } from '../shared/context.ts';
import { inputFields, objectOf, validate } from '../entry/inputs.ts';
import { refusal, refused } from '../shared/refusals.ts';
import { reply } from '../shared/reply.ts';
import { displayName, unitName } from '../requests/request-card.ts';

/** `handle (unit, status)`: how an account is named in a list. */
export function accountItem(account: OfficialAccount, ctx: Pick<CommandContext, 'policy' | 'store' | 'm'>): string {
  const status = statusOf(account, ctx.store.get('accounts', account.id));
  return ctx.m.t('accounts.item', {
    handle: account.handle,
    unit: unitName(ctx.policy, account.unit),
    status: ctx.m.t(`accounts.status.${status}`),
  });
}

export const accounts: Command = {
  name: 'accounts',
  flags: { app: 'string' },
  run({ words, flags }, ctx) {
    const m = ctx.m;
    if (words.length) return refused('unexpected_text', m.t('errors.unexpectedText', { command: 'accounts', text: words.join(' ') }));
    const app = typeof flags.app === 'string' ? findApp(ctx.policy, flags.app) : undefined;
    if (typeof flags.app === 'string' && !app)
      return refusal({ code: 'unknown_app', path: 'app' }, m, { command: 'accounts', app: flags.app });
    const list = ctx.policy.accounts.filter((a) => !app || a.app === app.id);
    const items = list.map((a) => {
      const status = statusOf(a, ctx.store.get('accounts', a.id));
      return m.t('accounts.line', {
        id: a.id,
        handle: a.handle,
        app: appById(ctx.policy, a.app)?.name ?? a.app,
        unit: unitName(ctx.policy, a.unit),
        status: m.t(`accounts.status.${status}`),
        owner: displayName(ctx.policy, a.owner),
      });
    });
    return {
      ok: true,
      effects: [],
      data: list,
      reply: reply('info', [
        { type: 'heading', text: app ? m.t('accounts.titleFor', { app: app.name }) : m.t('accounts.title') },
        items.length ? { type: 'list', items } : { type: 'text', text: m.t('accounts.none') },
      ]),
    };
  },
};

export const account: Command = {
  name: 'account',
  flags: { reason: 'string' },
  /** Who may comes first: someone who may not change the account is told so, not what else was missing. */
  async run({ words, flags }, ctx) {
    const m = ctx.m;
    const [change, id, ...rest] = words;
    if ((change !== 'suspend' && change !== 'resume') || !id || rest.length)
      return refusal({ code: 'bad_account_change', data: { value: words.join(' ') } }, m, { command: 'account' });
    const found = ctx.policy.accounts.find((a) => a.id === id);
    if (!found) return refusal({ code: 'unknown_account', data: { account: id } }, m, { command: 'account' });
    if (!mayChangeAccount(ctx.policy, ctx.person, found))
      return refusal({ code: 'not_account_approver', data: { account: id } }, m, { command: 'account' });
    const input = validate(
      objectOf(inputFields(ctx.policy, m), 'account', () => ({ reason: inputFields(ctx.policy, m).reason })),
      flags,
      m,
    );
    if (!input.ok) return refusal(input, m, { command: 'account' });
    const now = ctx.now();
    const current = statusOf(found, ctx.store.get('accounts', found.id));
    const outcome = changeAccountStatus(found, current, change, input.value.reason, ctx.person, ctx.policy, now);
    if (!outcome.ok)
      return refusal({ ...outcome, data: { ...outcome.data, statusWord: m.t(`accounts.status.${current}`) } }, m, {
        command: 'account',
      });
    const state = outcome.value;
    const owner = resolvePerson(ctx.policy, found.owner);
    const om = wording(owner.locale);
    const effects: Effect[] =
      owner.id === ctx.person.id
        ? []
        : [
            {
              kind: 'notify',
              person: owner.id,
              message: reply('warn', [
                {
                  type: 'heading',
                  text: om.t('accounts.ownerTold', {
                    handle: found.handle,
                    status: om.t(`accounts.status.${state.status}`),
                    by: ctx.person.name,
                    reason: state.reason,
                  }),
                },
              ]),
            },
          ];
    await commitChanges(
      ctx,
      {
        at: now,
        action: `account.${state.status === 'suspended' ? 'suspended' : 'resumed'}`,
        subject: found.id,
        detail: { from: current, to: state.status, reason: state.reason },
      },
      [put('accounts', state)],
      found.id,
      effects,
    );
    return {
      ok: true,
      data: state,
      effects,
      reply: reply('ok', [
        {
          type: 'heading',
          text: m.t('accounts.changed', {
            handle: found.handle,
            status: m.t(`accounts.status.${state.status}`),
          }),
        },
      ]),
    };
  },
};
