/** Expected refusals are values, not exceptions (STYLE.md point 3). */
export interface Issue {
  /** Where the problem is: `rules[2].deadline`, `--days`, `purpose`. Empty for the whole input. */
  path: string;
  /** Stable machine code, e.g. `not_a_date`, `not_an_approver`. */
  code: string;
  /** Human text, already in the person's language. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; code: string; issues: Issue[] };

/** One line per problem, as zod's prettifyError writes them: `✖ message → at rules[2].deadline`. */
export function formatIssues(issues: readonly { path: string; message: string }[]): string {
  return issues.map((i) => `✖ ${i.message}${i.path ? ` → at ${i.path}` : ''}`).join('\n');
}

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

/** A fault: something that should not happen. Carries a stable `area.snake_case` code. */
export class AppWardenError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppWardenError';
  }
}

/**
 * A domain refusal from the core: a stable code plus the data a message needs. The command layer
 * words it in the person's language; the core knows no language.
 */
export interface Refusal {
  ok: false;
  code: string;
  /** The input it is about: `app`, `days`, `reason`, … */
  path?: string;
  data?: Record<string, unknown>;
}

export type Outcome<T> = { ok: true; value: T } | Refusal;

export const refuse = (code: string, path?: string, data?: Record<string, unknown>): Refusal => ({
  ok: false,
  code,
  ...(path ? { path } : {}),
  ...(data ? { data } : {}),
});
