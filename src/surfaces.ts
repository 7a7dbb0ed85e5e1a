import type { AppWarden } from './app.ts';
import type { Config } from './config.ts';
import type { Surface } from './http-app.ts';

/** The chat surfaces the configuration turns on. */
export async function surfacesFor(_config: Config, _bot: AppWarden, _log: (line: string) => void): Promise<Surface[]> {
  return [];
}
