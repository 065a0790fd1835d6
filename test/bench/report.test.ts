import { describe, expect, it } from 'vitest';
import { README_END, README_START, replaceBetweenMarkers } from '../../bench/report.js';

describe('bench report', () => {
  it('replaces only what lies between the bench markers', () => {
    const readme = `# x\nbefore\n${README_START}\nold figures\n${README_END}\nafter\n`;
    const next = replaceBetweenMarkers(readme, 'new figures');
    expect(next).toBe(`# x\nbefore\n${README_START}\nnew figures\n${README_END}\nafter\n`);
    expect(replaceBetweenMarkers(next, 'new figures')).toBe(next);
  });

  it('refuses a README without the markers instead of appending figures somewhere', () => {
    expect(() => replaceBetweenMarkers('# no markers\n', 'x')).toThrow(/expected the markers/);
  });
});
