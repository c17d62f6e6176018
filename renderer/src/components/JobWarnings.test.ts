// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import JobWarnings from './JobWarnings.svelte';

afterEach(() => cleanup());

describe('JobWarnings', () => {
  it("shows the job result's warnings as a status message with a Dismiss button", async () => {
    let dismissed = 0;
    const warning =
      'expected the neural model file /x/model.onnx, found ENOENT; aligned with the classical jump search instead of the neural aligner';
    render(JobWarnings, { warnings: [warning], ondismiss: () => dismissed++ });
    const box = screen.getByRole('status', { name: 'Alignment warnings' });
    expect(box.textContent).toContain('Aligned, with a warning:');
    expect(screen.getByRole('listitem').textContent).toBe(warning);
    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(dismissed).toBe(1);
  });

  it('counts several warnings and shows nothing when there are none', () => {
    const { unmount } = render(JobWarnings, { warnings: ['a', 'b'], ondismiss: () => {} });
    expect(screen.getByRole('status').textContent).toContain('2 warnings');
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['a', 'b']);
    unmount();
    render(JobWarnings, { warnings: [], ondismiss: () => {} });
    expect(screen.queryByRole('status')).toBeNull();
  });
});
