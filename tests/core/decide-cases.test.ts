// Data-driven engine cases, Cerbos-style: each tests/core/cases/*.yaml names a policy (a pack under
// policies/ or an inline document), the stored requests, and cases of `input` + `now` → `want`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decide } from '../../src/core/decide.ts';
import { VERDICTS } from '../../src/core/decision.ts';
import { resolvePerson } from '../../src/core/org.ts';
import { DEVICE_CLASSES, validatePolicy, type Policy } from '../../src/core/policy-schema.ts';
import { formatIssues, parsePolicyText } from '../../src/core/policy-text.ts';
import { REQUEST_STATUSES, type ExceptionRequest } from '../../src/core/records.ts';

const CASES_DIR = fileURLToPath(new URL('./cases/', import.meta.url));
const POLICIES_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

const instant = z.iso.datetime({ offset: true });
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

/** A stored request as the Store holds it; `unit` and `reason` default, since the engine does not read them. */
const requestSchema = z.strictObject({
  id: z.string().min(1),
  person: z.string().min(1),
  unit: z.string().default(''),
  app: z.string().min(1),
  rules: z.array(z.string()).min(1),
  device: z.enum(DEVICE_CLASSES),
  purpose: z.string().min(1),
  days: z.number().int().positive(),
  reason: z.string().default('case fixture'),
  status: z.enum(REQUEST_STATUSES),
  requestedAt: instant,
  decidedBy: z.string().optional(),
  decidedAt: instant.optional(),
  expiresAt: instant.optional(),
  conditions: z.string().optional(),
});

const wantSchema = z.strictObject({
  verdict: z.enum(VERDICTS),
  basis: z.enum(['rule', 'exception', 'no-match', 'unknown-app']).optional(),
  /** Ids of every matched rule, in the Decision's order (prohibitions first). */
  rules: z.array(z.string()).optional(),
  /** The deadline's local date, or null for "no deadline". */
  deadline: date.nullable().optional(),
  deadlineAt: instant.optional(),
  deadlinePassed: z.boolean().optional(),
  exceptionPossible: z.boolean().optional(),
  exceptionWhy: z.enum(['not-prohibited', 'rule-allows-none', 'purpose-not-allowed', 'no-common-purpose']).optional(),
  purposes: z.array(z.string()).optional(),
  maxDays: z.number().int().optional(),
  /** The id of the person's own request shown in the Decision, or null for none. */
  request: z.string().nullable().optional(),
  posture: z.enum(['allow', 'review']).optional(),
  suggestions: z.array(z.string()).optional(),
  unit: z.string().optional(),
});

const caseFileSchema = z.strictObject({
  description: z.string().min(1),
  policy: z.union([z.string().regex(/^[\w.-]+\.(ya?ml|json)$/, 'a file name under policies/'), z.record(z.string(), z.unknown())]),
  state: z.strictObject({ requests: z.array(requestSchema).default([]) }).default({ requests: [] }),
  cases: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        input: z.strictObject({
          app: z.string(),
          person: z.string().min(1),
          device: z.enum(DEVICE_CLASSES),
          data: z.string().optional(),
          purpose: z.string().optional(),
        }),
        now: instant,
        want: wantSchema,
      }),
    )
    .min(1),
});
type CaseFile = z.infer<typeof caseFileSchema>;

function loadCaseFile(file: string): CaseFile {
  const parsed = caseFileSchema.safeParse(parse(readFileSync(join(CASES_DIR, file), 'utf8')));
  if (!parsed.success) throw new Error(`${file}: not a valid case file\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function loadPolicy(ref: CaseFile['policy']): Policy {
  const result = typeof ref === 'string' ? parsePolicyText(readFileSync(join(POLICIES_DIR, ref), 'utf8')) : validatePolicy(ref);
  if (!result.ok) throw new Error(`policy does not validate:\n${formatIssues(result.issues)}`);
  return result.value;
}

const files = readdirSync(CASES_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

it('finds the case files', () => {
  expect(files.length).toBeGreaterThan(0);
});

describe.each(files)('%s', (file) => {
  const suite = loadCaseFile(file);
  const policy = loadPolicy(suite.policy);
  const requests: ExceptionRequest[] = suite.state.requests;

  it.each(suite.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    // The state decide gets is the asking person's own requests, as Store.listByPerson returns them.
    const person = resolvePerson(policy, c.input.person);
    const own = requests.filter((r) => r.person === person.id);
    const d = decide({ ...c.input, at: c.now }, policy, { requests: own });
    const { want } = c;

    const got: Record<string, unknown> = { verdict: d.verdict };
    if (want.basis !== undefined) got.basis = d.basis;
    if (want.rules !== undefined) got.rules = d.rules.map((r) => r.id);
    if (want.deadline !== undefined) got.deadline = d.deadline?.date ?? null;
    if (want.deadlineAt !== undefined) got.deadlineAt = d.deadline?.at;
    if (want.deadlinePassed !== undefined) got.deadlinePassed = d.deadline?.passed;
    if (want.exceptionPossible !== undefined) got.exceptionPossible = d.exception.possible;
    if (want.exceptionWhy !== undefined) got.exceptionWhy = d.exception.possible ? undefined : d.exception.why;
    if (want.purposes !== undefined) got.purposes = d.exception.possible ? d.exception.purposes : [];
    if (want.maxDays !== undefined) got.maxDays = d.exception.possible ? d.exception.maxDays : undefined;
    if (want.request !== undefined) got.request = d.request?.id ?? null;
    if (want.posture !== undefined) got.posture = d.unknown?.posture;
    if (want.suggestions !== undefined) got.suggestions = d.unknown?.suggestions;
    if (want.unit !== undefined) got.unit = d.query.unit;
    expect(got).toEqual(want);
  });
});
