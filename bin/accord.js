#!/usr/bin/env node
// Thin launcher: the CLI is compiled by `npm run build` (run by `prepare` on `npm ci`). On Linux,
// `align` and `batch` run in a child process with huge-page allocations (hosts/cli/relaunch.ts).
import { fileURLToPath } from 'node:url';
import { followLauncher, relaunch, relaunchEnv } from '../dist/node/electron/hosts/cli/relaunch.js';

const args = process.argv.slice(2);
const env = relaunchEnv(args, process.env, process.platform);
const fail = (err) => {
  process.stderr.write(`accord: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
};
if (env) {
  relaunch(fileURLToPath(import.meta.url), args, env).then((code) => {
    process.exitCode = code;
  }, fail);
} else {
  followLauncher();
  import('../dist/node/electron/hosts/cli/main.js')
    .then(({ main }) => main(args))
    .then((code) => {
      process.exitCode = code;
    }, fail);
}
