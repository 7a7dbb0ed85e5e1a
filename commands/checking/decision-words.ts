import type { Decision } from '../../src/core/decision.ts';
import { explain, type Headline, type NextStep, type Reason } from '../../src/core/explain.ts';
import type { Policy } from '../../src/core/policy.ts';
import { policyWords, type PolicyWords } from '../wording/policy-words.ts';
import type { Wording } from '../wording/wording.ts';

/** A Decision in the person's words: the verdict in one sentence, why, and what they can do now. */
export interface DecisionWords {
  headline: string;
  reasons: string[];
  next?: string;
}

/** Without the policy, what it supplies (titles, sources, data classes) is shown as written. */
const AS_WRITTEN: PolicyWords = {
  text: (t) => t,
  dataClass: (id) => id,
  purpose: (id) => id,
  category: (id) => id,
  purposeToType: (id) => id,
  dataClassToType: (id) => id,
};

/** `policy`: its texts and labels in the person's language (`title: { en, ja, fr }`, `labels`, built-in labels). */
export function describeDecision(
  decision: Decision,
  organization: { name: string; timezone: string },
  m: Wording,
  policy?: Policy,
): DecisionWords {
  const x = explain(decision, organization);
  const p = policy ? policyWords(policy, m) : AS_WRITTEN;
  return {
    headline: headlineWords(x.headline, m, p),
    reasons: x.reasons.map((r) => reasonWords(r, m, p)),
    ...(x.next ? { next: nextWords(x.next, m, p) } : {}),
  };
}

function headlineWords(h: Headline, m: Wording, p: PolicyWords): string {
  switch (h.code) {
    case 'unknown-app':
      return m.t('verdict.unknown-app', { typed: h.typed });
    case 'prohibited-for-data':
      return m.t('explain.prohibitedForData', { app: h.app, device: m.device(h.device), data: h.data.map(p.dataClass) });
    case 'restricted':
      return m.t('verdict.restricted', { app: h.app, device: m.device(h.device), data: h.data.map(p.dataClass) });
    case 'allowed-by-exception':
      return m.t('verdict.allowed-by-exception', { app: h.app, device: m.device(h.device), until: h.until });
    default:
      return m.t(`verdict.${h.code}`, { app: h.app, device: m.device(h.device) });
  }
}

function reasonWords(r: Reason, m: Wording, p: PolicyWords): string {
  switch (r.code) {
    case 'unknown-allow':
      return m.t('explain.unknownAllow', { org: r.org });
    case 'unknown-review':
      return m.t('explain.unknownReview', { org: r.org });
    case 'did-you-mean':
      return m.t('explain.didYouMean', { names: r.names });
    case 'allow-rule':
      return m.t('explain.allowRule', { title: p.text(r.title), source: p.text(r.source) });
    case 'rule-cited':
      return m.t('explain.ruleCited', { title: p.text(r.title), source: p.text(r.source), effective: r.effective });
    case 'via-category':
      return m.t('explain.viaCategory', { category: p.category(r.category) });
    case 'restricted-data':
      return m.t('explain.restrictedData', { data: r.data.map(p.dataClass) });
    case 'review':
      return m.t('explain.review', { date: r.date });
    case 'unknown-data':
      return r.known.length
        ? m.t('explain.unknownData', { value: r.value, known: r.known })
        : m.t('explain.unknownDataNoneKnown', { value: r.value });
    case 'no-rule':
      return m.t('explain.noRule');
    case 'deadline': {
      const { date } = r;
      const data = r.data?.map(p.dataClass);
      const tz = m.zone(r.timezone, date);
      if (data) return r.passed ? m.t('explain.dataDeadlinePassed', { date, tz, data }) : m.t('explain.dataDeadline', { date, tz, data });
      return r.passed ? m.t('explain.deadlinePassed', { date, tz }) : m.t('explain.deadline', { date, tz });
    }
    case 'consequence':
      return m.t('explain.consequence', { text: p.text(r.text) });
    case 'own-exception':
      return m.t('explain.ownException', { id: r.id, purpose: p.purpose(r.purpose) });
    case 'conditions':
      return m.t('explain.conditions', { text: p.text(r.text) });
    case 'pending':
      return m.t('explain.pending', { id: r.id, when: r.filedOn });
    case 'exception-possible':
      return m.t('explain.exceptionPossible', { purposes: r.purposes.map(p.purposeToType), maxDays: r.maxDays });
    case 'exception-none':
      return m.t('explain.exceptionNone');
    case 'exception-no-common-purpose':
      return m.t('explain.exceptionNoCommonPurpose');
    case 'exception-wrong-purpose':
      return m.t('explain.exceptionWrongPurpose', { purpose: p.purpose(r.purpose) });
    case 'other-devices':
      return m.t('explain.otherDevices', {
        items: r.devices.map((o) =>
          m.t('explain.otherDevice', { device: m.device(o.device), verdict: m.t(`explain.verdictWord.${o.verdict}`) }),
        ),
      });
  }
}

function nextWords(n: NextStep, m: Wording, p: PolicyWords): string {
  switch (n.code) {
    case 'wait':
      return m.t('next.wait');
    case 'request':
      return m.t('next.request', { app: n.app, purpose: n.purpose });
    case 'attest':
      return m.t('next.attest', { app: n.app });
    case 'not-for-data':
      return m.t('next.notForData', { app: n.app, data: n.data.map(p.dataClass) });
    case 'check':
      return m.t('next.check', { name: n.name });
  }
}
