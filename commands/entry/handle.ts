import type { SourceSnapshot } from '../../src/core/directory.ts';
import { DEVICE_CLASSES, type DeviceClass } from '../../src/core/policy.ts';
import { syncDirectory } from '../directory/sync.ts';
import { syncInventory } from '../inventory/sync.ts';
import type { InventorySnapshot } from '../../src/core/inventory.ts';
import { homeView } from '../requests/home.ts';
import { attestFromReminder } from '../compliance/attest.ts';
import { CENSUS_USE_SLOTS, censusForm, submitCensusAnswer, type RawUse } from '../survey/census.ts';
import { AppWardenError } from '../../src/core/result.ts';
import { isSystem, type Address, type CommandContext, type CommandResult } from '../shared/context.ts';
import { runTick, type TickDone, type TickJob } from '../reminders/tick.ts';
import { applyTransition } from '../requests/decide-request.ts';
import { censusFormView, denyFormView, requestFormView, type FormView } from '../shared/form.ts';
import { commandNameOf, runCommand } from './run-command.ts';
import { fileRequest, requestForm, type RequestForm } from '../requests/request.ts';
import { requestFormAgain } from '../requests/request-form-answer.ts';
import { denyForm, requestCardView } from '../requests/request-view.ts';
import { refusal, refused } from '../shared/refusals.ts';
import { reply } from '../shared/reply.ts';
import { asUnitOfWork } from '../shared/commit.ts';
import { tokenize } from './tokenize.ts';
import { searchAudit, verifyAuditChain, type AuditQuery } from '../admin/audit.ts';

export type { AuditFound, AuditQuery } from '../admin/audit.ts';
/** What the audit page shows: entries, and a verification's outcome. */
export type { AuditEntry, AuditVerification } from '../../src/core/store.ts';

/** What renderers of the forms need: the request form's contents and how many uses a census form offers. */
export type { FormField, FormView } from '../shared/form.ts';
export type { RequestForm } from '../requests/request.ts';
/** What a directory sync did; what a source read gives. */
export type { DirectorySyncDone } from '../directory/sync.ts';
export type { SourcePerson, SourceSnapshot } from '../../src/core/directory.ts';
/** What an inventory sync did. */
export type { InventorySyncDone } from '../inventory/sync.ts';
/** What a tick did, and which jobs there are. */
export type { TickDone, TickJob } from '../reminders/tick.ts';

/** The buttons the command layer puts on its replies, by the `actionId` a click comes back with. */
export const BUTTON_ACTIONS = [
  'request.approve',
  'request.deny',
  'request.open',
  'attest.removed',
  'attest.removed-work-apps',
  'census.open',
] as const;
export type ButtonAction = (typeof BUTTON_ACTIONS)[number];
export const isButtonAction = (id: string): id is ButtonAction => (BUTTON_ACTIONS as readonly string[]).includes(id);

export type FormName = 'request' | 'deny' | 'census';
export type FormValues = Record<string, string | string[] | undefined>;

/**
 * Everything a person can do on any surface, as the surface received it: typed text, a click on one
 * of our buttons (`value` as the button carried it; `values`: inputs sent with the click), a form sent,
 * a shared message looked at; and what the clock does (a scheduler tick, as the system).
 */
export type Interaction =
  /** `forms`: the surface can open a form now, so `request <app>` alone opens one instead of refusing. */
  | { kind: 'text'; text: string; forms?: boolean }
  | { kind: 'button'; action: ButtonAction; value: string; values?: FormValues }
  /** `meta`: what the form was opened about (`app`; the request `id`; `census` and `unit`). */
  | { kind: 'form'; form: FormName; values: FormValues; meta: Record<string, string | undefined> }
  /** A shared message as the asker should see it now: a request's approvals card (Teams refreshes it per viewer). */
  | { kind: 'view'; view: 'request-card'; id: string }
  /** A person's own page (Slack's Home tab): their requests, their deadlines, and what waits for them. */
  | { kind: 'view'; view: 'home' }
  /** One job of a scheduler tick at `at`, asked by the system; `audience`: platform ids the platforms say must comply. */
  | { kind: 'tick'; job: TickJob; at: Date; audience?: readonly string[] }
  /** What the identity sources said, read by the wiring at `at`: applied as one sync, by the system. */
  | { kind: 'directory'; snapshots: readonly SourceSnapshot[]; at: Date }
  /** What the MDMs reported, read by the wiring at `at`: applied as one sync, by the system. */
  | { kind: 'inventory'; snapshots: readonly InventorySnapshot[]; at: Date }
  /** The audit record searched (admins), or its whole chain verified as `appwarden audit verify` does. */
  | { kind: 'audit'; query: AuditQuery }
  | { kind: 'audit-verify' };

