import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEMO_POLICY_FILE } from './policy-file.ts';

export interface Config {
  port: number;
  dataDir: string;
  policyFile: string;
  /** True when no POLICY_FILE was given and ./policy.yaml does not exist. */
  demoPolicy: boolean;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** The environment, read once at the entry point. Every problem is one plain line. */
export function readConfig(env: NodeJS.ProcessEnv, overrides: { policyFile?: string; dataDir?: string } = {}): ConfigResult {
  const problems: string[] = [];
  const portText = env.PORT ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) problems.push(`PORT must be a port number from 0 to 65535, not "${portText}"`);
  const given = overrides.policyFile ?? env.POLICY_FILE;
  const demoPolicy = !given && !existsSync('policy.yaml');
  const policyFile = given ? resolve(given) : demoPolicy ? DEMO_POLICY_FILE : resolve('policy.yaml');
  if (given && !existsSync(policyFile)) problems.push(`POLICY_FILE ${given}: no such file`);
  const dataDir = resolve(overrides.dataDir ?? env.DATA_DIR ?? './data');
  return problems.length ? { ok: false, problems } : { ok: true, config: { port, dataDir, policyFile, demoPolicy } };
}
