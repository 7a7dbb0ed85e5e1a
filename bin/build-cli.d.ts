/** The checkout's root, with a trailing separator. */
export const ROOT: string;
/** The entry module of the current build of the CLI, or undefined when there is none or a source changed since. */
export function freshBuild(root?: string): string | undefined;
/** Builds the CLI (modules and start-up snapshot); the new build's entry module. */
export function buildCli(): Promise<string>;
/** An error in one line. */
export function firstLine(e: unknown): string;
