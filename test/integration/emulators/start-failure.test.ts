import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isCheckpointError } from '../../../core/errors/index.js';
import { startEmulators } from '../../../local/emulators.js';

describe('startEmulators', () => {
  it('names the emulator and the cause when a port is taken, and leaves nothing running', async () => {
    // Prepare: occupy a port, then ask the DynamoDB emulator to use it.
    const listeningBefore = listeningServers();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;

    // Act
    const error = await startEmulators({ ports: { dynamodb: port } }).catch((e: unknown) => e);
    await new Promise((r) => blocker.close(r));

    // Assess
    expect(isCheckpointError(error, 'EMULATOR_START_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/dynalite \(DynamoDB\).*EADDRINUSE/);
    // The Kinesis emulator started before the failure must have been stopped: its handles are gone.
    expect(listeningServers()).toBe(listeningBefore);
  });
});

function listeningServers(): number {
  const handles = (
    process as unknown as { _getActiveHandles(): Array<{ listening?: boolean }> }
  )._getActiveHandles();
  return handles.filter((h) => h?.listening === true).length;
}
