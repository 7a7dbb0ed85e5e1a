/** Rows read from appwarden_audit per query, so that a long log never sits in memory at once. */
const PAGE_ROWS = 5_000;

/** Runs one query and answers its rows; the caller decides how its errors are classed. */
export type RowQuery = (text: string, params: unknown[]) => Promise<unknown[]>;

/** The audit rows after seq `after`, in seq order, a page at a time. */
export async function* auditRows(query: RowQuery, after: number): AsyncIterable<{ seq: number; line: string }> {
  for (;;) {
    const rows = (await query('SELECT seq, line FROM appwarden_audit WHERE seq > $1 ORDER BY seq LIMIT $2', [after, PAGE_ROWS])) as {
      seq: string;
      line: string;
    }[];
    for (const row of rows) yield { seq: Number(row.seq), line: row.line };
    if (rows.length < PAGE_ROWS) return;
    after = Number(rows.at(-1)!.seq);
  }
}
