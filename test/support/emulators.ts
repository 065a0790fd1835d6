import { inject } from 'vitest';
import { type AwsClients, createAwsClients } from '../../core/aws/clients.js';
import { emulatorConnection } from '../../local/connection.js';
import { provisionResources, type ResourceNames, uniqueNames } from '../../local/resources.js';

export interface EmulatorFixture {
  clients: AwsClients;
  names: ResourceNames;
}

/** Real SDK clients on the shared emulators, with a fresh stream, table and bucket. */
export async function provisionFixture(shardCount = 4, prefix = 'test'): Promise<EmulatorFixture> {
  const clients = createAwsClients(emulatorConnection(inject('emulators')));
  const names = uniqueNames(prefix);
  await provisionResources(clients, names, { shardCount });
  return { clients, names };
}

export function emulatorClients(): AwsClients {
  return createAwsClients(emulatorConnection(inject('emulators')));
}
