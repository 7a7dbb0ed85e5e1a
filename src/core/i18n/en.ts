import { format, parseISO } from 'date-fns';
import { enGB } from 'date-fns/locale';
import type { DeviceClass } from '../policy.ts';
import type { RequestStatus } from '../records.ts';

/** A calendar date `YYYY-MM-DD` in words. */
const day = (date: string) => format(parseISO(date), 'd MMMM yyyy', { locale: enGB });
const list = (items: readonly string[]) => items.join(', ');
const q = (s: string) => `“${s}”`;

const devices: Record<DeviceClass, string> = {
  corporate: 'a work device',
  'personal-with-work-apps': 'a personal device with work apps',
  personal: 'a personal device',
};
const statuses: Record<RequestStatus, string> = {
  requested: 'waiting for a decision',
  approved: 'approved',
  denied: 'denied',
  withdrawn: 'withdrawn',
  expired: 'expired',
  revoked: 'revoked',
};

/**
 * Every sentence AppWarden says, in English. Values are plain text; renderers escape them for their
 * surface. `ja.ts` has the same keys (the type checks it).
 */
export const en = {
  day,
  /** Deliveries that failed for good: the daily digest in the approvals channel. */
  outbox: {
    digestTitle: (n: number) => `${n} ${n === 1 ? 'message' : 'messages'} could not be delivered`,
    failedLine: (what: string, platform: string, reason: string) => `${what} (${platform}): ${reason}`,
    more: (n: number) => `… and ${n} more.`,
    howToList: 'An operator can list every waiting and failed delivery with: appwarden outbox',
  },
  /** Teams: answers that hold someone's own data or a report go to their personal chat, never a channel. */
  teams: {
    answeredPrivately:
      "I have answered you in your personal chat with AppWarden: your answer may hold your own data or other people's names, so it is not shown here.",
    cannotAnswerPrivately:
      "Your answer may hold your own data or other people's names, so it is not shown here, and I cannot open a personal chat with you yet. Open AppWarden in Teams (Apps → AppWarden → Chat) and ask there.",
    reasonNotText: 'The reason must be text. Nothing was changed.',
  },
  device: (d: DeviceClass) => devices[d],
  statusWord: (s: RequestStatus) => statuses[s],
  list,

  verdict: {
    allowed: (app: string, device: DeviceClass) => `${app} is allowed on ${devices[device]}.`,
    prohibited: (app: string, device: DeviceClass) => `${app} is prohibited on ${devices[device]}.`,
    restricted: (app: string, device: DeviceClass, data: string[]) =>
      `${app} is restricted on ${devices[device]}: allowed, but not for ${list(data)}.`,
    'allowed-by-exception': (app: string, device: DeviceClass, until: string) =>
      `${app} is allowed on ${devices[device]} by your exception, until the end of ${day(until)}.`,
    'exception-pending': (app: string, device: DeviceClass) =>
      `${app} is prohibited on ${devices[device]}; your exception request is waiting for a decision.`,
    'unknown-app': (typed: string) => `I don't know an app called ${q(typed)}.`,
  },
  explain: {
    ruleCited: (title: string, source: string, effective: string) => `${title}. Source: ${source}, in force since ${day(effective)}.`,
    viaCategory: (category: string) => `It applies because the app is in the ${q(category)} category.`,
    allowRule: (title: string, source: string) => `Explicitly allowed: ${title} (${source}).`,
    noRule: 'No rule of your organisation covers it.',
    restrictedData: (data: string[]) => `Not to be used for: ${list(data)}.`,
    deadline: (date: string, tz: string) => `Deadline: remove it by the end of ${day(date)} (${tz} time).`,
    deadlinePassed: (date: string, tz: string) => `The deadline, the end of ${day(date)} (${tz} time), has passed.`,
    consequence: (text: string) => `If not: ${text}`,
    review: (date: string) => `The measure is due for review on ${day(date)}.`,
    exceptionPossible: (purposes: string[], maxDays: number) =>
      `An exception can be requested for: ${list(purposes)} (up to ${maxDays} days).`,
    exceptionNone: 'No exceptions are possible under this rule.',
    exceptionNoCommonPurpose: 'No exception purpose is allowed by every rule that applies, so no exception is possible.',
    exceptionWrongPurpose: (purpose: string) => `No exception can be granted for the purpose ${q(purpose)}.`,
    ownException: (id: string, purpose: string) => `Your exception ${id} is for ${purpose} only.`,
    conditions: (text: string) => `Conditions: ${text}`,
    pending: (id: string, when: string) => `Your request ${id} was filed on ${day(when)}.`,
    otherDevices: (items: string[]) => `On other devices: ${list(items)}.`,
    otherDevice: (device: DeviceClass, verdict: string) => `${devices[device]}: ${verdict}`,
    verdictWord: {
      allowed: 'allowed',
      prohibited: 'prohibited',
      restricted: 'restricted',
      'allowed-by-exception': 'allowed by your exception',
      'exception-pending': 'prohibited (request pending)',
      'unknown-app': 'unknown app',
    },
    unknownAllow: (org: string) => `Apps not in ${org}'s catalogue are allowed by default.`,
    unknownReview: (org: string) => `Apps not in ${org}'s catalogue must be reviewed before use: ask an admin.`,
    didYouMean: (names: string[]) => `Did you mean: ${list(names)}?`,
    unknownData: (value: string, known: string[]) =>
      known.length
        ? `${q(value)} is not a data class this policy knows (it knows: ${list(known)}), so every data restriction is shown.`
        : `${q(value)} is not a data class this policy knows, so every data restriction is shown.`,
    /** Headline when only data-use rules bind: the app may stay, it may not be used for that data. */
    prohibitedForData: (app: string, device: DeviceClass, data: string[]) =>
      `${app} is prohibited on ${devices[device]} for ${list(data)}: it may stay installed, but must not be used for that.`,
    dataDeadline: (date: string, tz: string, data: string[]) =>
      `Deadline: from the end of ${day(date)} (${tz} time), it must no longer be used for ${list(data)}.`,
    dataDeadlinePassed: (date: string, tz: string, data: string[]) =>
      `Since the end of ${day(date)} (${tz} time), it must not be used for ${list(data)}.`,
  },
  next: {
    request: (app: string, purpose: string) => `To ask for an exception: request ${app} --purpose ${purpose} --reason "…"`,
    attest: (app: string) => `Once it is removed, say so: attest ${app}`,
    wait: 'You will be told when an approver decides. See: status',
    check: (name: string) => `Try: check ${name}`,
    notForData: (app: string, data: string[]) =>
      `Do not use ${app} for ${list(data)}. Nothing needs to be removed, and there is nothing to attest.`,
  },
  labels: {
    verdict: 'Verdict',
    app: 'App',
    device: 'Device',
    purpose: 'Purpose',
    days: 'Days',
    reason: 'Reason',
    requester: 'Requested by',
    rule: 'Exception to',
    deadline: 'Deadline',
    expires: 'Until',
    status: 'Status',
    decidedBy: 'Decided by',
    approve: 'Approve',
    deny: 'Deny',
    requestException: 'Request an exception',
    removed: "I've removed it",
  },
  request: {
    filed: (id: string, app: string, device: DeviceClass, purpose: string, days: number) =>
      `Request ${id} filed: ${app} on ${devices[device]} for ${purpose}, ${days} days. An approver will decide; you will be told.`,
    approversAre: (names: string[]) => `It can be decided by: ${list(names)}.`,
    noApprover: 'No approver is listed for it yet: tell your admin.',
    posted: (id: string, requester: string, app: string) => `Exception request ${id}: ${requester} asks to use ${app}.`,
    approved: (id: string, requester: string, app: string, until: string) =>
      `You approved ${id}: ${requester} may use ${app} until the end of ${day(until)}.`,
    denied: (id: string, requester: string, app: string) => `You denied ${id}: ${requester}'s request for ${app}.`,
    youWereApproved: (id: string, app: string, by: string, until: string) =>
      `Your request ${id} for ${app} was approved by ${by}. You may use it until the end of ${day(until)}.`,
    youWereDenied: (id: string, app: string, by: string) => `Your request ${id} for ${app} was denied by ${by}.`,
    reasonGiven: (reason: string) => `Reason: ${reason}`,
    noReasonGiven: 'No reason was given.',
    decidedLine: (status: RequestStatus, by: string, at: string) =>
      by ? `${statuses[status]} by ${by}, ${at}` : `${statuses[status]}, ${at}`,
    withdrawn: (id: string) => `Request ${id} is withdrawn.`,
    revoked: (id: string, requester: string) => `You revoked ${id}; ${requester} will be told.`,
    youWereRevoked: (id: string, app: string, by: string) => `Your exception ${id} for ${app} was revoked by ${by}.`,
  },
  attest: {
    recorded: (app: string, rules: string[]) => `Recorded: you have removed ${app} (${list(rules)}). Thank you.`,
    recordedNever: (app: string, rules: string[]) => `Recorded: you never had ${app} (${list(rules)}). Thank you.`,
    recordedWorkApps: (app: string, rules: string[]) =>
      `Recorded: you have removed the work apps from the device that has ${app} (${list(rules)}). Thank you.`,
    already: (rule: string, when: string) => `You already attested for ${rule} on ${day(when)}.`,
  },
  status: {
    title: 'Your requests and deadlines',
    requestLine: (id: string, app: string, status: RequestStatus, purpose: string) => `${id} · ${app} · ${purpose} · ${statuses[status]}`,
    until: (date: string) => `until the end of ${day(date)}`,
    noRequests: 'You have no exception requests.',
    deadlineLine: (app: string, rule: string, date: string, attested: boolean) =>
      `${app} (${rule}): remove by the end of ${day(date)}${attested ? ' — you attested ✓' : ' — not yet attested'}`,
    noDeadlines: 'No deadlines apply to you.',
  },
  pending: {
    title: 'Requests waiting for you',
    none: 'Nothing is waiting for you.',
    line: (id: string, requester: string, app: string, purpose: string, days: number, reason: string) =>
      `${id} · ${requester} · ${app} · ${purpose} · ${days} days: ${q(reason)}`,
  },
  policy: {
    title: (org: string) => `Rules in force at ${org}`,
    line: (id: string, title: string, effect: 'prohibit' | 'allow') =>
      `${id}: ${title} (${effect === 'prohibit' ? 'prohibits' : 'allows'})`,
    none: 'No rules are in force.',
    targets: (apps: string[], categories: string[]) => `Applies to: ${list([...apps, ...categories.map((c) => `category ${c}`)])}`,
    units: (unit: string) => `Unit: ${unit} and the units below it`,
    devices: (ds: DeviceClass[]) => `Devices: ${list(ds.map((d) => devices[d]))}`,
    allDevices: 'Devices: all',
    data: (data: string[]) => `Only for data: ${list(data)}`,
    effective: (date: string) => `In force since ${day(date)}`,
    lifted: (date: string) => `Lifted on ${day(date)}`,
    source: (text: string) => `Source: ${text}`,
  },
  /** Lists longer than one chat message holds: what is left out (`{count}`, filled in by the renderer) and how to get it. */
  lists: {
    more: (how: string) => `{count} more — ${how}`,
    nextPage: (command: string) => `${command} shows the next ones`,
    nextPageOrCsv: (command: string, csv: string) => `${command} shows the next ones, ${csv} all of them`,
    csv: (command: string) => `${command} lists all of them`,
    page: (page: number, pages: number) => `Page ${page} of ${pages}`,
    badPage: (value: string) => `--page must be a page number, 1 or more (not ${q(value)}).`,
    pastLastPage: (pages: number, command: string) =>
      `There ${pages === 1 ? 'is only 1 page' : `are only ${pages} pages`}; the last one: ${command}`,
    rulesWithDeadlines: 'Compliance with the rules that have a deadline',
    ruleCounts: (rule: string, attested: number, total: number, missing: number, excepted: number) =>
      `${rule}: ${attested} of ${total} attested, ${missing} not yet${excepted ? `, ${excepted} holding an exception` : ''}`,
    namesOfOneRule: (command: string) => `Who has not attested, for one rule: ${command}`,
    byUnit: 'By unit, most missing first:',
    unitCounts: (unit: string, attested: number, total: number) => `${unit}: ${attested}/${total} attested`,
    notYet: (n: number) => `Not yet attested (${n}):`,
    excepted: (n: number) => `Holding an exception (${n}):`,
    unitsAnswered: (answered: number, total: number) => `${answered} of ${total} units have answered.`,
    notYetAnswered: (n: number) => `Not yet answered (${n}):`,
    silent: (n: number) => `No answer (${n}):`,
    purposesBelow: (n: number, maxDays: number) => `An exception can be requested for ${n} purposes (up to ${maxDays} days):`,
    purposeHint: (shown: string[], more: number, command: string) =>
      `Type one of: ${list(shown)}${more ? ` — and ${more} more (${command} lists them)` : ''}`,
  },
  report: {
    complianceTitle: (rule: string) => `Compliance with ${rule}`,
    counts: (attested: number, total: number) => `${attested} of ${total} people have attested.`,
    overdue: (names: string[]) => `Not yet attested: ${list(names)}`,
    allAttested: 'Everyone listed has attested.',
    excepted: (names: string[]) => `Holding an exception: ${list(names)}`,
    noDeadlineRules: 'No rule with a deadline is in force.',
    sentAsFile: (name: string) => `${name} is in your direct messages with AppWarden.`,
    exceptionsTitle: 'Exceptions granted',
    exceptionLine: (id: string, person: string, app: string, purpose: string, status: RequestStatus, until: string) =>
      `${id} · ${person} · ${app} · ${purpose} · ${statuses[status]} · until the end of ${day(until)}`,
    noExceptions: 'No exceptions have been granted.',
  },
  errors: {
    unknownCommand: (word: string, commands: string[], nearest: string[]) =>
      `I don't know the command ${q(word)}.${nearest.length ? ` Did you mean ${nearest.join(' or ')}?` : ''} Commands: ${list(commands)}.`,
    unknownFlag: (flag: string, command: string, flags: string[]) =>
      flags.length
        ? `${q(flag)} is not an option of ${command}. Its options: ${list(flags.map((f) => `--${f}`))}.`
        : `${command} takes no options (${q(flag)}).`,
    missingValue: (flag: string) => `--${flag} needs a value.`,
    repeatedFlag: (flag: string) => `--${flag} is given more than once; give it once.`,
    badValue: (field: string) => (field ? `The value of --${field} is not one I can read.` : 'I cannot read that value.'),
    unexpectedText: (command: string, text: string) => `${command} does not take ${q(text)}.`,
    unclosedQuote: 'A quote is not closed.',
    missingApp: (command: string) => `Which app? For example: ${command} TikTok`,
    missingId: (command: string) => `Which request? For example: ${command} EX-1`,
    badDevice: (value: string) => `${q(value)} is not a device class. Use one of: corporate, personal-with-work-apps, personal.`,
    badData: (value: string, known: string[]) =>
      known.length
        ? `${q(value)} is not a data class this policy knows. Known: ${list(known)}.`
        : `This policy has no data classes (${q(value)}).`,
    badPurpose: (value: string, known: string[]) =>
      known.length
        ? `${q(value)} is not a purpose this policy knows. Known: ${list(known)}.`
        : `This policy allows no exception purposes (${q(value)}).`,
    badDays: (value: string) => `--days must be a whole number of days, at least 1 (not ${q(value)}).`,
    daysOverLimit: (value: string, max: number) =>
      `--days ${value} is more than any exception allows: at most ${max} days, and each rule sets its own maximum.`,
    overMaxDays: (days: number, max: number) => `--days ${days} is more than the ${max} days this exception allows.`,
    missingPurpose: (purposes: string[]) => `Which purpose? Add --purpose with one of: ${list(purposes)}.`,
    missingReason: 'Please give a reason: --reason "…"',
    reasonTooLong: (length: number, max: number) => `The reason is ${length} characters long; keep it to ${max}.`,
    textTooLong: (max: number) => `That is too long; keep it under ${max} characters.`,
    textTooLongNormalized: (length: number, max: number) =>
      `That is ${length.toLocaleString('en')} characters long once Unicode normalisation spells it out (e.g. ﷺ as 18); keep it under ${max.toLocaleString('en')}.`,
    nameTooLong: (length: number, max: number) =>
      `That name is ${length.toLocaleString('en')} characters long (counted after Unicode normalisation, which spells out some characters, e.g. ﷺ as 18); app names and ids are at most ${max}.`,
    badStatement: (value: string) => `${q(value)} is not a statement. Use one of: removed, never-installed, removed-work-apps.`,
    badFormat: (value: string) => `${q(value)} is not a format. Use: text or csv.`,
    badReportKind: (value: string) => `Report what? Use: report compliance or report exceptions (not ${q(value)}).`,
    unknownApp: (typed: string) => `I don't know an app called ${q(typed)}.`,
    unknownRule: (id: string) => `There is no rule ${q(id)}.`,
    unknownRequest: (id: string) => `There is no request ${q(id)}.`,
    notAnApprover: (id: string) =>
      `You can't decide ${id}: only the approvers the rule names, or approvers over the requester's unit, can.`,
    onlyApprovers: (command: string) => `Only approvers and admins can use ${command}.`,
    ownRequest: (id: string) => `You can't decide your own request ${id}; another approver must.`,
    alreadyDecided: (id: string, status: RequestStatus, by: string, at: string) =>
      by ? `${id} was already ${statuses[status]} by ${by}, ${at}.` : `${id} is already ${statuses[status]}.`,
    notWithdrawable: (id: string, by: string, at: string) =>
      `${id} ${by ? `was approved by ${by}, ${at}` : 'is approved'}, so it can no longer be withdrawn. To end the exception early, ask an approver: revoke ${id}`,
    denyReasonRequired: (id: string) => `Denying ${id} needs a reason, which the requester will see: deny ${id} --reason "…"`,
    statementNotAllowed: (statement: string, rules: string[]) =>
      `${q(statement)} does not count under ${list(rules)}: the rule does not offer removing the work apps instead. Remove the app and say: --statement removed (or never-installed).`,
    alreadyRequested: (id: string, status: RequestStatus) => `You already have request ${id} for this app (${statuses[status]}).`,
    notProhibited: (app: string) => `${app} is not prohibited for you, so no exception is needed.`,
    noExceptions: (app: string, rules: string[]) => `${app} allows no exceptions (${list(rules)}).`,
    purposeNotAllowed: (purpose: string, allowed: string[]) =>
      allowed.length
        ? `No exception can be granted for ${q(purpose)}. Allowed purposes: ${list(allowed)}.`
        : `No exception can be granted for ${q(purpose)}.`,
    notSubject: (rule: string) => `Rule ${rule} does not apply to you, so there is nothing to attest.`,
    nothingToAttest: (app: string) => `No rule asks you to remove ${app}, so there is nothing to attest.`,
    notYourRequest: (id: string) => `${id} is not your request.`,
    notActive: (id: string, status: RequestStatus) => `${id} is ${statuses[status]}, not an active exception.`,
    rulesChanged: (id: string, rule: string) =>
      `${id} can no longer be approved as asked: rule ${rule} has changed since it was filed (lifted, or its exception terms). Deny it, and the requester can ask again.`,
    notAdmin: (command: string) => `Only admins can use ${command}.`,
    dueInPast: (due: string) => `The due date ${day(due)} has passed; give today or a later date.`,
    badDate: (value: string) => `${q(value)} is not a date; write it as YYYY-MM-DD.`,
    unknownUnits: (units: string[]) => `No such unit: ${list(units)}.`,
    unknownCensus: (id: string) => `There is no census ${q(id)}.`,
    notReporter: (unit: string) => `You do not answer for ${unit}: its reporters (or, without them, its approvers) do.`,
    notReporterAny: (census: string, ownUnit: string, censusUnit: string, reporters: string[]) =>
      `You do not answer for any unit in census ${census}. ${
        !censusUnit
          ? `Your unit, ${ownUnit}, is not asked in it.`
          : `Your unit, ${ownUnit}, ${ownUnit === censusUnit ? 'is' : `answers as part of ${censusUnit}, which is`} answered for by ${reporters.length ? list(reporters) : 'no one yet: tell an admin'}.`
      }`,
    unitNotInCensus: (unit: string, census: string) => `${unit} is not one of the units census ${census} asks.`,
    noUnits: 'Which units? --units named none; give unit ids, or --units all.',
    refusedOther: 'That cannot be done, and nothing was changed.',
    censusClosed: (due: string) => `The census was due on ${day(due)}; an answer given can no longer be changed.`,
    noUses: 'Give at least one use, or answer that the unit does not use it.',
    tooManyUses: (given: number, max: number) => `An answer holds at most ${max} uses, as the form does; ${given} were given.`,
    usesNoneWithUse: '--uses none says the unit does not use it, but --use gives a use: give one or the other.',
    whichUnit: (units: string[]) => `Which unit? Add --unit with one of: ${list(units)}.`,
    badYesNo: (value: string) => `${q(value)} is not yes or no.`,
    badPeople: (value: string) => `${q(value)} is not a number of people (0 or more).`,
    purposeMissing: 'Say what the app is used for.',
    unknownAccount: (id: string) => `There is no official account ${q(id)}.`,
    notAccountApprover: (id: string) => `You can't change ${id}: admins and approvers over its unit can.`,
    accountStatus: (id: string, status: string) => `${id} is ${status}, so it cannot be changed that way.`,
    badAccountChange: (word: string) => `Use: account suspend <id> --reason "…" or account resume <id> --reason "…" (not ${q(word)}).`,
    badCensusVerb: (word: string) => `Use: census start, census status, census answer (not ${q(word)}).`,
    fault: (ref: string) => `Sorry, something went wrong on our side (reference ${ref}). Nothing was changed; please try again.`,
  },
  reminders: {
    announce: (title: string, daysLeft: number, date: string, tz: string) =>
      daysLeft > 1
        ? `${daysLeft} days left: ${title}. Remove it by the end of ${day(date)} (${tz} time).`
        : daysLeft === 1
          ? `Tomorrow is the deadline: ${title}. Remove it by the end of ${day(date)} (${tz} time).`
          : daysLeft === 0
            ? `Today is the deadline: ${title}. Remove it by the end of today, ${day(date)} (${tz} time).`
            : `Overdue since ${day(date)}: ${title}.`,
    direct: (title: string, date: string) =>
      `Reminder for you: ${title}. The deadline is the end of ${day(date)}, and you have not told us you have removed it.`,
    directOverdue: (title: string, date: string) =>
      `The deadline for “${title}” was ${day(date)}, and you have not told us you have removed it.`,
    howToAttest: (apps: string) => `Removed it, or never had it? Use the button, or say: attest ${apps}`,
    digestTitle: (rule: string, date: string) => `${rule}: the deadline of ${day(date)} has passed.`,
    notYet: (names: string[], more: number) => `Not yet attested: ${list(names)}${more ? ` and ${more} more` : ''}.`,
    fullList: (rule: string) => `The full list: report compliance ${rule} --format csv`,
    review: (title: string, date: string) => `Due for review on ${day(date)}: ${title}. Is the measure still needed as it stands?`,
    expiring: (id: string, app: string, daysLeft: number, lastDay: string) =>
      `Exception ${id} for ${app} ends ${daysLeft === 1 ? 'tomorrow' : `in ${daysLeft} days`}: its last day is ${day(lastDay)}.`,
    expired: (id: string, app: string) => `Exception ${id} for ${app} has ended; the rule applies again.`,
    removedWorkApps: "I've removed the work apps instead",
  },
  census: {
    started: (id: string, app: string, due: string, units: number) =>
      `Census ${id} started: ${units} units report their use of ${app} by the end of ${day(due)}.`,
    noReporter: (units: string[]) => `No one can answer for: ${list(units)} (list a reporter or an approver there).`,
    ask: (id: string, app: string, unit: string, due: string) =>
      `Census ${id}: how does ${unit} use ${app}? Please answer by the end of ${day(due)}.`,
    reminder: (id: string, app: string, unit: string, daysLeft: number, due: string) =>
      daysLeft > 1
        ? `Census ${id}: ${unit} has not reported its use of ${app} yet; ${daysLeft} days left (due ${day(due)}).`
        : daysLeft === 1
          ? `Census ${id}: ${unit} has not reported its use of ${app} yet; it is due tomorrow.`
          : daysLeft === 0
            ? `Census ${id}: ${unit} has not reported its use of ${app} yet; it is due today.`
            : `Census ${id}: ${unit}'s report on ${app} was due on ${day(due)} and is missing. A late answer is still taken.`,
    answerFor: (unit: string) => `Answer for ${unit}`,
    howToAnswer: (id: string, unit: string) =>
      `Or from the keyboard: census answer ${id} --unit ${unit} --uses none, or one --use "purpose | yes/no (personal data) | people | @account" per use`,
    recorded: (unit: string, uses: number, corrected: boolean) =>
      `${corrected ? 'Corrected' : 'Recorded'} for ${unit}: ${uses === 0 ? 'not used' : `${uses} use${uses === 1 ? '' : 's'}`}. It can be corrected until the due date.`,
    statusTitle: (id: string, app: string, due: string) => `Census ${id}: use of ${app}, due ${day(due)}`,
    answered: (units: string[]) => (units.length ? `Answered: ${list(units)}` : 'No unit has answered yet.'),
    outstanding: (units: string[]) => `Not yet answered: ${list(units)}`,
    allAnswered: 'Every unit has answered.',
    /** One version of a unit's answer; `counts` for those who may see what was answered. */
    version: (unit: string, revision: number, by: string, at: string, counts?: { usesApp: boolean; uses: number; personal: number }) =>
      `${unit} — version ${revision}, by ${by}, ${at}${counts ? `: ${counts.usesApp ? `${counts.uses} use${counts.uses === 1 ? '' : 's'}, ${counts.personal} with personal data` : 'not used'}` : ''}`,
    keptBeside: (id: string, revision: number, others: string[]) =>
      `This is version ${revision} of the unit's answer, and the one that counts. The earlier answer by ${list(others)} is kept beside it (census status ${id}), and they have been told.`,
    newVersion: (id: string, unit: string, by: string, revision: number) =>
      `Census ${id}: ${by} gave a new answer for ${unit} (version ${revision}); it is the one that counts now. Yours is kept beside it: census status ${id}`,
    rollupTitle: (id: string, app: string) => `Census ${id}: use of ${app}`,
    totals: (uses: number, personal: number, percent: number) => `${uses} uses; ${personal} handle personal data (${percent}%).`,
    unitLine: (unit: string, usesApp: boolean, uses: number, personal: number) =>
      usesApp ? `${unit}: ${uses} uses, ${personal} with personal data` : `${unit}: not used`,
    silent: (units: string[]) => `No answer: ${list(units)}`,
    formTitle: 'Census',
    usesApp: (app: string) => `Does the unit use ${app}?`,
    yes: 'Yes',
    no: 'No',
    usePurpose: (n: number) => `Use ${n}: service or purpose`,
    personalData: 'Does it handle personal data?',
    people: 'Roughly how many staff or residents?',
    account: 'Official account, if any',
    send: 'Send',
  },
  accounts: {
    title: (app?: string) => (app ? `Official accounts on ${app}` : 'Official accounts'),
    line: (id: string, handle: string, app: string, unit: string, status: string, owner: string) =>
      `${id} · ${handle} · ${app} · ${unit} · ${status} · ${owner}`,
    none: 'No official accounts are registered.',
    status: { active: 'active', suspended: 'suspended', private: 'private', closed: 'closed' } as Record<string, string>,
    changed: (handle: string, status: string) => `${handle} is now ${status}. Its owner has been told.`,
    ownerTold: (handle: string, status: string, by: string, reason: string) =>
      `Your official account ${handle} was ${status} by ${by}. Reason: ${reason}`,
    inCheck: (items: string[]) => `Official accounts on it under this rule: ${list(items)}`,
    item: (handle: string, unit: string, status: string) => `${handle} (${unit}, ${status})`,
    ruleCovers: (title: string, handle: string, app: string) => `${title}: this covers your official account ${handle} on ${app}.`,
    review: (handle: string, app: string, date: string) =>
      `Official account ${handle} on ${app} is due for review on ${day(date)}: should it stay as it is?`,
  },
  form: {
    requestTitle: 'Request an exception',
    denyTitle: 'Deny a request',
    send: 'Send',
    deny: 'Deny',
    cancel: 'Cancel',
    intro: (app: string, rules: string) => `Exception to ${rules} for ${app}. An approver decides; you will be told.`,
    purpose: 'Purpose',
    device: 'Device',
    days: 'Days',
    daysHint: (max: number) => `Up to ${max} days.`,
    reason: 'Reason',
    reasonHint: 'What you need it for, and why another tool will not do.',
    denyReason: 'Reason (the requester will see it)',
    denyIntro: (id: string, requester: string, app: string) => `Deny ${id}: ${requester}'s request for ${app}.`,
  },
  /** The terminal: what a command queued for the server to deliver on the chat platforms. */
  cli: {
    queued: (what: string) => `Queued for the server to deliver (appwarden outbox lists it): ${what}`,
    notify: (person: string) => `a direct message to ${person}`,
    post: (channel: 'approvals' | 'announcements') => `a post in the ${channel} channel`,
    update: (subject: string) => `an update of the chat message about ${subject}`,
  },
  /** Slack: said to whoever the bot does not serve (another workspace, another organisation, a bot). */
  slack: {
    otherWorkspace: (org: string) => `This bot serves only the ${org} workspace. Nothing was recorded.`,
    notOurs: (org: string) =>
      `AppWarden serves only the people of ${org}: accounts from other organisations (Slack Connect), bots and deactivated accounts can't use it. Nothing was recorded.`,
    tryAgain: 'I could not check your account with Slack just now, so nothing was recorded. Please try again in a moment.',
  },
  help: {
    title: 'AppWarden: may I use this app here?',
    lines: [
      'check <app> [--device corporate|personal-with-work-apps|personal] [--data <class>] [--purpose <purpose>]: may I use it?',
      'request <app> --purpose <purpose> [--days N] [--device D] --reason "…": ask for an exception',
      'approve <id> / deny <id> --reason "…": decide a request (approvers; a denial gives the requester its reason, unless the rule makes it optional)',
      'withdraw <id>: take back your own request while it waits; revoke <id> [--reason "…"]: end an approved exception early (approvers)',
      'attest <app> [--statement removed|never-installed|removed-work-apps]: record that you have removed it',
      'status: your requests, exceptions and deadlines',
      'pending: requests waiting for you (approvers)',
      'policy [rule-id]: the rules in force, or one in full',
      'report compliance|exceptions [--format csv]: who attested, who has not; exceptions granted (approvers)',
      'census start <app> --due YYYY-MM-DD [--units a,b|all] [--question "…"]: a usage survey (admins); census status <id>; report census <id> [--format csv]',
      'accounts [--app A]: official accounts; account suspend|resume <id> --reason "…" (admins, approvers)',
      'census answer <id> [--unit U] --uses none | --use "purpose | yes/no (personal data) | people | @account" (one --use per use): answer a census from the keyboard (reporters)',
    ],
    operatorTitle: 'At the terminal only (operators):',
    operatorLines: [
      'appwarden policy validate FILE: check a policy file, every problem by path',
      "appwarden audit verify: check the audit log's chain",
      'appwarden remind [--at ISO-INSTANT]: one scheduler tick: queue what is due, deliver it',
      "appwarden outbox: deliveries waiting or failed, with the platforms' reasons",
    ],
  },
};

export type Messages = typeof en;
