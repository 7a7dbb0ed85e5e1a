import type { Messages } from '../../src/core/i18n/index.ts';
import type { RequestStatus } from '../../src/core/records.ts';
import type { Refusal } from '../../src/core/result.ts';
import type { CommandResult } from './context.ts';
import { reply } from './reply.ts';

/**
 * Every refusal a person can be given, from the parser, the validator, a command or the core. Closed:
 * `refused` takes only these, every one has words in `describeRefusal` in every locale, and a test
 * checks both that (over this list) and that the core refuses with no code missing from it.
 */
export const REFUSAL_CODES = [
  // The text itself
  'unknown_command',
  'unknown_flag',
  'missing_value',
  'repeated_flag',
  'unclosed_quote',
  'text_too_long',
  'name_too_long',
  'unexpected_text',
  // Values typed
  'invalid_input',
  'invalid_answer',
  'missing_app',
  'missing_id',
  'missing_purpose',
  'bad_date',
  'bad_statement',
  'bad_report_kind',
  'bad_census_verb',
  'bad_account_change',
  'too_many_uses',
  'uses_none_with_use',
  'which_unit',
  // Who may
  'not_permitted',
  'not_admin',
  'not_an_approver',
  'own_request',
  'not_your_request',
  'not_account_approver',
  'not_a_reporter',
  'not_subject',
  // What does not exist
  'unknown_app',
  'unknown_rule',
  'unknown_request',
  'unknown_census',
  'unknown_account',
  'unknown_units',
  'unit_not_in_census',
  'no_units',
  // What the rules and the records say
  'already_requested',
  'not_prohibited',
  'no_exceptions',
  'purpose_not_allowed',
  'days_too_few',
  'over_max_days',
  'reason_missing',
  'reason_too_long',
  'already_decided',
  'rules_changed',
  'not_active',
  'nothing_to_attest',
  'account_status',
  'due_in_past',
  'census_closed',
  'no_uses',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

const CODES: ReadonlySet<string> = new Set(REFUSAL_CODES);
export const isRefusalCode = (code: string): code is RefusalCode => CODES.has(code);

/** A private, changes-nothing answer. */
export function refused(code: RefusalCode, ...lines: string[]): CommandResult {
  return {
    ok: false,
    code,
    effects: [],
    reply: reply(
      'error',
      lines.map((text) => ({ type: 'text' as const, text })),
    ),
  };
}

/** What a refusal was about, beyond its data: the command, and the app, request, census or account it named. */
export interface RefusalSubject {
  command: string;
  app?: string;
  id?: string;
  purpose?: string;
}

/** A refusal as a reply, in the person's words; a field-level refusal keeps its field (for forms). */
export function refusal(r: Pick<Refusal, 'code' | 'path' | 'data'>, m: Messages, subject: RefusalSubject): CommandResult {
  const lines = describeRefusal(r, m, subject);
  return {
    ok: false,
    code: r.code,
    effects: [],
    reply: reply(
      'error',
      lines.map((text) => ({ type: 'text' as const, text })),
    ),
    ...(r.path ? { field: r.path } : {}),
  };
}

/**
 * Words for a refusal from the parser, the validator, a command or the core. `subject` is what the
 * command was about; `data` carries the rest. Every code of REFUSAL_CODES has its case: the switch is
 * exhaustive, so a new code without words does not compile.
 */
export function describeRefusal(r: Pick<Refusal, 'code' | 'path' | 'data'>, m: Messages, subject: RefusalSubject): string[] {
  const d = (r.data ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof d[k] === 'string' || typeof d[k] === 'number' ? String(d[k]) : '');
  const n = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : Number(d[k] ?? 0) || 0);
  const list = (k: string) => (Array.isArray(d[k]) ? (d[k] as unknown[]).map(String) : []);
  const e = m.errors;
  const id = subject.id ?? s('id');
  const app = subject.app ?? s('app');
  if (!isRefusalCode(r.code)) return [e.refusedOther];
  const code: RefusalCode = r.code;
  switch (code) {
    case 'unknown_command':
      return [e.unknownCommand(s('word'), list('commands'), list('suggestions'))];
    case 'unknown_flag':
      return [e.unknownFlag(s('flag'), subject.command, list('known'))];
    case 'missing_value':
      return [e.missingValue(r.path ?? s('flag'))];
    case 'repeated_flag':
      return [e.repeatedFlag(r.path ?? s('flag'))];
    case 'unclosed_quote':
      return [e.unclosedQuote];
    case 'text_too_long':
      return [d.normalized ? e.textTooLongNormalized(n('length'), n('max')) : e.textTooLong(n('max'))];
    case 'name_too_long':
      return [e.nameTooLong(n('length'), n('max'))];
    case 'unexpected_text':
      return [e.unexpectedText(subject.command, s('text'))];
    case 'invalid_input':
    case 'invalid_answer': {
      const messages = list('messages').filter(Boolean);
      return messages.length ? messages : [e.badValue(r.path ?? '')];
    }
    case 'missing_app':
      return [e.missingApp(subject.command)];
    case 'missing_id':
      return [e.missingId(subject.command)];
    case 'missing_purpose':
      return [e.missingPurpose(list('purposes'))];
    case 'bad_date':
      return [e.badDate(s('value'))];
    case 'bad_statement':
      // The statement is one AppWarden knows, but the rule does not offer that way out.
      return [e.statementNotAllowed(s('statement'), list('rules'))];
    case 'bad_report_kind':
      return [e.badReportKind(s('value'))];
    case 'bad_census_verb':
      return [e.badCensusVerb(s('value'))];
    case 'bad_account_change':
      return [e.badAccountChange(s('value'))];
    case 'too_many_uses':
      return [e.tooManyUses(n('given'), n('max'))];
    case 'uses_none_with_use':
      return [e.usesNoneWithUse];
    case 'which_unit':
      return [e.whichUnit(list('units'))];
    case 'not_permitted':
      return [e.onlyApprovers(subject.command)];
    case 'not_admin':
      return [e.notAdmin(s('command') || subject.command)];
    case 'not_an_approver':
      return [e.notAnApprover(id)];
    case 'own_request':
      return [e.ownRequest(id)];
    case 'not_your_request':
      return [e.notYourRequest(id)];
    case 'not_account_approver':
      return [e.notAccountApprover(s('account') || id)];
    case 'not_a_reporter':
      return [
        d.anyUnit
          ? e.notReporterAny(s('census'), s('ownUnit'), s('censusUnit'), list('reporters'))
          : e.notReporter(s('unitName') || s('unit')),
      ];
    case 'not_subject':
      return [e.notSubject(s('rule'))];
    case 'unknown_app':
      return [e.unknownApp(app), ...(list('suggestions').length ? [m.explain.didYouMean(list('suggestions'))] : [])];
    case 'unknown_rule':
      return [e.unknownRule(s('rule') || id)];
    case 'unknown_request':
      return [e.unknownRequest(id)];
    case 'unknown_census':
      return [e.unknownCensus(s('census') || id)];
    case 'unknown_account':
      return [e.unknownAccount(s('account') || id)];
    case 'unknown_units':
      return [e.unknownUnits(list('units'))];
    case 'unit_not_in_census':
      return [e.unitNotInCensus(s('unitName') || s('unit'), s('census'))];
    case 'no_units':
      return [e.noUnits];
    case 'already_requested':
      return [e.alreadyRequested(s('request'), s('status') as RequestStatus)];
    case 'not_prohibited':
      return [e.notProhibited(app)];
    case 'no_exceptions':
      return [e.noExceptions(app, list('rules'))];
    case 'purpose_not_allowed':
      return [e.purposeNotAllowed(subject.purpose ?? s('purpose'), list('purposes'))];
    case 'days_too_few':
      return [e.badDays(s('days') || '0')];
    case 'over_max_days':
      return [e.overMaxDays(n('days'), n('max'))];
    case 'reason_missing':
      return [subject.command === 'deny' || d.for === 'deny' ? e.denyReasonRequired(id) : e.missingReason];
    case 'reason_too_long':
      return [e.reasonTooLong(n('length'), n('max'))];
    case 'already_decided':
      // A requester who tries to withdraw an approved exception can only ask an approver to revoke it.
      if (subject.command === 'withdraw' && s('status') === 'approved') return [e.notWithdrawable(id, s('by'), s('at'))];
      return [e.alreadyDecided(id, s('status') as RequestStatus, s('by'), s('at'))];
    case 'rules_changed':
      return [e.rulesChanged(id, s('rule'))];
    case 'not_active':
      return [e.notActive(id, s('status') as RequestStatus)];
    case 'nothing_to_attest':
      return [e.nothingToAttest(s('app') || app)];
    case 'account_status':
      return [e.accountStatus(s('account') || id, s('statusWord') || s('status'))];
    case 'due_in_past':
      return [e.dueInPast(s('due'))];
    case 'census_closed':
      return [e.censusClosed(s('due'))];
    case 'no_uses':
      return [e.noUses];
    default:
      return unreachable(code);
  }
}

function unreachable(code: never): never {
  throw new Error(`no words for refusal ${String(code)}`);
}
