import { format, parseISO } from 'date-fns';
import type { DeviceClass } from '../policy.ts';
import type { RequestStatus } from '../records.ts';
import type { Messages } from './en.ts';

/** A calendar date `YYYY-MM-DD` in words, e.g. 2025年4月1日. */
const day = (date: string) => format(parseISO(date), 'yyyy年M月d日');
const list = (items: readonly string[]) => items.join('、');
const q = (s: string) => `「${s}」`;

const devices: Record<DeviceClass, string> = {
  corporate: '業務用端末',
  'personal-with-work-apps': '業務アプリを入れた私物端末',
  personal: '私物端末',
};
const statuses: Record<RequestStatus, string> = {
  requested: '承認待ち',
  approved: '承認済み',
  denied: '却下',
  withdrawn: '取り下げ',
  expired: '期限切れ',
  revoked: '取り消し',
};

/**
 * Every sentence AppWarden says, in Japanese. Same keys and signatures as `en.ts`. Values are plain
 * text; renderers escape them for their surface. Command words, flags and ids stay as typed.
 */
export const ja: Messages = {
  day,
  outbox: {
    digestTitle: (n: number) => `${n}件のメッセージを届けられませんでした`,
    failedLine: (what: string, platform: string, reason: string) => `${what}（${platform}）：${reason}`,
    more: (n: number) => `…ほか${n}件`,
    howToList: '待機中・失敗した配信の一覧は、運用担当者が appwarden outbox で確認できます。',
  },
  teams: {
    answeredPrivately: 'ご本人の情報や他の方の氏名を含む場合があるため、回答はAppWardenとの個人チャットでお送りしました。',
    cannotAnswerPrivately:
      'ご本人の情報や他の方の氏名を含む場合があるため、ここでは回答できません。また、まだ個人チャットを開始できません。Teamsで AppWarden（アプリ → AppWarden → チャット）を開いて、そちらでお尋ねください。',
    reasonNotText: '理由は文字で入力してください。何も変更していません。',
  },
  device: (d: DeviceClass) => devices[d],
  statusWord: (s: RequestStatus) => statuses[s],
  list,

  verdict: {
    allowed: (app: string, device: DeviceClass) => `${app}は${devices[device]}で利用できます。`,
    prohibited: (app: string, device: DeviceClass) => `${app}は${devices[device]}での利用が禁止されています。`,
    restricted: (app: string, device: DeviceClass, data: string[]) =>
      `${app}は${devices[device]}での利用に制限があります。利用はできますが、${list(data)}の取り扱いには使えません。`,
    'allowed-by-exception': (app: string, device: DeviceClass, until: string) =>
      `${app}は例外承認により、${day(until)}まで${devices[device]}で利用できます。`,
    'exception-pending': (app: string, device: DeviceClass) =>
      `${app}は${devices[device]}での利用が禁止されています。例外申請は現在承認待ちです。`,
    'unknown-app': (typed: string) => `${q(typed)}というアプリは登録されていません。`,
  },
  explain: {
    ruleCited: (title: string, source: string, effective: string) => `${title}（根拠：${source}、${day(effective)}から適用）`,
    viaCategory: (category: string) => `このアプリは${q(category)}カテゴリに該当するため、このルールが適用されます。`,
    allowRule: (title: string, source: string) => `利用が明示的に認められています：${title}（${source}）`,
    noRule: '所属組織のルールで該当するものはありません。',
    restrictedData: (data: string[]) => `次の情報の取り扱いには使えません：${list(data)}`,
    deadline: (date: string, tz: string) => `期限：${day(date)}中（${tz}基準）に削除してください。`,
    deadlinePassed: (date: string, tz: string) => `削除期限（${day(date)}中、${tz}基準）を過ぎています。`,
    consequence: (text: string) => `対応しない場合：${text}`,
    review: (date: string) => `この措置は${day(date)}に見直しが予定されています。`,
    exceptionPossible: (purposes: string[], maxDays: number) => `次の目的であれば例外を申請できます（最長${maxDays}日）：${list(purposes)}`,
    exceptionNone: 'このルールでは例外は認められていません。',
    exceptionNoCommonPurpose: '適用されるすべてのルールに共通して認められる目的がないため、例外は申請できません。',
    exceptionWrongPurpose: (purpose: string) => `目的${q(purpose)}では例外は認められません。`,
    ownException: (id: string, purpose: string) => `あなたの例外承認${id}は、目的${q(purpose)}に限り有効です。`,
    conditions: (text: string) => `条件：${text}`,
    pending: (id: string, when: string) => `あなたの申請${id}は${day(when)}に提出されています。`,
    otherDevices: (items: string[]) => `ほかの端末の場合：${list(items)}`,
    otherDevice: (device: DeviceClass, verdict: string) => `${devices[device]}は${verdict}`,
    verdictWord: {
      allowed: '利用可',
      prohibited: '利用禁止',
      restricted: '利用制限あり',
      'allowed-by-exception': '例外承認により利用可',
      'exception-pending': '利用禁止（例外申請中）',
      'unknown-app': '未登録のアプリ',
    },
    unknownAllow: (org: string) => `${org}のアプリ一覧に登録されていないアプリは、原則として利用できます。`,
    unknownReview: (org: string) => `${org}のアプリ一覧に登録されていないアプリは、利用前に審査が必要です。管理者にお問い合わせください。`,
    didYouMean: (names: string[]) => `次のいずれかではありませんか：${list(names)}`,
    unknownData: (value: string, known: string[]) =>
      known.length
        ? `${q(value)}はこのポリシーにない情報区分のため（指定できる区分：${list(known)}）、すべての情報区分の制限を表示しています。`
        : `${q(value)}はこのポリシーにない情報区分のため、すべての情報区分の制限を表示しています。`,
    prohibitedForData: (app: string, device: DeviceClass, data: string[]) =>
      `${app}を${devices[device]}で${list(data)}の取り扱いに使うことは禁止されています（アプリを入れておくことはできます）。`,
    dataDeadline: (date: string, tz: string, data: string[]) =>
      `期限：${day(date)}中（${tz}基準）を過ぎたら、${list(data)}の取り扱いには使えません。`,
    dataDeadlinePassed: (date: string, tz: string, data: string[]) =>
      `${day(date)}中（${tz}基準）の期限を過ぎたため、${list(data)}の取り扱いには使えません。`,
  },
  next: {
    request: (app: string, purpose: string) => `例外を申請するには：request ${app} --purpose ${purpose} --reason "…"`,
    attest: (app: string) => `削除したら、次のように報告してください：attest ${app}`,
    wait: '承認者が判断したらお知らせします。状況の確認：status',
    check: (name: string) => `次をお試しください：check ${name}`,
    notForData: (app: string, data: string[]) =>
      `${app}を${list(data)}の取り扱いに使わないでください。アプリを削除する必要はなく、削除の報告も不要です。`,
  },
  labels: {
    verdict: '判定',
    app: 'アプリ',
    device: '端末',
    purpose: '目的',
    days: '日数',
    reason: '理由',
    requester: '申請者',
    rule: '対象ルール',
    deadline: '削除期限',
    expires: '有効期限',
    status: '状況',
    decidedBy: '判断者',
    approve: '承認',
    deny: '却下',
    requestException: '例外を申請',
    removed: '削除しました',
  },
  request: {
    filed: (id: string, app: string, device: DeviceClass, purpose: string, days: number) =>
      `申請${id}を受け付けました：${app}（${devices[device]}、目的：${purpose}、${days}日間）。承認者が判断したらお知らせします。`,
    approversAre: (names: string[]) => `この申請の承認者：${list(names)}`,
    noApprover: 'この申請の承認者がまだ登録されていません。管理者にお知らせください。',
    posted: (id: string, requester: string, app: string) => `例外申請${id}：${requester}さんから${app}の利用申請があります。`,
    approved: (id: string, requester: string, app: string, until: string) =>
      `${id}を承認しました。${requester}さんは${day(until)}まで${app}を利用できます。`,
    denied: (id: string, requester: string, app: string) => `${id}（${requester}さんの${app}の申請）を却下しました。`,
    youWereApproved: (id: string, app: string, by: string, until: string) =>
      `${app}の申請${id}は${by}さんにより承認されました。${day(until)}まで利用できます。`,
    youWereDenied: (id: string, app: string, by: string) => `${app}の申請${id}は${by}さんにより却下されました。`,
    reasonGiven: (reason: string) => `理由：${reason}`,
    noReasonGiven: '理由の記載はありません。',
    decidedLine: (status: RequestStatus, by: string, at: string) =>
      by ? `${statuses[status]}（${by}さん、${at}）` : `${statuses[status]}（${at}）`,
    withdrawn: (id: string) => `申請${id}を取り下げました。`,
    revoked: (id: string, requester: string) => `${id}を取り消しました。${requester}さんにお知らせします。`,
    youWereRevoked: (id: string, app: string, by: string) => `${app}の例外承認${id}は${by}さんにより取り消されました。`,
  },
  attest: {
    recorded: (app: string, rules: string[]) => `${app}を削除したことを記録しました（${list(rules)}）。ご協力ありがとうございます。`,
    recordedNever: (app: string, rules: string[]) =>
      `${app}をインストールしていないことを記録しました（${list(rules)}）。ご協力ありがとうございます。`,
    recordedWorkApps: (app: string, rules: string[]) =>
      `${app}が入っている端末から業務アプリを削除したことを記録しました（${list(rules)}）。ご協力ありがとうございます。`,
    already: (rule: string, when: string) => `${rule}については、${day(when)}に報告済みです。`,
  },
  status: {
    title: 'あなたの申請と期限',
    requestLine: (id: string, app: string, status: RequestStatus, purpose: string) => `${id} · ${app} · ${purpose} · ${statuses[status]}`,
    until: (date: string) => `${day(date)}まで`,
    noRequests: '例外申請はありません。',
    deadlineLine: (app: string, rule: string, date: string, attested: boolean) =>
      `${app}（${rule}）：${day(date)}までに削除（${attested ? '報告済み ✓' : '未報告'}）`,
    noDeadlines: 'あなたに該当する期限はありません。',
  },
  pending: {
    title: 'あなたの判断待ちの申請',
    none: '判断待ちの申請はありません。',
    line: (id: string, requester: string, app: string, purpose: string, days: number, reason: string) =>
      `${id} · ${requester} · ${app} · ${purpose} · ${days}日間：${q(reason)}`,
  },
  policy: {
    title: (org: string) => `${org}で適用中のルール`,
    line: (id: string, title: string, effect: 'prohibit' | 'allow') => `${id}：${title}（${effect === 'prohibit' ? '禁止' : '許可'}）`,
    none: '適用中のルールはありません。',
    targets: (apps: string[], categories: string[]) => `対象：${list([...apps, ...categories.map((c) => `カテゴリ${q(c)}`)])}`,
    units: (unit: string) => `対象部署：${unit}（下位の部署を含む）`,
    devices: (ds: DeviceClass[]) => `対象端末：${list(ds.map((d) => devices[d]))}`,
    allDevices: '対象端末：すべて',
    data: (data: string[]) => `対象情報：${list(data)}に限る`,
    effective: (date: string) => `${day(date)}から適用`,
    lifted: (date: string) => `${day(date)}に解除`,
    source: (text: string) => `根拠：${text}`,
  },
  lists: {
    more: (how: string) => `ほか{count}件 — ${how}`,
    nextPage: (command: string) => `続きは ${command}`,
    nextPageOrCsv: (command: string, csv: string) => `続きは ${command}、すべては ${csv}`,
    csv: (command: string) => `すべては ${command}`,
    page: (page: number, pages: number) => `${pages}ページ中${page}ページ目`,
    badPage: (value: string) => `--page にはページ番号（1以上）を指定してください（${q(value)}ではなく）。`,
    pastLastPage: (pages: number, command: string) => `${pages}ページまでしかありません。最後のページ：${command}`,
    rulesWithDeadlines: '期限付きルールの対応状況',
    ruleCounts: (rule: string, attested: number, total: number, missing: number, excepted: number) =>
      `${rule}：${total}人中${attested}人が報告済み、未報告${missing}人${excepted ? `、例外承認あり${excepted}人` : ''}`,
    namesOfOneRule: (command: string) => `ルールごとの未報告者：${command}`,
    byUnit: '部署別（未報告の多い順）：',
    unitCounts: (unit: string, attested: number, total: number) => `${unit}：${total}人中${attested}人が報告済み`,
    notYet: (n: number) => `未報告（${n}人）：`,
    excepted: (n: number) => `例外承認あり（${n}人）：`,
    unitsAnswered: (answered: number, total: number) => `${total}部署中${answered}部署が回答済みです。`,
    notYetAnswered: (n: number) => `未回答（${n}部署）：`,
    silent: (n: number) => `回答なし（${n}部署）：`,
    purposesBelow: (n: number, maxDays: number) => `次の${n}件の目的であれば例外を申請できます（最長${maxDays}日）：`,
    purposeHint: (shown: string[], more: number, command: string) =>
      `次のいずれかを入力してください：${list(shown)}${more ? `（ほか${more}件は ${command} で確認できます）` : ''}`,
  },
  report: {
    complianceTitle: (rule: string) => `${rule}の対応状況`,
    counts: (attested: number, total: number) => `${total}人中${attested}人が報告済みです。`,
    overdue: (names: string[]) => `未報告：${list(names)}`,
    allAttested: '対象者全員が報告済みです。',
    excepted: (names: string[]) => `例外承認あり：${names.join('、')}`,
    noDeadlineRules: '期限付きのルールで適用中のものはありません。',
    sentAsFile: (name: string) => `${name}をAppWardenとのダイレクトメッセージに送りました。`,
    exceptionsTitle: '承認済みの例外',
    exceptionLine: (id: string, person: string, app: string, purpose: string, status: RequestStatus, until: string) =>
      `${id} · ${person} · ${app} · ${purpose} · ${statuses[status]} · ${day(until)}まで`,
    noExceptions: '承認された例外はありません。',
  },
  errors: {
    unknownCommand: (word: string, commands: string[], nearest: string[]) =>
      `${q(word)}というコマンドはありません。${nearest.length ? `${nearest.join(' または ')} のことですか。` : ''}使えるコマンド：${list(commands)}`,
    unknownFlag: (flag: string, command: string, flags: string[]) =>
      flags.length
        ? `${q(flag)}は ${command} のオプションではありません。使えるオプション：${list(flags.map((f) => `--${f}`))}`
        : `${command} にはオプションはありません（${q(flag)}）。`,
    missingValue: (flag: string) => `--${flag} の値を指定してください。`,
    repeatedFlag: (flag: string) => `--${flag} が複数回指定されています。1回だけ指定してください。`,
    badValue: (field: string) => (field ? `--${field} の値を読み取れません。` : '指定された値を読み取れません。'),
    unexpectedText: (command: string, text: string) => `${command} には${q(text)}は指定できません。`,
    unclosedQuote: '引用符が閉じられていません。',
    missingApp: (command: string) => `アプリ名を指定してください。例：${command} TikTok`,
    missingId: (command: string) => `申請番号を指定してください。例：${command} EX-1`,
    badDevice: (value: string) =>
      `${q(value)}は端末の区分ではありません。corporate、personal-with-work-apps、personal のいずれかを指定してください。`,
    badData: (value: string, known: string[]) =>
      known.length
        ? `${q(value)}はこのポリシーにない情報区分です。指定できる区分：${list(known)}`
        : `このポリシーには情報区分がありません（${q(value)}）。`,
    badPurpose: (value: string, known: string[]) =>
      known.length
        ? `${q(value)}はこのポリシーにない目的です。指定できる目的：${list(known)}`
        : `このポリシーでは例外の目的が定められていません（${q(value)}）。`,
    badDays: (value: string) => `--days には1以上の整数（日数）を指定してください（${q(value)}は指定できません）。`,
    daysOverLimit: (value: string, max: number) =>
      `--days ${value} は、どの例外でも認められる日数を超えています。上限は${max}日で、ルールごとにさらに上限があります。`,
    overMaxDays: (days: number, max: number) => `--days ${days} は、この例外で認められる上限（${max}日）を超えています。`,
    missingPurpose: (purposes: string[]) => `目的を指定してください。--purpose に次のいずれかを指定します：${list(purposes)}`,
    missingReason: '理由を入力してください：--reason "…"',
    reasonTooLong: (length: number, max: number) => `理由が${length}文字あります。${max}文字以内にしてください。`,
    textTooLong: (max: number) => `長すぎます。${max}文字未満にしてください。`,
    textTooLongNormalized: (length: number, max: number) =>
      `Unicode正規化後に${length.toLocaleString('ja')}文字になります（ﷺ のように1文字が18文字に展開されるものがあります）。${max}文字未満にしてください。`,
    nameTooLong: (length: number, max: number) =>
      `名前が${length.toLocaleString('ja')}文字あります（Unicode正規化後の文字数。ﷺ のように1文字が18文字に展開されるものがあります）。アプリ名やIDは${max}文字以内にしてください。`,
    badStatement: (value: string) =>
      `${q(value)}は報告の種類ではありません。removed、never-installed、removed-work-apps のいずれかを指定してください。`,
    badFormat: (value: string) => `${q(value)}は出力形式ではありません。text または csv を指定してください。`,
    badReportKind: (value: string) =>
      `レポートの種類を指定してください：report compliance または report exceptions（${q(value)}は指定できません）。`,
    unknownApp: (typed: string) => `${q(typed)}というアプリは登録されていません。`,
    unknownRule: (id: string) => `${q(id)}というルールはありません。`,
    unknownRequest: (id: string) => `${q(id)}という申請はありません。`,
    notAnApprover: (id: string) =>
      `${id}を判断する権限がありません。判断できるのは、ルールで指定された承認者か、申請者の所属部署（またはその上位部署）の承認者です。`,
    onlyApprovers: (command: string) => `${command} は承認者と管理者のみ使用できます。`,
    ownRequest: (id: string) => `自分の申請（${id}）は判断できません。別の承認者による判断が必要です。`,
    alreadyDecided: (id: string, status: RequestStatus, by: string, at: string) =>
      by ? `${id}は${at}に${by}さんにより既に${q(statuses[status])}となっています。` : `${id}は既に${q(statuses[status])}となっています。`,
    notWithdrawable: (id: string, by: string, at: string) =>
      `${id}は${by ? `${at}に${by}さんが` : '既に'}承認済みのため、取り下げできません。例外承認を早めに終わらせるには、承認者に取り消しを依頼してください：revoke ${id}`,
    denyReasonRequired: (id: string) => `${id}を却下するには理由が必要です（申請者に表示されます）：deny ${id} --reason "…"`,
    statementNotAllowed: (statement: string, rules: string[]) =>
      `${list(rules)}では${q(statement)}は認められません（業務アプリの削除で代えることはできません）。アプリを削除したうえで --statement removed（または never-installed）で報告してください。`,
    alreadyRequested: (id: string, status: RequestStatus) => `このアプリについては既に申請${id}があります（${statuses[status]}）。`,
    notProhibited: (app: string) => `${app}の利用は禁止されていないため、例外申請は不要です。`,
    noExceptions: (app: string, rules: string[]) => `${app}については例外は認められていません（${list(rules)}）。`,
    purposeNotAllowed: (purpose: string, allowed: string[]) =>
      allowed.length
        ? `目的${q(purpose)}では例外は認められません。認められる目的：${list(allowed)}`
        : `目的${q(purpose)}では例外は認められません。`,
    notSubject: (rule: string) => `ルール${rule}はあなたには適用されないため、報告は不要です。`,
    nothingToAttest: (app: string) => `${app}の削除を求めるルールはないため、報告は不要です。`,
    notYourRequest: (id: string) => `${id}はあなたの申請ではありません。`,
    notActive: (id: string, status: RequestStatus) => `${id}は${q(statuses[status])}のため、有効な例外承認ではありません。`,
    rulesChanged: (id: string, rule: string) =>
      `${id}は申請時のままでは承認できません。申請後にルール${rule}が変更されました（解除、または例外の条件の変更）。却下のうえ、改めて申請してもらってください。`,
    notAdmin: (command: string) => `${command} は管理者のみ使用できます。`,
    dueInPast: (due: string) => `期限の${day(due)}は既に過ぎています。本日以降の日付を指定してください。`,
    badDate: (value: string) => `${q(value)}は日付ではありません。YYYY-MM-DD の形式で指定してください。`,
    unknownUnits: (units: string[]) => `次の部署は登録されていません：${list(units)}`,
    unknownCensus: (id: string) => `${q(id)}という利用状況調査はありません。`,
    notReporter: (unit: string) =>
      `${unit}について回答する権限がありません。回答するのは、その部署の報告担当者（いない場合は承認者）です。`,
    notReporterAny: (census: string, ownUnit: string, censusUnit: string, reporters: string[]) =>
      `利用状況調査${census}で回答できる部署はありません。${
        censusUnit
          ? `${ownUnit === censusUnit ? `あなたの部署（${censusUnit}）` : `あなたの部署（${ownUnit}）が属する${censusUnit}`}の回答者は${reporters.length ? `${list(reporters.map((n) => `${n}さん`))}です。` : 'まだいません。管理者にお知らせください。'}`
          : `あなたの部署（${ownUnit}）はこの調査の対象ではありません。`
      }`,
    unitNotInCensus: (unit: string, census: string) => `${unit}は利用状況調査${census}の対象部署ではありません。`,
    noUnits: '対象の部署を指定してください。--units に部署IDを指定するか、--units all としてください。',
    refusedOther: 'その操作はできません。何も変更していません。',
    censusClosed: (due: string) => `この調査の期限（${day(due)}）を過ぎたため、回答済みの内容は変更できません。`,
    tooManyUses: (given: number, max: number) =>
      `一つの回答に含められる利用はフォームと同じく${max}件までです（${given}件指定されました）。`,
    usesNoneWithUse: '--uses none（利用なし）と --use（利用の内容）は同時に指定できません。どちらか一方にしてください。',
    noUses: '利用内容を1件以上入力するか、利用していない旨を回答してください。',
    whichUnit: (units: string[]) => `部署を指定してください。--unit に次のいずれかを指定します：${list(units)}`,
    badYesNo: (value: string) => `yes または no を指定してください（${q(value)}は指定できません）。`,
    badPeople: (value: string) => `人数には0以上の整数を指定してください（${q(value)}は指定できません）。`,
    purposeMissing: 'アプリの用途を入力してください。',
    unknownAccount: (id: string) => `${q(id)}という公式アカウントはありません。`,
    notAccountApprover: (id: string) =>
      `${id}を変更する権限がありません。変更できるのは、管理者と、アカウントの所属部署（またはその上位部署）の承認者です。`,
    accountStatus: (id: string, status: string) => `${id}は${q(status)}のため、この操作はできません。`,
    badAccountChange: (word: string) =>
      `次のように指定してください：account suspend <アカウントID> --reason "…" または account resume <アカウントID> --reason "…"（${q(word)}は指定できません）。`,
    badCensusVerb: (word: string) =>
      `census start、census status、census answer のいずれかを指定してください（${q(word)}は指定できません）。`,
    fault: (ref: string) =>
      `申し訳ありません。システム側でエラーが発生しました（参照番号：${ref}）。変更は行われていません。もう一度お試しください。`,
  },
  reminders: {
    announce: (title: string, daysLeft: number, date: string, tz: string) =>
      daysLeft > 1
        ? `期限まであと${daysLeft}日：${title}。${day(date)}中（${tz}）に削除してください。`
        : daysLeft === 1
          ? `明日が期限です：${title}。${day(date)}中（${tz}）に削除してください。`
          : daysLeft === 0
            ? `本日が期限です：${title}。本日${day(date)}中（${tz}）に削除してください。`
            : `期限（${day(date)}）を過ぎています：${title}。`,
    direct: (title: string, date: string) => `お知らせ：${title}。期限は${day(date)}中ですが、まだ削除の報告をいただいていません。`,
    directOverdue: (title: string, date: string) =>
      `「${title}」の期限（${day(date)}）を過ぎましたが、まだ削除の報告をいただいていません。`,
    howToAttest: (apps: string) => `削除済み、または最初から入れていない場合は、ボタンを押すか「attest ${apps}」と送ってください。`,
    digestTitle: (rule: string, date: string) => `${rule}：期限（${day(date)}）を過ぎました。`,
    notYet: (names: string[], more: number) => `未報告：${names.join('、')}${more ? `ほか${more}名` : ''}`,
    fullList: (rule: string) => `全員の一覧：report compliance ${rule} --format csv`,
    review: (title: string, date: string) => `${day(date)}に見直し予定：${title}。現在の措置を続ける必要があるか確認してください。`,
    expiring: (id: string, app: string, daysLeft: number, lastDay: string) =>
      `${app}の例外承認${id}は${daysLeft === 1 ? '明日' : `${daysLeft}日後に`}終了します（最終日：${day(lastDay)}）。`,
    expired: (id: string, app: string) => `${app}の例外承認${id}は終了しました。ルールが再び適用されます。`,
    removedWorkApps: '代わりに業務アプリを削除しました',
  },
  census: {
    started: (id: string, app: string, due: string, units: number) =>
      `利用状況調査${id}を開始しました。対象の${units}部署に、${day(due)}までに${app}の利用状況を報告するよう依頼しました。`,
    noReporter: (units: string[]) => `次の部署には回答できる人がいません：${list(units)}（報告担当者か承認者を登録してください）。`,
    ask: (id: string, app: string, unit: string, due: string) =>
      `利用状況調査${id}：${unit}では${app}をどのように利用していますか。${day(due)}までにご回答ください。`,
    reminder: (id: string, app: string, unit: string, daysLeft: number, due: string) =>
      daysLeft > 1
        ? `利用状況調査${id}：${unit}の${app}の利用状況がまだ報告されていません。期限まであと${daysLeft}日です（${day(due)}まで）。`
        : daysLeft === 1
          ? `利用状況調査${id}：${unit}の${app}の利用状況がまだ報告されていません。期限は明日です。`
          : daysLeft === 0
            ? `利用状況調査${id}：${unit}の${app}の利用状況がまだ報告されていません。期限は本日です。`
            : `利用状況調査${id}：${unit}の${app}の利用状況は、期限（${day(due)}）を過ぎましたがまだ報告されていません。期限後の回答も受け付けます。`,
    answerFor: (unit: string) => `${unit}について回答する`,
    howToAnswer: (id: string, unit: string) =>
      `コマンドで回答することもできます：census answer ${id} --unit ${unit} --uses none、または利用ごとに --use "目的 | 個人情報 yes/no | 人数 | @アカウント"`,
    recorded: (unit: string, uses: number, corrected: boolean) =>
      `${unit}の回答を${corrected ? '訂正' : '記録'}しました：${uses === 0 ? '利用なし' : `利用${uses}件`}。期限までは訂正できます。`,
    statusTitle: (id: string, app: string, due: string) => `利用状況調査${id}：${app}の利用状況（期限：${day(due)}）`,
    answered: (units: string[]) => (units.length ? `回答済み：${list(units)}` : 'まだどの部署も回答していません。'),
    outstanding: (units: string[]) => `未回答：${list(units)}`,
    allAnswered: 'すべての部署が回答済みです。',
    version: (unit: string, revision: number, by: string, at: string, counts?: { usesApp: boolean; uses: number; personal: number }) =>
      `${unit} — 第${revision}版（${by}、${at}）${counts ? `：${counts.usesApp ? `利用${counts.uses}件（うち個人情報あり${counts.personal}件）` : '利用なし'}` : ''}`,
    keptBeside: (id: string, revision: number, others: string[]) =>
      `この回答は部署の回答の第${revision}版で、集計にはこの版が使われます。先に${list(others.map((n) => `${n}さん`))}が回答した版も併せて保存されています（census status ${id}）。先の回答者にはお知らせしました。`,
    newVersion: (id: string, unit: string, by: string, revision: number) =>
      `利用状況調査${id}：${by}さんが${unit}について新しい回答（第${revision}版）をしました。集計にはこの版が使われます。あなたの回答も併せて保存されています：census status ${id}`,
    rollupTitle: (id: string, app: string) => `利用状況調査${id}：${app}の利用状況`,
    totals: (uses: number, personal: number, percent: number) =>
      `利用は${uses}件で、うち${personal}件が個人情報を取り扱っています（${percent}%）。`,
    unitLine: (unit: string, usesApp: boolean, uses: number, personal: number) =>
      usesApp ? `${unit}：利用${uses}件（うち個人情報あり${personal}件）` : `${unit}：利用なし`,
    silent: (units: string[]) => `回答なし：${list(units)}`,
    formTitle: '利用状況調査',
    usesApp: (app: string) => `この部署では${app}を利用していますか`,
    yes: 'はい',
    no: 'いいえ',
    usePurpose: (n: number) => `利用${n}：業務・サービス名または目的`,
    personalData: '個人情報を取り扱いますか',
    people: '関係する職員・住民のおおよその人数',
    account: '公式アカウント（ある場合）',
    send: '送信する',
  },
  accounts: {
    title: (app?: string) => (app ? `${app}の公式アカウント` : '公式アカウント'),
    line: (id: string, handle: string, app: string, unit: string, status: string, owner: string) =>
      `${id} · ${handle} · ${app} · ${unit} · ${status} · ${owner}`,
    none: '登録されている公式アカウントはありません。',
    status: { active: '運用中', suspended: '停止中', private: '非公開', closed: '閉鎖' } as Record<string, string>,
    changed: (handle: string, status: string) => `${handle}を${q(status)}にしました。担当者にお知らせしました。`,
    ownerTold: (handle: string, status: string, by: string, reason: string) =>
      `あなたが担当する公式アカウント${handle}は、${by}さんにより${q(status)}になりました。理由：${reason}`,
    inCheck: (items: string[]) => `このルールの対象となる、このアプリの公式アカウント：${list(items)}`,
    item: (handle: string, unit: string, status: string) => `${handle}（${unit}、${status}）`,
    ruleCovers: (title: string, handle: string, app: string) => `${title}：あなたが担当する${app}の公式アカウント${handle}も対象です。`,
    review: (handle: string, app: string, date: string) =>
      `${day(date)}に見直し予定：${app}の公式アカウント${handle}。現在の運用を続けるか確認してください。`,
  },
  form: {
    requestTitle: '例外の申請',
    denyTitle: '申請の却下',
    send: '申請する',
    deny: '却下する',
    cancel: 'キャンセル',
    intro: (app: string, rules: string) => `${app}について、ルール${rules}の例外を申請します。承認者が判断し、結果をお知らせします。`,
    purpose: '目的',
    device: '端末',
    days: '日数',
    daysHint: (max: number) => `最長${max}日です。`,
    reason: '理由',
    reasonHint: '何に使うのか、なぜ他の手段では足りないのかを書いてください。',
    denyReason: '理由（申請者に表示されます）',
    denyIntro: (id: string, requester: string, app: string) => `${id}（${requester}さんの${app}の申請）を却下します。`,
  },
  cli: {
    queued: (what: string) => `サーバーからの配信待ちに登録しました（appwarden outbox で確認できます）：${what}`,
    notify: (person: string) => `${person} さんへのダイレクトメッセージ`,
    post: (channel: 'approvals' | 'announcements') => `${channel === 'approvals' ? '承認' : 'お知らせ'}チャンネルへの投稿`,
    update: (subject: string) => `${subject}についてのチャットメッセージの更新`,
  },
  slack: {
    otherWorkspace: (org: string) => `このボットは ${org} のワークスペース専用です。何も記録していません。`,
    notOurs: (org: string) =>
      `AppWarden は ${org} の職員専用です。他の組織のアカウント（Slack コネクト）、ボット、無効化されたアカウントからは使えません。何も記録していません。`,
    tryAgain: 'Slack でアカウントを確認できなかったため、何も記録していません。しばらくしてからもう一度お試しください。',
  },
  help: {
    title: 'AppWarden：アプリの利用可否を確認できます',
    lines: [
      'check <アプリ名> [--device corporate|personal-with-work-apps|personal] [--data <情報区分>] [--purpose <目的>]：利用できるか確認します',
      'request <アプリ名> --purpose <目的> [--days N] [--device D] --reason "…"：例外を申請します',
      'approve <申請番号> / deny <申請番号> --reason "…"：申請を承認・却下します（承認者。却下の理由は申請者に伝えます。ルールで任意とされている場合は省略できます）',
      'withdraw <申請番号>：承認待ちの自分の申請を取り下げます。revoke <申請番号> [--reason "…"]：承認済みの例外を早めに終了します（承認者）',
      'attest <アプリ名> [--statement removed|never-installed|removed-work-apps]：削除したことを報告します',
      'status：自分の申請・例外承認・期限を表示します',
      'pending：自分の判断待ちの申請を表示します（承認者）',
      'policy [ルールID]：適用中のルールの一覧、または指定したルールの詳細を表示します',
      'report compliance|exceptions [--format csv]：報告済み・未報告の状況と、承認済みの例外を表示します（承認者）',
      'census start <アプリ名> --due YYYY-MM-DD [--units a,b|all] [--question "…"]：利用状況調査を開始します（管理者）。census status <調査ID>：回答状況を表示します。report census <調査ID> [--format csv]：集計結果を表示します',
      'accounts [--app <アプリ名>]：公式アカウントの一覧を表示します。account suspend|resume <アカウントID> --reason "…"：公式アカウントを停止・再開します（管理者、承認者）',
      'census answer <調査ID> [--unit <部署ID>] --uses none | --use "目的 | 個人情報 yes/no | 人数 | @アカウント"（利用ごとに --use）：利用状況調査にコマンドで回答します（報告担当者）',
    ],
    operatorTitle: 'ターミナルのみ（運用担当者）：',
    operatorLines: [
      'appwarden policy validate <ファイル>：ポリシーファイルを検証し、問題を箇所ごとに表示します',
      'appwarden audit verify：監査ログの連鎖を検証します',
      'appwarden remind [--at <ISO日時>]：スケジューラを1回実行し、期限の来た通知を登録・配信します',
      'appwarden outbox：配信待ち・配信に失敗したメッセージと、各プラットフォームが返した理由を表示します',
    ],
  },
};
