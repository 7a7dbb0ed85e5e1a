import { z } from 'zod';
import { MAX_REASON_LENGTH } from '../src/core/exceptions.ts';
import type { Messages } from '../src/core/i18n/index.ts';
import { DEVICE_CLASSES, vocabulary, type Policy } from '../src/core/policy.ts';
import { ATTESTATION_STATEMENTS } from '../src/core/records.ts';
import { refuse, ok, type Outcome } from '../src/core/result.ts';

const built = new WeakMap<Policy, WeakMap<Messages, ReturnType<typeof buildFields>>>();
/** zod schemas for the values people type, with messages in their language and the policy's own vocabulary. */
export function inputFields(policy: Policy, m: Messages) {
  let perPolicy = built.get(policy);
  if (!perPolicy) built.set(policy, (perPolicy = new WeakMap()));
  let fields = perPolicy.get(m);
  if (!fields) perPolicy.set(m, (fields = buildFields(policy, m)));
  return fields;
}

const objects = new WeakMap<object, Map<string, z.ZodType>>();
/** One z.object per set of fields (schemas are costly to build: zod compiles them). */
export function objectOf<T extends z.ZodRawShape>(owner: object, key: string, shape: () => T): z.ZodObject<T> {
  let perOwner = objects.get(owner);
  if (!perOwner) objects.set(owner, (perOwner = new Map()));
  let schema = perOwner.get(key);
  if (!schema) perOwner.set(key, (schema = z.object(shape())));
  return schema as z.ZodObject<T>;
}

function buildFields(policy: Policy, m: Messages) {
  const { dataClasses, purposes } = vocabulary(policy);
  const oneOf = (known: string[], message: (v: string, known: string[]) => string) =>
    z.string().refine((v) => known.includes(v), { error: (iss) => message(String(iss.input), known) });
  return {
    device: z.enum(DEVICE_CLASSES, { error: (iss) => m.errors.badDevice(String(iss.input)) }).default('corporate'),
    data: oneOf(dataClasses, m.errors.badData).optional(),
    purpose: oneOf(purposes, m.errors.badPurpose),
    days: z
      .string()
      .regex(/^\d+$/, { error: (iss) => m.errors.badDays(String(iss.input)) })
      .transform(Number)
      .pipe(z.number().int().min(1, { error: () => m.errors.badDays('0') }).max(3650, { error: (iss) => m.errors.badDays(String(iss.input)) })),
    reason: z
      .string()
      .trim()
      .min(1, { error: () => m.errors.missingReason })
      .max(MAX_REASON_LENGTH, { error: (iss) => m.errors.reasonTooLong(String(iss.input).length, MAX_REASON_LENGTH) }),
    statement: z.enum(ATTESTATION_STATEMENTS, { error: (iss) => m.errors.badStatement(String(iss.input)) }).default('removed'),
    format: z.enum(['text', 'csv'], { error: (iss) => m.errors.badFormat(String(iss.input)) }).default('text'),
  };
}

/** Validate; on failure every message, in order, joined (so a person fixes everything at once). */
export function validate<S extends z.ZodType>(schema: S, raw: unknown): Outcome<z.output<S>> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return ok(parsed.data);
  const first = parsed.error.issues[0];
  return refuse('invalid_input', first ? String(first.path[0] ?? '') : undefined, {
    messages: parsed.error.issues.map((i) => i.message),
  });
}
