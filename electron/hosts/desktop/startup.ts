/**
 * Opening the project database at start-up, without `electron` (so it is tested in plain Node):
 * a database that cannot be opened (damaged, newer, held elsewhere) is answered with the recovery
 * dialog and opened again after the chosen file moves, never with a silent exit.
 */
import { applyRecovery, planRecovery, type RecoveryPlan } from '../../app/db/recovery.js';

/** What `openWithRecovery` needs from its host: the opener and the dialogs. */
export interface RecoveryHost<S> {
  /** Opens the services on the database (throws when it cannot). */
  open(): S;
  /** Shows the recovery dialog; returns the index of the button chosen. */
  ask(plan: RecoveryPlan): number;
  /** Shows an error that ends the start-up. */
  fail(title: string, message: string): void;
}

/** Options of the recovery message box (`dialog.showMessageBoxSync`) for `plan`. */
export function recoveryDialog(plan: RecoveryPlan) {
  return {
    type: 'error' as const,
    title: 'Accord',
    message: plan.message,
    detail: plan.detail,
    buttons: plan.choices.map((c) => c.label),
    defaultId: 0,
    cancelId: plan.choices.length - 1,
    noLink: true,
  };
}

/** Opens the services on `dbPath`, through the recovery dialog when needed; undefined when the user quits or recovery fails. */
export function openWithRecovery<S>(dbPath: string, host: RecoveryHost<S>): S | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return host.open();
    } catch (err) {
      const plan = planRecovery(err, dbPath);
      const action = plan.choices[host.ask(plan)]?.action ?? { kind: 'quit' };
      if (action.kind === 'quit') return undefined;
      try {
        applyRecovery(action, dbPath);
      } catch (moveErr) {
        host.fail('Accord cannot recover its project database', (moveErr as Error).message);
        return undefined;
      }
    }
  }
  host.fail('Accord cannot open its project database', `${dbPath}: still failing after recovery`);
  return undefined;
}
