import type { Decision, Verdict } from '../../src/core/decision.ts';
import type { CommandContext } from '../shared/context.ts';
import { wording } from '../wording/wording.ts';
import { describeDecision } from './decision-words.ts';
import { reply, type Block, type Reply, type Tone } from '../shared/reply.ts';

const TONES: Record<Verdict, Tone> = {
  allowed: 'ok',
  'allowed-by-exception': 'ok',
  restricted: 'warn',
  'exception-pending': 'warn',
  prohibited: 'stop',
  'unknown-app': 'info',
};

/** A Decision as a private reply: verdict first, then why, then the next step (with a button when it is a request). */
export function decisionReply(decision: Decision, ctx: Pick<CommandContext, 'policy' | 'person' | 'm'>): Reply {
  const x = describeDecision(decision, ctx.policy.organization, wording(ctx.person.locale), ctx.policy);
  const blocks: Block[] = [{ type: 'heading', text: x.headline }];
  if (x.reasons.length) blocks.push({ type: 'list', items: x.reasons });
  if (x.next) blocks.push({ type: 'note', text: x.next });
  if (
    decision.exception.possible &&
    !decision.request &&
    decision.app &&
    (decision.verdict === 'prohibited' || decision.verdict === 'restricted')
  ) {
    const value = JSON.stringify({ app: decision.app.id, device: decision.query.device });
    blocks.push({
      type: 'actions',
      buttons: [{ actionId: 'request.open', label: ctx.m.t('labels.requestException'), value, style: 'primary' }],
    });
  }
  return reply(TONES[decision.verdict], blocks);
}
