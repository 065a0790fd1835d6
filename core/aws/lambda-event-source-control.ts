import {
  type EventSourceMappingConfiguration,
  type LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import type { EventSourceControl } from '../ports/event-source-control.js';
import { translateAwsError } from './errors.js';

/** Mapping states from which an update to Enabled is needed (and accepted). */
const NOT_ENABLED = new Set(['Disabled', 'Disabling']);

/**
 * Disables (restart strategy exhausted) and re-enables (restore) the processor
 * function's event source mappings. The mapping's UUID is looked up at that
 * moment (ListEventSourceMappings by function name), so no function needs a
 * reference to the mapping (which CloudFormation could not give it without a
 * dependency cycle).
 */
export class LambdaEventSourceControl implements EventSourceControl {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async disable(_reason: string): Promise<void> {
    try {
      for (const mapping of await this.mappings()) {
        if (mapping.UUID) {
          await this.client.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false }));
        }
      }
    } catch (error) {
      throw translateAwsError(error, `disabling the event source mappings of ${this.functionName}`);
    }
  }

  async enable(_reason: string): Promise<number> {
    try {
      let enabled = 0;
      for (const mapping of await this.mappings()) {
        if (!mapping.UUID || !NOT_ENABLED.has(mapping.State ?? '')) continue;
        await this.client.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: true }));
        enabled++;
      }
      return enabled;
    } catch (error) {
      throw translateAwsError(error, `enabling the event source mappings of ${this.functionName}`);
    }
  }

  private async mappings(): Promise<EventSourceMappingConfiguration[]> {
    const mappings: EventSourceMappingConfiguration[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 20; page++) {
      const out = await this.client.send(
        new ListEventSourceMappingsCommand({
          FunctionName: this.functionName,
          ...(marker ? { Marker: marker } : {}),
        }),
      );
      mappings.push(...(out.EventSourceMappings ?? []));
      marker = out.NextMarker;
      if (!marker) break;
    }
    return mappings;
  }
}