/** A form to show, as the command layer describes it; each surface renders it (Slack: a modal; Teams: a card). */
export type Form =
  /** `request`: what the form is about (its app, and every purpose a surface that cannot list them all must name). */
  | { form: 'request'; request: RequestForm; view: FormView }
  | { form: 'deny'; id: string; view: FormView }
  /** `errors`: each field's problem after a submission (`use1_personal` → message). */
  /** `view`: the fields, each with its problem after a submission. */
  | { form: 'census'; census: string; unit: string; view: FormView };

/** A shared message as one viewer sees it (the reply), and who may still act on it: where to reach them. */
export interface View {
  view: 'request-card';
  id: string;
  deciders: Address[];
}

/** One neutral result: the answer, the effects, and a form to show when the interaction opens one. */
export interface Result extends CommandResult {
  form?: Form;
  /** For a view: what the reply shows. */
  view?: View;
  /** For a tick: what it did, as data. */
  tick?: TickDone;
}

/** The one way into the command layer, from every surface: each interaction is one unit of work (asUnitOfWork). */
export const handle = (interaction: Interaction, ctx: CommandContext): Promise<Result> => {
  // A tick's jobs are units of work of their own (each reads what is recorded and records what is due).
  // Reading the audit record changes nothing and may take long: no unit of work holds it.
  const alone = interaction.kind === 'tick' || interaction.kind === 'audit' || interaction.kind === 'audit-verify';
  const work = () => (alone ? handleIn(interaction, ctx) : asUnitOfWork(ctx, (unit) => handleIn(interaction, unit)));
  return ctx.observe ? ctx.observe(interactionName(interaction), work) : work();
};

const FORM_NAMES: readonly string[] = ['request', 'deny', 'census'] satisfies FormName[];
const known = (name: string, names: readonly string[]) => (names.includes(name) ? name : 'unknown');

/**
 * What an interaction is, for counting: a command's name, `button:<action>`, `form:<form>`,
 * `view:<view>`, `tick:<job>`, `sync:<what>`. A bounded set: never anything someone typed.
 */
export function interactionName(interaction: Interaction): string {
  switch (interaction.kind) {
    case 'text':
      return interaction.forms && bareRequestApp(interaction.text) !== undefined ? 'request' : commandNameOf(interaction.text);
    case 'button':
      return `button:${known(interaction.action, BUTTON_ACTIONS)}`;
    case 'form':
      return `form:${known(interaction.form, FORM_NAMES)}`;
    case 'view':
      return `view:${interaction.view === 'home' ? 'home' : 'request-card'}`;
    case 'tick':
      return `tick:${interaction.job}`;
    case 'directory':
    case 'inventory':
      return `sync:${interaction.kind}`;
    case 'audit':
      return 'audit:search';
    case 'audit-verify':
      return 'audit:verify';
  }
}

async function handleIn(interaction: Interaction, ctx: CommandContext): Promise<Result> {
  switch (interaction.kind) {
    case 'text': {
      const bare = interaction.forms ? bareRequestApp(interaction.text) : undefined;
      return bare === undefined ? runCommand(interaction.text, ctx) : openRequest(bare, 'corporate', ctx);
    }
    case 'button':
      return click(interaction.action, interaction.value, interaction.values ?? {}, ctx);
    case 'form':
      return submit(interaction.form, interaction.values, interaction.meta, ctx);
    case 'view':
      return interaction.view === 'home' ? { ok: true, reply: homeView(ctx), effects: [] } : requestCardOf(interaction.id, ctx);
    case 'tick':
      // Only the wiring builds a tick, with the system's context: anything else is a fault, not a refusal.
      if (!isSystem(ctx.person)) throw new AppWardenError('entry.tick_not_system', `a ${interaction.job} tick asked by ${ctx.person.id}`);
      return runTick(interaction.job, interaction.at, interaction.audience ?? [], ctx);
    case 'directory':
      if (!isSystem(ctx.person)) throw new AppWardenError('entry.sync_not_system', `a directory sync asked by ${ctx.person.id}`);
      return syncDirectory(interaction.snapshots, interaction.at, ctx);
    case 'inventory':
      if (!isSystem(ctx.person)) throw new AppWardenError('entry.sync_not_system', `an inventory sync asked by ${ctx.person.id}`);
      return syncInventory(interaction.snapshots, interaction.at, ctx);
    case 'audit':
      return searchAudit(interaction.query, ctx);
    case 'audit-verify':
      return verifyAuditChain(ctx);
  }
}

