import type { Messages } from '../src/core/i18n/index.ts';
import type { RequestStatus } from '../src/core/records.ts';
import type { Refusal } from '../src/core/result.ts';
import type { CommandResult } from './context.ts';
import { reply } from './reply.ts';

/** A private, changes-nothing answer. */
export function refused(code: string, ...lines: string[]): CommandResult {
  return { ok: false, code, effects: [], reply: reply('error', lines.map((text) => ({ type: 'text' as const, text }))) };
}

/** Words for a refusal from the parser, the validator or the core. `subject` is what the command was about. */
export function describeRefusal(r: Refusal, m: Messages, subject: { command: string; app?: string; id?: string; purpose?: string }): string[] {
  const d = (r.data ?? {}) as Record<string, unknown>;
  const s = (k: string) => String(d[k] ?? '');
  const list = (k: string) => (Array.isArray(d[k]) ? (d[k] as string[]) : []);
  const e = m.errors;
  switch (r.code) {
    case 'invalid_input':
      return list('messages');
    case 'unclosed_quote':
      return [e.unclosedQuote];
    case 'unknown_flag':
      return [e.unknownFlag(s('flag'), subject.command, list('known'))];
    case 'missing_value':
      return [e.missingValue(r.path ?? '')];
    case 'unknown_app':
      return [e.unknownApp(subject.app ?? ''), ...(list('suggestions').length ? [m.explain.didYouMean(list('suggestions'))] : [])];
    case 'already_requested':
      return [e.alreadyRequested(s('request'), s('status') as RequestStatus)];
    case 'not_prohibited':
      return [e.notProhibited(subject.app ?? '')];
    case 'no_exceptions':
      return [e.noExceptions(subject.app ?? '', list('rules'))];
    case 'purpose_not_allowed':
      return [e.purposeNotAllowed(subject.purpose ?? '', list('purposes'))];
    case 'days_too_few':
      return [e.badDays('0')];
    case 'over_max_days':
      return [e.overMaxDays(Number(d.days ?? 0), Number(d.max ?? 0))];
    case 'reason_missing':
      return [e.missingReason];
    case 'reason_too_long':
      return [e.reasonTooLong(Number(d.length ?? 0), Number(d.max ?? 0))];
    case 'already_decided':
      return [e.alreadyDecided(subject.id ?? '', s('status') as RequestStatus, s('by'), s('at'))];
    case 'own_request':
      return [e.ownRequest(subject.id ?? '')];
    case 'not_an_approver':
      return [e.notAnApprover(subject.id ?? '')];
    case 'not_your_request':
      return [e.notYourRequest(subject.id ?? '')];
    case 'rules_changed':
      return [e.rulesChanged(subject.id ?? '', s('rule'))];
    case 'not_active':
      return [e.notActive(subject.id ?? '', s('status') as RequestStatus)];
    case 'nothing_to_attest':
      return [e.nothingToAttest(s('app') || subject.app || '')];
    default:
      return [r.code];
  }
}
