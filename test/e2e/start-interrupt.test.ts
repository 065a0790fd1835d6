import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';

const dataRoot = process.platform === 'linux' && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

function dataDirsOf(pid: number): string[] {
  return readdirSync(dataRoot).filter((name) => name.startsWith(`flinkless-s3-${pid}-`));
}

describe('npm start: Ctrl-C', () => {
  it('stops the emulators and removes their data directory, exiting with 130', async () => {
    // Prepare: a run far too long to finish, started as `npm start` starts it.
    const child = spawn(
      process.execPath,
      [
        '--openssl-legacy-provider',
        '--import',
        'tsx',
        'scripts/start.ts',
        '--records',
        '1000000',
        '--rate',
        '200',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const pid = child.pid ?? -1;
    let output = '';
    const progressed = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('progress: records in=')) resolve();
      });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await progressed;
    const whileRunning = dataDirsOf(pid);

    // Act
    child.kill('SIGINT');
    const code = await exited;

    // Assess
    expect(whileRunning).toHaveLength(1);
    expect(code).toBe(130);
    expect(output).toContain('interrupted: stopping the emulators');
    expect(dataDirsOf(pid)).toEqual([]);
  }, 120_000);
});
