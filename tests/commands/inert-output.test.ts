import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { botOn, packPath } from '../support/bot.ts';
import { cli, tempDir } from '../support/cli.ts';

const FORMULA = '=HYPERLINK("http://evil","x")';

/** The CSV a report hands over, as rows: what a spreadsheet would open. */
const csvRows = (r: { reply: { blocks: { type: string; content?: string }[] } }) =>
  parse(r.reply.blocks.find((b) => b.type === 'file')!.content!, { columns: true }) as Record<string, string>[];
const isFormula = (cell: string) => /^[=+\-@\t\r]/.test(cell);

describe('CSV exports', () => {
  it('a reason typed as a formula comes out of report exceptions --format csv inert, as text, whole', async () => {
    const { say } = botOn('demo.yaml', '2026-11-22T09:00:00Z');
    expect((await say('pierre', `request instagram --purpose public-communications --reason '${FORMULA}'`)).text).toContain('EX-1');
    expect((await say('akiko', 'approve EX-1')).ok).toBe(true);
    expect((await say('akiko', 'revoke EX-1 --reason "+cmd|\' /C calc\'!A0"')).ok).toBe(true);
    const rows = csvRows(await say('akiko', 'report exceptions --format csv'));
    expect(rows[0]).toMatchObject({ id: 'EX-1', reason: `'${FORMULA}`, decision_reason: "'+cmd|' /C calc'!A0" });
    for (const row of rows) for (const cell of Object.values(row)) expect(isFormula(cell), cell).toBe(false);
  });

  it('census answers typed as formulas come out of report census --format csv inert', async () => {
    const { say } = botOn('demo.yaml', '2026-11-22T09:00:00Z');
    const started = await say('olivia', 'census start tiktok --due 2026-12-01 --units demo/it');
    expect(started.ok, started.text).toBe(true);
    const answered = await say('olivia', `census answer CN-1 --unit demo/it --use "@SUM(1+1)*cmd | yes | 3 | -2+3"`);
    expect(answered.ok, answered.text).toBe(true);
    const rows = csvRows(await say('olivia', 'report census CN-1 --format csv'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ purpose: "'@SUM(1+1)*cmd", people: '3' });
    for (const cell of Object.values(rows[0]!)) expect(isFormula(cell), cell).toBe(false);
  });
});

describe('the terminal', () => {
  it('prints an ANSI escape typed in a reason as inert characters, never as a command to the terminal', async () => {
    const data = await tempDir();
    const base = ['--policy', packPath('demo.yaml'), '--data', join(data, 'd')];
    const reason = 'ok\u001b[2J\u001b]0;pwned\u0007\u009b31m red\u202e';
    const filed = await cli([...base, '--as', 'pierre', 'request', 'instagram', '--purpose', 'public-communications', '--reason', reason]);
    expect(filed.code, filed.stderr).toBe(0);
    const report = await cli([...base, '--as', 'akiko', 'pending']);
    expect(report.stdout).toContain('Requests waiting for you');
    for (const out of [filed.stdout, filed.stderr, report.stdout, report.stderr])
      expect(out).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E]/);
    expect(report.stdout).toContain('␛[2J');
  });
});
