import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO_ROOT = dirname(BENCH_DIR);

/** The q-quantile (0..1) of ascending values, nearest rank; NaN when there are none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: quantile(sorted, 1) };
}

/** What a figure was measured on: it means little without it. */
export async function machine() {
  const model = /model name\s*:\s*(.+)/.exec(await readFile('/proc/cpuinfo', 'utf8').catch(() => ''))?.[1];
  return { cpus: cpus().length, cpu: model ?? cpus()[0]?.model ?? '?', node: process.version, platform: process.platform };
}

/** Prints rows as an aligned table: text columns left, numbers right. */
export function printTable(header: string[], rows: (string | number)[][]): void {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.every((row) => typeof row[i] === 'number'));
  const line = (c: string[]) => c.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en');
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2);
}

/** bench/results/<name>.json: the figures with the machine they were measured on. */
export async function writeResult(name: string, figures: unknown): Promise<string> {
  const path = join(BENCH_DIR, 'results', `${name}.json`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(
    path,
    `${JSON.stringify({ bench: name, at: new Date().toISOString(), machine: await machine(), ...(figures as object) }, null, 2)}\n`,
  );
  console.log(`\n→ ${path}`);
  return path;
}

/** A target met or missed, for the tables. */
export const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
