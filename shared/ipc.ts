/**
 * The one typed contract between the main side (Electron main process, or the local test
 * bridge) and the renderer, imported from here; its parts live in `shared/ipc/` by role:
 * `errors` (the error shape that crosses the boundary), `types` (what the channels carry),
 * `menu` (menu commands and shortcuts), `contract` (invoke channels, events, `window.accord`),
 * `checks` and `validate` (the argument validators). Pure TypeScript: no Node, no DOM.
 */
export * from './ipc/errors.js';
export * from './ipc/types.js';
export * from './ipc/menu.js';
export * from './ipc/contract.js';
export {
  checkEnum,
  checkExistingFile,
  checkId,
  checkInt,
  checkNumber,
  checkText,
  checkWritablePath,
  isAbsolutePath,
  type ValidationEnv,
} from './ipc/checks.js';
export * from './ipc/validate.js';
