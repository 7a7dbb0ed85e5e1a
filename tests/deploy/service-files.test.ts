import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.ts';

const unit = readFileSync(join(ROOT, 'deploy/appwarden.service'), 'utf8');
const containerfile = readFileSync(join(ROOT, 'deploy/Containerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const setting = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]);
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';

describe('deploy/appwarden.service', () => {
  it.skipIf(!existsSync(SYSTEMD_ANALYZE))('passes systemd-analyze verify without a warning', () => {
    const run = spawnSync(SYSTEMD_ANALYZE, ['verify', join(ROOT, 'deploy/appwarden.service')], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    // It exits 0 on a setting it ignores, and says so on stderr: a clean unit says nothing.
    expect(`${run.stdout}${run.stderr}`.trim()).toBe('');
  });

  it('runs the built server as npm start does (so SIGTERM and SIGHUP reach it), as a dedicated user, DATA_DIR under /var/lib', () => {
    const start = pkg.scripts.start!.replace(/^node /, '/usr/bin/node ');
    expect(setting('ExecStart')).toEqual([start]);
    expect(setting('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    expect(setting('User')).toEqual(['appwarden']);
    expect(setting('Environment')).toContain('DATA_DIR=/var/lib/appwarden');
    expect(setting('StateDirectory')).toEqual(['appwarden']);
    expect(setting('Restart')).toEqual(['on-failure']);
    expect(setting('KillSignal')).toEqual(['SIGTERM']);
  });
});

describe('deploy/Containerfile', () => {
  it("builds with the README's own install command and runs what npm start runs, as a non-root user", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('npm install && npm start');
    expect(containerfile).toMatch(/^RUN npm install --no-audit --no-fund && npm run build --silent/m);
    const [, ...start] = pkg.scripts.start!.split(' ');
    expect(containerfile).toContain(`CMD ${JSON.stringify(['node', ...start])}`.replaceAll(',', ', '));
    expect(containerfile).toMatch(/^USER node$/m);
    expect(containerfile).toMatch(/^VOLUME \/var\/lib\/appwarden$/m);
  });

  it.skipIf(spawnSync('docker', ['info'], { encoding: 'utf8' }).status !== 0)('builds with docker where a daemon runs', () => {
    execFileSync('docker', ['build', '-q', '-f', 'deploy/Containerfile', '-t', 'appwarden-test', '.'], { cwd: ROOT, stdio: 'pipe' });
  });
});
