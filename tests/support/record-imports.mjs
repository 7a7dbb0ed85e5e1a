// `node --import <this file>` with RECORD_IMPORTS_TO=<file>: every module the process imports, one
// resolved URL a line, appended as Node resolves it (a module hook: it sees what is loaded, not what
// the code might load). Plain JavaScript, so it runs before any TypeScript loader.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

let file;

export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}

// The hooks run on a thread of their own, where this module is loaded again: register once, from the main thread.
if (isMainThread && process.env.RECORD_IMPORTS_TO) register(import.meta.url, { data: { file: process.env.RECORD_IMPORTS_TO } });
