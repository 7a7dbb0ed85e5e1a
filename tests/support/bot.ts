import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createAppWarden, type AppWarden } from '../../src/app.ts';
import { parsePolicyText } from '../../src/core/policy-text.ts';
import type { Locale, Policy } from '../../src/core/policy.ts';
import type { Store } from '../../src/core/store.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { replyText } from '../../commands/shared/reply.ts';
import type { CommandResult } from '../../commands/shared/context.ts';

export const packPath = (name: string) => resolve(import.meta.dirname, '../../policies', name);

export function loadPack(name: string): Policy {
  const parsed = parsePolicyText(readFileSync(packPath(name), 'utf8'));
  if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.issues)}`);
  return parsed.value;
}

/** A clock the test moves by hand. */
export function testClock(iso: string) {
  let now = new Date(iso);
  return { now: () => now, set: (next: string) => void (now = new Date(next)) };
}

/**
 * A bot on a pack with a fresh store, and a `say(person, text)` that returns the result and its text;
 * `locale` makes the organisation speak another language than the pack's (a test of English wording on
 * the France pack, say).
 */
export function botOn(pack: string, at: string, store: Store = createMemoryStore(), locale?: Locale) {
  const clock = testClock(at);
  const policy = loadPack(pack);
  if (locale) policy.organization.locale = locale;
  const bot: AppWarden = createAppWarden({ policy, store, now: clock.now });
  const say = async (person: string, text: string) => {
    const result = await bot.run(text, person, 'test');
    return { ...result, text: replyText(result.reply) };
  };
  return { bot, clock, store, say };
}

export const textOf = (r: CommandResult) => replyText(r.reply);
