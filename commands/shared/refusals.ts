import type { PolicyWords } from '../wording/policy-words.ts';
import type { Wording } from '../wording/wording.ts';
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
  'days_over_asked',
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
  /** The policy's labels, for purposes named in a refusal (`広報（public-communications）`); ids as they are without. */
  words?: Pick<PolicyWords, 'purposeToType'>;
}

/** A refusal as a reply, in the person's words; a field-level refusal keeps its field (for forms). */
export function refusal(r: Pick<Refusal, 'code' | 'path' | 'data'>, m: Wording, subject: RefusalSubject): CommandResult {
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
export function describeRefusal(r: Pick<Refusal, 'code' | 'path' | 'data'>, m: Wording, subject: RefusalSubject): string[] {
  const d = (r.data ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof d[k] === 'string' || typeof d[k] === 'number' ? String(d[k]) : '');
  const n = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : Number(d[k] ?? 0) || 0);
  const list = (k: string) => (Array.isArray(d[k]) ? (d[k] as unknown[]).map(String) : []);
  const id = subject.id ?? s('id');
  const app = subject.app ?? s('app');
  const toType = (purpose: string) => subject.words?.purposeToType(purpose) ?? purpose;
  if (!isRefusalCode(r.code)) return [m.t('errors.refusedOther')];
  const code: RefusalCode = r.code;
  switch (code) {
    case 'unknown_command':
      return [
        list('suggestions').length
          ? m.t('errors.unknownCommandNear', {
              word: s('word'),
              commands: list('commands'),
              nearest: m.list(list('suggestions'), 'or'),
            })
          : m.t('errors.unknownCommand', { word: s('word'), commands: list('commands') }),
      ];
    case 'unknown_flag':
      return [
        list('known').length
          ? m.t('errors.unknownFlag', { flag: s('flag'), command: subject.command, flags: list('known').map((f) => `--${f}`) })
          : m.t('errors.noFlags', { flag: s('flag'), command: subject.command }),
      ];
    case 'missing_value':
      return [m.t('errors.missingValue', { flag: r.path ?? s('flag') })];
    case 'repeated_flag':
      return [m.t('errors.repeatedFlag', { flag: r.path ?? s('flag') })];
    case 'unclosed_quote':
      return [m.t('errors.unclosedQuote')];
    case 'text_too_long':
      return [
        d.normalized
          ? m.t('errors.textTooLongNormalized', { length: n('length'), max: n('max') })
          : m.t('errors.textTooLong', { max: n('max') }),
      ];
    case 'name_too_long':
      return [m.t('errors.nameTooLong', { length: n('length'), max: n('max') })];
    case 'unexpected_text':
      return [m.t('errors.unexpectedText', { command: subject.command, text: s('text') })];
    case 'invalid_input':
    case 'invalid_answer': {
      const messages = list('messages').filter(Boolean);
      return messages.length ? messages : [r.path ? m.t('errors.badValue', { field: r.path }) : m.t('errors.badValueUnnamed')];
    }
    case 'missing_app':
      return [m.t('errors.missingApp', { command: subject.command })];
    case 'missing_id':
      return [m.t('errors.missingId', { command: subject.command })];
    case 'missing_purpose':
      return [m.t('errors.missingPurpose', { purposes: list('purposes').map(toType) })];
    case 'bad_date':
      return [m.t('errors.badDate', { value: s('value') })];
    case 'bad_statement':
      // The statement is one AppWarden knows, but the rule does not offer that way out.
      return [m.t('errors.statementNotAllowed', { statement: s('statement'), rules: list('rules') })];
    case 'bad_report_kind':
      return [m.t('errors.badReportKind', { value: s('value') })];
    case 'bad_census_verb':
      return [m.t('errors.badCensusVerb', { word: s('value') })];
    case 'bad_account_change':
      return [m.t('errors.badAccountChange', { word: s('value') })];
    case 'too_many_uses':
      return [m.t('errors.tooManyUses', { given: n('given'), max: n('max') })];
    case 'uses_none_with_use':
      return [m.t('errors.usesNoneWithUse')];
    case 'which_unit':
      return [m.t('errors.whichUnit', { units: list('units') })];
    case 'not_permitted':
      return [m.t('errors.onlyApprovers', { command: subject.command })];
    case 'not_admin':
      return [m.t('errors.notAdmin', { command: s('command') || subject.command })];
    case 'not_an_approver':
      return [
        d.who === 'stage'
          ? m.t('errors.notThisStage', { id })
          : d.who === 'designees'
            ? m.t('errors.notADesignee', { id })
            : m.t('errors.notAnApprover', { id }),
      ];
    case 'own_request':
      return [m.t('errors.ownRequest', { id })];
    case 'not_your_request':
      return [m.t('errors.notYourRequest', { id })];
    case 'not_account_approver':
      return [m.t('errors.notAccountApprover', { id: s('account') || id })];
    case 'not_a_reporter':
      return [
        d.anyUnit
          ? notReporterAny(m, s('census'), s('ownUnit'), s('censusUnit'), list('reporters'))
          : m.t('errors.notReporter', { unit: s('unitName') || s('unit') }),
      ];
    case 'not_subject':
      return [m.t('errors.notSubject', { rule: s('rule') })];
    case 'unknown_app':
      return [
        m.t('errors.unknownApp', { typed: app }),
        ...(list('suggestions').length ? [m.t('explain.didYouMean', { names: list('suggestions') })] : []),
      ];
    case 'unknown_rule':
      return [m.t('errors.unknownRule', { id: s('rule') || id })];
    case 'unknown_request':
      return [m.t('errors.unknownRequest', { id })];
    case 'unknown_census':
      return [m.t('errors.unknownCensus', { id: s('census') || id })];
    case 'unknown_account':
      return [m.t('errors.unknownAccount', { id: s('account') || id })];
    case 'unknown_units':
      return [m.t('errors.unknownUnits', { units: list('units') })];
    case 'unit_not_in_census':
      return [m.t('errors.unitNotInCensus', { unit: s('unitName') || s('unit'), census: s('census') })];
    case 'no_units':
      return [m.t('errors.noUnits')];
    case 'already_requested':
      return [m.t('errors.alreadyRequested', { id: s('request'), status: m.statusWord(s('status') as RequestStatus) })];
    case 'not_prohibited':
      return [m.t('errors.notProhibited', { app })];
    case 'no_exceptions':
      return [m.t('errors.noExceptions', { app, rules: list('rules') })];
    case 'purpose_not_allowed':
      return [
        list('purposes').length
          ? m.t('errors.purposeNotAllowed', { purpose: subject.purpose ?? s('purpose'), allowed: list('purposes').map(toType) })
          : m.t('errors.purposeNeverAllowed', { purpose: subject.purpose ?? s('purpose') }),
      ];
    case 'days_too_few':
      return [m.t('errors.badDays', { value: s('days') || '0' })];
    case 'over_max_days':
      return [m.t('errors.overMaxDays', { days: n('days'), max: n('max') })];
    case 'days_over_asked':
      return [m.t('errors.daysOverAsked', { id, days: n('days'), asked: n('asked') })];
    case 'reason_missing':
      return [subject.command === 'deny' || d.for === 'deny' ? m.t('errors.denyReasonRequired', { id }) : m.t('errors.missingReason')];
    case 'reason_too_long':
      return [m.t('errors.reasonTooLong', { length: n('length'), max: n('max') })];
    case 'already_decided':
      // A requester who tries to withdraw an approved exception can only ask an approver to revoke it.
      if (subject.command === 'withdraw' && s('status') === 'approved')
        return [s('by') ? m.t('errors.notWithdrawableBy', { id, by: s('by'), at: s('at') }) : m.t('errors.notWithdrawable', { id })];
      return [
        s('by')
          ? m.t('errors.alreadyDecidedBy', { id, status: m.statusWord(s('status') as RequestStatus), by: s('by'), at: s('at') })
          : m.t('errors.alreadyDecided', { id, status: m.statusWord(s('status') as RequestStatus) }),
      ];
    case 'rules_changed':
      return [m.t('errors.rulesChanged', { id, rule: s('rule') })];
    case 'not_active':
      return [m.t('errors.notActive', { id, status: m.statusWord(s('status') as RequestStatus) })];
    case 'nothing_to_attest':
      return [m.t('errors.nothingToAttest', { app: s('app') || app })];
    case 'account_status':
      return [m.t('errors.accountStatus', { id: s('account') || id, status: s('statusWord') || s('status') })];
    case 'due_in_past':
      return [m.t('errors.dueInPast', { due: s('due') })];
    case 'census_closed':
      return [m.t('errors.censusClosed', { due: s('due') })];
    case 'no_uses':
      return [m.t('errors.noUses')];
    default:
      return unreachable(code);
  }
}

/** Someone who answers for no unit of a census: whether theirs is asked, and who answers for it. */
function notReporterAny(m: Wording, census: string, ownUnit: string, censusUnit: string, reporters: string[]): string {
  if (!censusUnit) return m.t('errors.notReporterNotAsked', { census, ownUnit });
  const names = reporters.map((name) => m.t('name.person', { name }));
  return m.t('errors.notReporterAny', {
    census,
    ownUnit,
    censusUnit,
    sameUnit: ownUnit === censusUnit,
    reporters: names.length ? m.t('errors.reportersAre', { names }) : m.t('errors.noReporterYet'),
  });
}

function unreachable(code: never): never {
  throw new Error(`no words for refusal ${String(code)}`);
}
