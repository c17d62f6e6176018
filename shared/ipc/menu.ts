/** The app menu's commands (sent to the renderer as `menu:command`) and their keyboard shortcuts. */

/** Menu commands main sends to the renderer (`menu:command`). */
export const MENU_COMMANDS = [
  'file:new',
  'file:open',
  'file:export',
  'file:open-project-file',
  'file:save-project-file',
  'file:close',
  'view:score',
  'view:matrix',
  'view:pianoroll',
  'view:zoom-in',
  'view:zoom-out',
  'help:about',
] as const;
/** One of `MENU_COMMANDS`. */
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** A menu item's keyboard shortcut (Electron accelerator syntax) and what it does, in words. */
export interface MenuShortcut {
  command: MenuCommand;
  accelerator: string;
  /** The help overlay's description. */
  does: string;
}

/** The app menu's shortcuts: main builds the menu from this table and the help overlay lists it. */
export const MENU_SHORTCUTS: readonly MenuShortcut[] = [
  { command: 'file:new', accelerator: 'CmdOrCtrl+N', does: 'New project' },
  { command: 'file:open', accelerator: 'CmdOrCtrl+O', does: 'Back to the project list, to open one' },
  {
    command: 'file:export',
    accelerator: 'CmdOrCtrl+E',
    does: 'Export the alignment in the format last chosen',
  },
  {
    command: 'file:save-project-file',
    accelerator: 'CmdOrCtrl+S',
    does: 'Save the project to a .accord project file',
  },
  { command: 'file:close', accelerator: 'CmdOrCtrl+W', does: 'Close the project' },
  { command: 'view:score', accelerator: 'CmdOrCtrl+1', does: 'Sheet music view' },
  { command: 'view:pianoroll', accelerator: 'CmdOrCtrl+2', does: 'Piano roll view' },
  { command: 'view:matrix', accelerator: 'CmdOrCtrl+3', does: 'Matrix view, enlarged' },
  { command: 'view:zoom-in', accelerator: 'CmdOrCtrl+=', does: 'Zoom in' },
  { command: 'view:zoom-out', accelerator: 'CmdOrCtrl+-', does: 'Zoom out' },
];

/** The accelerator of menu command `command` (throws for a command without one). */
export function menuAccelerator(command: MenuCommand): string {
  const s = MENU_SHORTCUTS.find((m) => m.command === command);
  if (!s) throw new Error(`menuAccelerator: expected a command with a shortcut, got ${command}`);
  return s.accelerator;
}

/** An accelerator as the help shows it (`CmdOrCtrl+E` → `Ctrl+E`, or `⌘E` on a Mac). */
export function acceleratorLabel(accelerator: string, mac = false): string {
  return mac ? accelerator.replace('CmdOrCtrl+', '⌘') : accelerator.replace('CmdOrCtrl+', 'Ctrl+');
}
