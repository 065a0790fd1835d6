import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DynamoCheckpointStore } from '../../core/aws/dynamodb-checkpoint-store.js';
import type { RetryOptions } from '../../core/aws/retry-policy.js';
import { emulatorClients } from './emulators.js';

/**
 * A DynamoDB client on the emulator with a fault-injection middleware at the top
 * of its stack (the initialize step, above the SDK's own retries): `fault`
 * decides, per call, whether to let it through (`send()`), fail it, or both.
 */
export interface Call {
  command: string;
  input: Record<string, unknown>;
  /** Sends the call to the emulator (optionally with another input) and returns the SDK output. */
  send(input?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export type Fault = (call: Call, nth: number) => Promise<Record<string, unknown>>;

export interface FaultyStore {
  store: DynamoCheckpointStore;
  client: DynamoDBClient;
  /** Backoff delays asked for, in order (the injected sleep does not wait). */
  sleeps: number[];
  /** Commands sent through the middleware, in order. */
  commands: string[];
  destroy(): void;
}

export const TEST_RETRY: Required<RetryOptions> = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 40 };

export function faultyStore(tableName: string, fault: Fault): FaultyStore {
  const clients = emulatorClients();
  const commands: string[] = [];
  const counts = new Map<string, number>();
  clients.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      commands.push(command);
      const nth = (counts.get(command) ?? 0) + 1;
      counts.set(command, nth);
      const input = args.input as Record<string, unknown>;
      const send = async (override?: Record<string, unknown>) => {
        const out = await next(override ? { ...args, input: override } : args);
        return out.output as unknown as Record<string, unknown>;
      };
      const output = await fault({ command, input, send }, nth);
      return { output } as unknown as Awaited<ReturnType<typeof next>>;
    },
    { step: 'initialize', name: 'faultInjection' },
  );
  const sleeps: number[] = [];
  const store = new DynamoCheckpointStore({
    client: clients.dynamodb,
    tableName,
    retry: TEST_RETRY,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { store, client: clients.dynamodb, sleeps, commands, destroy: () => clients.destroy() };
}

const metadata = (httpStatusCode: number, attempts = 1) => ({ httpStatusCode, attempts });

export const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'injected throttle', $metadata: metadata(400) });

export const serverError = () =>
  new InternalServerError({ message: 'injected server error', $metadata: metadata(500) });

/** What the SDK reports when its own retry of an applied write then fails the condition. */
export const conditionFailedAfterSdkRetry = () =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: metadata(400, 2),
  });
