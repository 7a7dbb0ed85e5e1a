import { COLLECTION_NAMES, type CollectionName, type Collections } from '../src/core/records.ts';
import { canonicalJson } from './canonical-json.ts';
import type { CollectionArrays } from './record-index.ts';

type AnyRecord = Collections[CollectionName];

/**
 * The first difference between the records the log's replay gives (`expected`) and those a snapshot
 * claims (`claimed`), as `collection/id: what`, or undefined if they are the same. Order counts: `list`
 * answers in insertion order, so a snapshot with the same records in another order is another state.
 * A collection a snapshot leaves out is empty (as opening reads it).
 */
export function firstStateDifference(expected: CollectionArrays, claimed: Partial<CollectionArrays>): string | undefined {
  for (const name of COLLECTION_NAMES) {
    const want: AnyRecord[] = expected[name];
    const have: AnyRecord[] = claimed[name] ?? [];
    if (canonicalJson(want) === canonicalJson(have)) continue;
    return `${name}/${firstDifferingRecord(want, have)}`;
  }
  return undefined;
}

function firstDifferingRecord(want: AnyRecord[], have: AnyRecord[]): string {
  const wantIds = new Set(want.map((record) => record.id));
  const haveIds = new Set(have.map((record) => record.id));
  for (let i = 0; i < Math.max(want.length, have.length); i++) {
    const [a, b] = [want[i], have[i]];
    if (a && b && a.id === b.id) {
      if (canonicalJson(a) !== canonicalJson(b)) return `${a.id}: the snapshot's record differs from the log's`;
      continue;
    }
    if (a && !haveIds.has(a.id)) return `${a.id}: in the log, missing from the snapshot`;
    if (b && !wantIds.has(b.id)) return `${b.id}: in the snapshot, never committed to the log`;
    return `${(b ?? a)?.id}: out of place (records reordered or repeated)`;
  }
  return '?: differs'; // unreachable: the canonical texts differ, so some position does
}