/** A request's approvals card as the asker should see it: Approve / Deny only while they may still decide. */
function requestCardOf(id: string, ctx: CommandContext): Result {
  const card = requestCardView(id, ctx);
  if (!card) return refusal({ code: 'unknown_request' }, ctx.m, { command: 'view', id });
  return { ok: true, reply: card.reply, effects: [], view: { view: 'request-card', id, deciders: card.deciders } };
}

/** `request <app>` with nothing else: the app's words, for opening the form; undefined for any other text. */
export function bareRequestApp(text: string): string | undefined {
  const words = tokenize(text);
  if (!words.ok) return undefined;
  const [first, ...rest] = words.value;
  if (first?.toLowerCase() !== 'request' || !rest.length || rest.some((w) => w.startsWith('--'))) return undefined;
  return rest.join(' ');
}

async function click(action: ButtonAction, value: string, values: FormValues, ctx: CommandContext): Promise<Result> {
  switch (action) {
    case 'request.approve':
      return applyTransition('approve', value, one(values.reason), ctx);
    case 'request.deny': {
      const form = denyForm(value, ctx);
      return form.ok ? opened({ form: 'deny', id: value, view: denyFormView(form.intro, form.reasonRequired, ctx.m) }) : form.refusal;
    }
    case 'request.open': {
      const { app, device } = parsed(value) as { app?: string; device?: DeviceClass };
      return openRequest(app ?? '', DEVICE_CLASSES.includes(device!) ? device! : 'corporate', ctx);
    }
    case 'attest.removed':
    case 'attest.removed-work-apps':
      return attestFromReminder(value, action === 'attest.removed' ? 'removed' : 'removed-work-apps', ctx);
    case 'census.open': {
      const { census, unit } = parsed(value) as { census?: string; unit?: string };
      return openCensus(census ?? '', unit, ctx);
    }
  }
}

async function submit(form: FormName, values: FormValues, meta: Record<string, string | undefined>, ctx: CommandContext): Promise<Result> {
  switch (form) {
    case 'request': {
      const raw = {
        app: meta.app ?? '',
        purpose: one(values.purpose),
        device: one(values.device),
        days: one(values.days),
        reason: one(values.reason),
      };
      // Refused on a field: every field's problem at once, and the form again to fix them on.
      const result = await fileRequest(raw, ctx);
      return result.ok ? result : requestFormAgain(result, raw, ctx);
    }
    case 'deny':
      return applyTransition('deny', meta.id ?? '', one(values.reason), ctx);
    case 'census': {
      const open = censusForm(meta.census ?? '', meta.unit, ctx);
      if (!open.ok) return notFound(open.text);
      const result = await submitCensusAnswer(open.census.id, open.unit, censusAnswers(values), ctx);
      if (result.ok || !result.fields) return result;
      return {
        ...result,
        form: {
          form: 'census',
          census: open.census.id,
          unit: open.unit,
          view: censusFormView(open.intro, open.app, ctx.m, open.previous, result.fields),
        },
      };
    }
  }
}

function openRequest(appText: string, device: DeviceClass, ctx: CommandContext): Result {
  const form = requestForm(appText, device, ctx);
  return form.ok ? opened({ form: 'request', request: form.form, view: requestFormView(form.form, ctx.m) }) : form.result;
}

function openCensus(id: string, unit: string | undefined, ctx: CommandContext): Result {
  const form = censusForm(id, unit, ctx);
  if (!form.ok) return notFound(form.text);
  return opened({
    form: 'census',
    census: form.census.id,
    unit: form.unit,
    view: censusFormView(form.intro, form.app, ctx.m, form.previous),
  });
}

/** The flat field values a census form sends (`uses_app`, `use1_purpose`, …) as raw answers. */
function censusAnswers(values: FormValues): { usesApp?: string; uses: RawUse[] } {
  const uses = Array.from({ length: CENSUS_USE_SLOTS }, (_, i) => {
    const n = i + 1;
    return {
      purpose: one(values[`use${n}_purpose`]),
      personalData: one(values[`use${n}_personal`]),
      people: one(values[`use${n}_people`]),
      account: one(values[`use${n}_account`]),
    };
  });
  return { usesApp: one(values.uses_app), uses };
}

const opened = (form: Form): Result => ({ ok: true, reply: reply('info', []), effects: [], form });
const notFound = (text: string): Result => refused('unknown_census', text);
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
/** A button's value as our replies wrote it (JSON); anything else is a fault, as a crafted click is. */
function parsed(value: string): Record<string, unknown> {
  const v: unknown = JSON.parse(value);
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}
