import * as z from 'zod/mini';
import { policyWords } from '../wording/policy-words.ts';
import { MAX_REASON_LENGTH } from '../../src/core/exceptions.ts';
import type { Wording } from '../wording/wording.ts';
import { DEVICE_CLASSES, vocabulary, type Policy } from '../../src/core/policy.ts';
import { ATTESTATION_STATEMENTS } from '../../src/core/records.ts';
import { refuse, ok, type Refusal } from '../../src/core/result.ts';

/** No exception lasts longer than ten years (the policy schema's bound on `max_days`). */
const MAX_DAYS = 3650;

const built = new WeakMap<Policy, WeakMap<Wording, ReturnType<typeof buildFields>>>();
/** zod schemas for the values people type, with messages in their language and the policy's own vocabulary. */
export function inputFields(policy: Policy, m: Wording) {
  let perPolicy = built.get(policy);
  if (!perPolicy) built.set(policy, (perPolicy = new WeakMap()));
  let fields = perPolicy.get(m);
  if (!fields) perPolicy.set(m, (fields = buildFields(policy, m)));
  return fields;
}

type Shape = Record<string, z.ZodMiniType>;
const objects = new WeakMap<object, Map<string, z.ZodMiniType>>();
/** One z.object per set of fields (schemas are costly to build: zod compiles them). */
export function objectOf<T extends Shape>(owner: object, key: string, shape: () => T): z.ZodMiniObject<T> {
  let perOwner = objects.get(owner);
  if (!perOwner) objects.set(owner, (perOwner = new Map()));
  let schema = perOwner.get(key);
  if (!schema) perOwner.set(key, (schema = z.object(shape())));
  return schema as z.ZodMiniObject<T>;
}

/** A field that may be left out. */
export const optional = z.optional;

/** What was typed, as a person reads it: NFKC (full-width `９０` is 90, `ｃｏｒｐｏｒａｔｅ` is corporate), trimmed. */
const typed = (v: unknown) => (typeof v === 'string' ? v.normalize('NFKC').trim() : v);

/** A typed value quoted back in a message: long ones shortened, so 400 digits do not fill the screen. */
const shown = (v: unknown) => {
  const text = String(v ?? '');
  return text.length > 24 ? `${text.slice(0, 20)}…` : text;
};

/**
 * Every schema carries its own message for every way it can fail, including a value that is missing or
 * not text: no validator's own (English) text reaches a person. zod's mini API: the same checks as the
 * full one, a fraction of what a command loads (the full API is the policy schema's, policy-schema.ts).
 */
function buildFields(policy: Policy, m: Wording) {
  const { dataClasses, purposes } = vocabulary(policy);
  const words = policyWords(policy, m);
  const asTyped = <T extends z.ZodMiniType>(schema: T) => z.pipe(z.transform(typed), schema);
  const oneOf = (known: string[], message: (v: string, known: string[]) => string) =>
    asTyped(
      z
        .string({ error: (iss) => message(shown(iss.input), known) })
        .check(z.refine((v) => known.includes(v), { error: (iss) => message(shown(iss.input), known) })),
    );
  const badDays = (iss: { input?: unknown }) => m.t('errors.badDays', { value: shown(iss.input) });
  return {
    device: asTyped(
      z._default(z.enum(DEVICE_CLASSES, { error: (iss) => m.t('errors.badDevice', { value: shown(iss.input) }) }), 'corporate'),
    ),
    data: z.optional(
      oneOf(dataClasses, (value, known) =>
        known.length ? m.t('errors.badData', { value, known: known.map(words.dataClassToType) }) : m.t('errors.noDataClasses', { value }),
      ),
    ),
    purpose: oneOf(purposes, (value, known) =>
      known.length ? m.t('errors.badPurpose', { value, known: known.map(words.purposeToType) }) : m.t('errors.noPurposes', { value }),
    ),
    days: asTyped(
      z.pipe(
        z.string({ error: badDays }).check(
          z.regex(/^\d+$/, { error: badDays, abort: true }),
          z.refine((digits) => Number(digits) >= 1, { error: badDays, abort: true }),
          z.refine((digits) => digits.replace(/^0+/, '').length <= 6 && Number(digits) <= MAX_DAYS, {
            error: (iss) => m.t('errors.daysOverLimit', { value: shown(iss.input), max: MAX_DAYS }),
          }),
        ),
        z.transform(Number),
      ),
    ),
    reason: z.string({ error: () => m.t('errors.missingReason') }).check(
      z.trim(),
      z.minLength(1, { error: () => m.t('errors.missingReason') }),
      z.maxLength(MAX_REASON_LENGTH, {
        error: (iss) => m.t('errors.reasonTooLong', { length: String(iss.input).length, max: MAX_REASON_LENGTH }),
      }),
    ),
    statement: asTyped(
      z._default(z.enum(ATTESTATION_STATEMENTS, { error: (iss) => m.t('errors.badStatement', { value: shown(iss.input) }) }), 'removed'),
    ),
    format: asTyped(z._default(z.enum(['text', 'csv'], { error: (iss) => m.t('errors.badFormat', { value: shown(iss.input) }) }), 'text')),
  };
}

/**
 * Validate; on failure every message, in order, joined (so a person fixes everything at once). With
 * `m`, any issue a schema left unworded gets a plain message in the person's language, never zod's.
 */
export function validate<S extends z.ZodMiniType>(
  schema: S,
  raw: unknown,
  m?: Wording,
): { ok: true; value: z.output<S> } | (Refusal & { code: 'invalid_input' }) {
  const parsed = m ? z.safeParse(schema, raw, { error: (iss) => badValue(m, String(iss.path?.[0] ?? '')) }) : z.safeParse(schema, raw);
  if (parsed.success) return ok(parsed.data);
  const first = parsed.error.issues[0];
  return {
    ...refuse('invalid_input', first ? String(first.path[0] ?? '') : undefined, { messages: parsed.error.issues.map((i) => i.message) }),
    code: 'invalid_input',
  };
}

const badValue = (m: Wording, field: string) => (field ? m.t('errors.badValue', { field }) : m.t('errors.badValueUnnamed'));
