import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parsePolicyText } from './core/policy-text.ts';
import type { Policy } from './core/policy.ts';
import type { Result } from './core/result.ts';

/** The pack used when no POLICY_FILE is given and there is no ./policy.yaml. */
export const DEMO_POLICY_FILE = fileURLToPath(new URL('../policies/demo.yaml', import.meta.url));

export async function loadPolicyFile(file: string): Promise<Result<Policy>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return { ok: false, code: 'policy.unreadable', issues: [{ path: file, code: 'unreadable', message: `cannot read the policy file: ${reason}` }] };
  }
  return parsePolicyText(text);
}
