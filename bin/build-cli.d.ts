// Types for the TypeScript that imports bin/build-cli.js (src/cli-snapshot.ts).
/** The entry module of the current build of the CLI, or undefined when there is none or a source changed since. */
export function freshBuild(root?: string): string | undefined;
