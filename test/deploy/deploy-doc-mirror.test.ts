import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** README's "Deploy (AWS)" section without its heading and intro, links made relative to infra/. */
function deploySectionOfReadme(): string[] {
  const lines = readFileSync('README.md', 'utf8').split('\n');
  const start = lines.indexOf('## Deploy (AWS)');
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  return lines
    .slice(start + 4, end)
    .map((line) =>
      line
        .replace(/\]\((core|infra|local|scripts|functions|events|docs|test)\//g, (_, dir) => `](../${dir}/`)
        .replace(/\]\(#/g, '](../README.md#'),
    )
    .join('\n')
    .trimEnd()
    .split('\n');
}

describe('infra/DEPLOY.md', () => {
  it("mirrors the README's Deploy section line for line (links relative to infra/, anchors into the README)", () => {
    // Prepare
    const mirror = readFileSync('infra/DEPLOY.md', 'utf8').trimEnd().split('\n').slice(4);

    // Act
    const section = deploySectionOfReadme();

    // Assess
    expect(mirror).toEqual(section);
  });
});
