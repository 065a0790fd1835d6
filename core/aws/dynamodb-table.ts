import { isDeepStrictEqual } from 'node:util';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { ConditionFailedError, ThrottledError } from '../errors/index.js';
import { type Item, keyItem } from './dynamodb-items.js';
import type { ItemKey } from './dynamodb-keys.js';
import {
  type AttemptContext,
  isConditionalCheckFailed,
  wasRetriedBySdk,
  withAmbiguityTracking,
} from './dynamodb-retry.js';
import type { UpdateInput } from './dynamodb-updates.js';
import { backoffDelayMs, type RetryPolicy, withRetry } from './retry-policy.js';

/** BatchWriteItem accepts at most 25 requests. */
export const BATCH_WRITE_LIMIT = 25;

/**
 * The checkpoint table seen through our retry policy: every call is retried on
 * throttling and 5xx, and every failure leaves as a CheckpointError.
 */
export class CheckpointTable {
  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
    readonly policy: RetryPolicy,
  ) {}

  /** Strongly consistent: decisions are taken on what we read. */
  get(operation: string, key: ItemKey): Promise<Item | undefined> {
    return withRetry(this.policy, operation, async () => {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: keyItem(key), ConsistentRead: true }),
      );
      return out.Item;
    });
  }

  /**
   * Runs a conditional write. When its condition fails, `onConditionFailed`
   * decides (read back, then resolve or throw); `ambiguous` says an earlier try
   * of this very write, ours or the SDK's, may have been applied.
   */
  conditional<T>(
    operation: string,
    write: (context: AttemptContext) => Promise<T>,
    onConditionFailed: (ambiguous: boolean) => Promise<T>,
  ): Promise<T> {
    return withAmbiguityTracking(operation, this.policy, async (context) => {
      try {
        return await write(context);
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        return onConditionFailed(context.ambiguous || wasRetriedBySdk(error));
      }
    });
  }

  /** Every item of `pk` whose sk starts with `skPrefix`, in sk order, following LastEvaluatedKey. */
  async query(operation: string, pk: string, skPrefix: string, keysOnly = false): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const exclusiveStartKey = startKey;
      const out = await withRetry(this.policy, operation, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
            ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
            ExpressionAttributeValues: { ':pk': { S: pk }, ':prefix': { S: skPrefix } },
            ConsistentRead: true,
            ...(keysOnly ? { ProjectionExpression: '#pk, #sk' } : {}),
            ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
          }),
        ),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  /** One conditional PutItem try (no retry: run it inside `conditional`). */
  async put(item: Item, condition: string, names: Record<string, string>, values?: Item): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: item,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ...(values ? { ExpressionAttributeValues: values } : {}),
      }),
    );
  }

  /** One UpdateItem try (no retry: run it inside `conditional`); returns the requested attributes. */
  async update(input: UpdateInput): Promise<Item> {
    const out = await this.client.send(
      new UpdateItemCommand({ ...input, TableName: this.tableName, Key: keyItem(input.Key) }),
    );
    return out.Attributes ?? {};
  }

  /** Deletes one item; an absent item is not an error (deletes are retried). */
  delete(operation: string, key: ItemKey): Promise<void> {
    return withRetry(this.policy, operation, async () => {
      await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyItem(key) }));
    });
  }

  /**
   * Deletes items in batches of 25. UnprocessedItems (partial throttling) are
   * resent with backoff, at most `policy.maxAttempts` times per batch; what is
   * left then is a ThrottledError (deletes are idempotent: call again later).
   */
  async deleteMany(operation: string, keys: Item[]): Promise<void> {
    for (let start = 0; start < keys.length; start += BATCH_WRITE_LIMIT) {
      let pending: WriteRequest[] = keys
        .slice(start, start + BATCH_WRITE_LIMIT)
        .map((key) => ({ DeleteRequest: { Key: { pk: key.pk!, sk: key.sk! } } }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > this.policy.maxAttempts) {
          throw new ThrottledError(
            `${operation}: ${pending.length} deletes still unprocessed after ${this.policy.maxAttempts} ` +
              'batch attempts; deletes are idempotent, call again later',
          );
        }
        if (attempt > 1) await this.policy.sleep(backoffDelayMs(this.policy, attempt - 2));
        const requests = pending;
        const out = await withRetry(this.policy, operation, () =>
          this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: requests } })),
        );
        pending = out.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }

  /** Put-if-absent; after an ambiguous failure, identical stored content is our own write. */
  async putIfAbsent<T>(
    op: string,
    item: Item,
    fromItem: (item: Item) => T,
    refuse: (found: T) => Error,
  ): Promise<void> {
    const key = { pk: item.pk!.S!, sk: item.sk!.S! };
    await this.conditional(
      op,
      () => this.put(item, 'attribute_not_exists(#pk)', { '#pk': 'pk' }),
      async (ambiguous) => {
        const stored = await this.get(op, key);
        if (!stored) {
          // Present at the condition, deleted since: refuse, the caller decides again.
          throw new ConditionFailedError(
            `${op}: expected ${key.sk} of ${key.pk} to be absent, found it present`,
          );
        }
        const found = fromItem(stored);
        if (ambiguous && isDeepStrictEqual(found, fromItem(item))) return;
        throw refuse(found);
      },
    );
  }

  /** Reads an item that must exist: `notFound` otherwise. */
  async getOrThrow<T>(op: string, key: ItemKey, fromItem: (i: Item) => T, notFound: () => Error) {
    const item = await this.get(op, key);
    if (!item) throw notFound();
    return fromItem(item);
  }
}
