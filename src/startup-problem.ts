/**
 * A configuration the platform refused at start: said in one line, not a stack trace. On its own so
 * that a command can recognise one without loading the chat platforms' SDKs.
 */
export class StartupProblem extends Error {}
