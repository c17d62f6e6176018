/**
 * Runs the local bridge by hand: `node dist/node/electron/hosts/bridge/cli.js [--db file] [--renderer dir] [--port n]`.
 * Prints the URL (with its token) to open in a browser; Ctrl-C stops it.
 */
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { startBridge } from './server.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: join(homedir(), '.accord-bridge.db') },
    renderer: { type: 'string', default: 'renderer/dist' },
    port: { type: 'string', default: '0' },
    'model-dir': { type: 'string' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: expected an integer 0..65535, got ${values.port}`);
  process.exit(2);
}
const bridge = await startBridge({
  dbPath: resolve(values.db),
  rendererDir: resolve(values.renderer),
  port,
  modelDir: values['model-dir'] ? resolve(values['model-dir']) : undefined,
});
console.log(`Accord bridge: ${bridge.url}`);
console.log(`database: ${resolve(values.db)}`);
const stop = (): void => {
  void bridge.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
