import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 14, item 2: each domain rule has one function in src/core, and commands/ only calls it. These are
 * the shapes the old copies had; a command that grows one again fails here, naming the function to call.
 */
const RULES: { what: string; pattern: RegExp; use: string }[] = [
  {
    what: 'expiry judged by hand',
    pattern: /\bisExpired\s*\(|expiredBy\s*\(|Date\.parse\([^)]*expiresAt/,
    use: 'effectiveStatus / isActiveException (src/core/request-status.ts)',
  },
  {
    what: 'an "approved and not expired" test',
    pattern: /status\s*===\s*'approved'\s*&&\s*!/,
    use: 'isActiveException (src/core/request-status.ts)',
  },
  {
    what: 'the subjects of a rule worked out by unit',
    pattern: /\bpeopleWithin\s*\(|isWithinUnit\([^)]*rule\.unit\)/,
    use: 'subjectsOf / complianceOf (src/core/compliance.ts)',
  },
  {
    what: 'a rule’s named approvers read directly',
    pattern: /exceptions\.approvers|\.approvers\s*\?\?/,
    use: 'mayDecide / approversOf / isNamedApprover (src/core/exceptions.ts)',
  },
  {
    what: 'the accounts a ban covers, unfiltered by effect',
    pattern: /\baccountsBoundBy\s*\(/,
    use: 'accountsCoveredBy (src/core/accounts.ts)',
  },
];

/** Known copies still to move, each with the reason it is not moved yet; remove a line when it is. */
const NOT_YET: Record<string, string[]> = {};

const dir = join(import.meta.dirname, '../../commands');
const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));

describe('commands hold no domain rule (issue 14, item 2)', () => {
  it('scans every command module', () => expect(files.length).toBeGreaterThan(10));
  it.each(files)('commands/%s has none of the old copies', (file) => {
    const source = readFileSync(join(dir, file), 'utf8');
    const found = RULES.filter((r) => r.pattern.test(source) && !(NOT_YET[`commands/${file}`] ?? []).includes(r.what)).map(
      (r) => `${r.what}: use ${r.use}`,
    );
    expect(found).toEqual([]);
  });
  it('each known copy still to move is still there (else remove it from NOT_YET)', () => {
    for (const [path, whats] of Object.entries(NOT_YET)) {
      const source = readFileSync(join(dir, '..', path), 'utf8');
      for (const what of whats) expect(RULES.find((r) => r.what === what)!.pattern.test(source), `${path}: ${what}`).toBe(true);
    }
  });
});
