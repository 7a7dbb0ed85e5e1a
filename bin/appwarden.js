#!/usr/bin/env node
// Runs the TypeScript sources directly: no build step between a clone and a working CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
