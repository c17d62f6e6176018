// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { AccordError } from '../../../shared/ipc';
import type { ProjectSummary } from '../../../shared/ipc';
import { ProjectsState } from './projects.svelte';
import { fakeApi } from './fakeApi.testutil';

function summary(id: number, title: string, updatedAt: number): ProjectSummary {
  return {
    id,
    title,
    scoreName: 'score.mid',
    recordingName: 'take.flac',
    durationSeconds: 60,
    createdAt: 0,
    updatedAt,
    status: 'new',
    checkedFraction: 0,
  };
}

describe('ProjectsState', () => {
  it('caches the list newest first and refetches when main says a project changed', async () => {
    let rows = [summary(1, 'Old', 10), summary(2, 'New', 20)];
    const { api, emit, calls } = fakeApi({ project: { list: () => rows } });
    const s = new ProjectsState(api);
    await s.refresh();
    expect(s.items.map((p) => p.title)).toEqual(['New', 'Old']);
    rows = [...rows, summary(3, 'Newest', 30)];
    emit('project:changed', { projectId: 3 });
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
    expect(s.items[0].title).toBe('Newest');
    expect(calls.filter((c) => c === 'project.list')).toHaveLength(2);
    s.destroy();
    emit('project:changed', { projectId: 3 });
    expect(calls.filter((c) => c === 'project.list')).toHaveLength(2);
  });

  it('shows main’s error message without the wire tag and keeps working', async () => {
    const { api } = fakeApi({
      project: {
        list: () => [],
        create: () => {
          throw new Error(
            new AccordError(
              'invalid-argument',
              'scorePath: expected an existing file, got "/nope"',
            ).toWireMessage(),
          );
        },
      },
    });
    const s = new ProjectsState(api);
    expect(await s.create('/nope', '/also-nope')).toBeNull();
    expect(s.error).toBe('scorePath: expected an existing file, got "/nope"');
    await s.refresh();
    expect(s.error).toBeNull();
  });

  it('refuses an empty title without calling main', async () => {
    const { api, calls } = fakeApi({
      project: { list: () => [], rename: () => summary(1, 'x', 0) },
    });
    const s = new ProjectsState(api);
    expect(await s.rename(1, '   ')).toBe(false);
    expect(s.error).toMatch(/empty/);
    expect(calls).not.toContain('project.rename');
    expect(await s.rename(1, ' Sonata ')).toBe(true);
    expect(calls).toContain('project.rename');
  });
});
