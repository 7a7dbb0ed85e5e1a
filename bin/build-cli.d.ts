/** The checkout's root, with a trailing separator. */
export const ROOT: string;
/** The entry module of the current build of the CLI, or undefined when there is none or a source changed since. */
export function freshBuild(root?: string): string | undefined;
/** Builds the CLI (modules and start-up snapshot); the new build's entry module. */
export function buildCli(): Promise<string>;
/** An error in one line. */
export function firstLine(e: unknown): string;
/** Makes the start-up snapshot of a build's directory for this Node; whether it could. */
export function makeSnapshot(dir: string): boolean;
/** Whether the build of `entry` has a snapshot for this Node, or has tried to make one. */
export function snapshotTried(entry: string): boolean;
/** This Node's identity as bin/appwarden compares it: the binary's size and mtime in seconds. */
export function nodeIdentity(file?: string): string;
