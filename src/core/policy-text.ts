import { parseDocument } from 'yaml';
import { validatePolicy, type Policy } from './policy.ts';
import type { Result } from './result.ts';

/** Parse a policy document (YAML, of which JSON is a subset) and validate it. Every problem, by path. */
export function parsePolicyText(text: string): Result<Policy> {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      code: 'policy.unreadable',
      issues: doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '',
        code: e.code.toLowerCase(),
        message: e.message.split('\n')[0] ?? e.message,
      })),
    };
  }
  return validatePolicy(doc.toJS());
}

/** One line per problem, as zod's prettifyError writes them: `✖ message → at rules[2].deadline`. */
export function formatIssues(issues: readonly { path: string; message: string }[]): string {
  return issues.map((i) => `✖ ${i.message}${i.path ? ` → at ${i.path}` : ''}`).join('\n');
}
