import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ProjectFileOpened, Result } from '../../../shared/ipc.js';
import { PathGrants } from '../../app/ipc/grants.js';
import { ProjectFileInbox, projectFilesInArgv } from './openFiles.js';

describe('projectFilesInArgv', () => {
  it('takes the .accord arguments, absolute against the working directory, once each', () => {
    const cwd = join(tmpdir(), 'music');
    expect(
      projectFilesInArgv(
        [
          '/opt/Accord/accord',
          '--allow-file-access-from-files',
          'minuet.accord',
          resolve('/tmp/Sonata.ACCORD'),
          'notes.txt',
          './minuet.accord',
          '--user-data-dir=/x/y.accord',
        ],
        cwd,
      ),
    ).toEqual([resolve(cwd, 'minuet.accord'), resolve('/tmp/Sonata.ACCORD')]);
  });

  it('finds none in a plain start', () => {
    expect(projectFilesInArgv(['/opt/Accord/accord', '.'], '/')).toEqual([]);
  });
});

describe('ProjectFileInbox', () => {
  function harness(): {
    inbox: ProjectFileInbox;
    log: string[];
  } {
    const grants = new PathGrants();
    const log: string[] = [];
    const inbox = new ProjectFileInbox({
      grant: (p) => grants.grant(p),
      // As `projectfile:open` does: only a granted path opens.
      open: (p): Promise<Result<ProjectFileOpened>> => {
        if (!grants.has(p))
          return Promise.resolve({
            ok: false,
            error: { code: 'invalid-argument', message: `${p} not granted` },
          });
        if (p.includes('bad'))
          return Promise.resolve({ ok: false, error: { code: 'invalid-argument', message: 'damaged' } });
        return Promise.resolve({
          ok: true,
          value: {
            project: { id: p.length } as ProjectFileOpened['project'],
            existing: false,
            recordingMissing: false,
          },
        });
      },
      show: (o) => log.push(`show ${o.project.id}`),
      fail: (p, m) => log.push(`fail ${p}: ${m}`),
    });
    return { inbox, log };
  }

  it('holds files until the window is ready, then grants and opens them in order', async () => {
    const { inbox, log } = harness();
    await inbox.add(['/a.accord', '/bad.accord']);
    expect(log).toEqual([]);
    await inbox.ready();
    expect(log).toEqual(['show 9', 'fail /bad.accord: damaged']);
    await inbox.add(['/abc.accord']);
    expect(log.at(-1)).toBe('show 11');
  });
});
