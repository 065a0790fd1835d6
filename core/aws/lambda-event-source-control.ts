import {
  type LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import type { EventSourceControl } from '../ports/event-source-control.js';
import { translateAwsError } from './errors.js';

/**
 * Disables the processor function's event source mappings. The mapping's UUID is
 * looked up at that moment (ListEventSourceMappings by function name), so the
 * function needs no reference to its own mapping (which CloudFormation could not
 * give it without a dependency cycle).
 */
export class LambdaEventSourceControl implements EventSourceControl {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async disable(_reason: string): Promise<void> {
    try {
      const uuids: string[] = [];
      let marker: string | undefined;
      for (let page = 0; page < 20; page++) {
        const out = await this.client.send(
          new ListEventSourceMappingsCommand({
            FunctionName: this.functionName,
            ...(marker ? { Marker: marker } : {}),
          }),
        );
        uuids.push(...(out.EventSourceMappings ?? []).flatMap((m) => (m.UUID ? [m.UUID] : [])));
        marker = out.NextMarker;
        if (!marker) break;
      }
      for (const uuid of uuids) {
        await this.client.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
      }
    } catch (error) {
      throw translateAwsError(error, `disabling the event source mappings of ${this.functionName}`);
    }
  }
}
