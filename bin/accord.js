#!/usr/bin/env node
// Thin launcher: the CLI is compiled by `npm run build` (run by `prepare` on `npm ci`).
import { main } from '../dist/node/electron/hosts/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`accord: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
