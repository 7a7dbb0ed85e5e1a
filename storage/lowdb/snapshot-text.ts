/**
 * The text of a snapshot exactly as lowdb's JSONFile writes it, `JSON.stringify(value, null, 2)`, but
 * as a sequence of pieces — one per record — so that a writer can stop between any two and let the
 * event loop run. `levels` is how deep to go before a value is written in one piece: 3 for a
 * snapshot (the top object, `collections`, each collection's array; then one record per piece).
 */
export function* prettyJsonPieces(value: unknown, levels: number, indent = ''): Generator<string> {
  if (levels === 0 || typeof value !== 'object' || value === null || 'toJSON' in value) {
    // A string holds no raw newline (JSON escapes it), so every newline here is layout to indent.
    yield (JSON.stringify(value, null, 2) ?? 'null').replaceAll('\n', `\n${indent}`);
    return;
  }
  const inner = `${indent}  `;
  let count = 0;
  if (Array.isArray(value)) {
    yield '[';
    for (const item of value as unknown[]) {
      yield `${count++ === 0 ? '' : ','}\n${inner}`;
      yield* prettyJsonPieces(item === undefined || typeof item === 'function' ? null : item, levels - 1, inner);
    }
    yield count === 0 ? ']' : `\n${indent}]`;
    return;
  }
  yield '{';
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined || typeof member === 'function') continue; // as JSON.stringify leaves them out
    yield `${count++ === 0 ? '' : ','}\n${inner}${JSON.stringify(key)}: `;
    yield* prettyJsonPieces(member, levels - 1, inner);
  }
  yield count === 0 ? '}' : `\n${indent}}`;
}
