import { ConditionFailedError, NotFoundError } from '../errors/index.js';

/**
 * The refusals of a CheckpointStore, worded the same by every implementation
 * (pure: the in-memory store uses them too): what was expected, what was found,
 * what to do.
 */
function refused(operation: string, expected: string, found: string, hint: string): ConditionFailedError {
  return new ConditionFailedError(`${operation}: expected ${expected}, found ${found}; ${hint}`);
}

function missing(operation: string, what: string, hint: string): NotFoundError {
  return new NotFoundError(`${operation}: expected ${what} to exist, found none; ${hint}`);
}

const job = (jobId: string) => `job ${JSON.stringify(jobId)}`;
const checkpoint = (jobId: string, checkpointId: number) => `checkpoint ${checkpointId} of ${job(jobId)}`;
const cursor = (jobId: string, shardId: string) => `the cursor of shard ${shardId} of ${job(jobId)}`;

export const refusals = {
  jobExists: (jobId: string, version: number) =>
    refused('createJob', `no ${job(jobId)}`, `one at version ${version}`, 'load it with getJob instead'),
  jobMissing: (operation: string, jobId: string) =>
    missing(operation, job(jobId), 'create it with createJob'),
  jobVersion: (jobId: string, expectedVersion: number, foundVersion: number) =>
    refused(
      'updateJob',
      `${job(jobId)} at version ${expectedVersion}`,
      `version ${foundVersion}`,
      'another writer changed it: re-read the job and decide again',
    ),
  /** advanceLatestCheckpoint on a missing job is a failed condition (the pointer has nowhere to live). */
  latestWithoutJob: (jobId: string) =>
    refused('advanceLatestCheckpoint', `${job(jobId)} to exist`, 'none', 'create it with createJob first'),
  latestKeepsMoving: (jobId: string, attempts: number) =>
    refused(
      'advanceLatestCheckpoint',
      `the latest pointer of ${job(jobId)} to settle`,
      `it moved back under us on each of ${attempts} tries`,
      'a restore is running: retry once it is done',
    ),
  counterMoved: (jobId: string, expected: number, found: number | undefined) =>
    refused(
      'allocateCheckpointId',
      `the checkpoint id counter of ${job(jobId)} at ${expected}`,
      found === undefined ? 'another value (an earlier try may have been applied)' : `${found}`,
      'another trigger went first: re-read the checkpoints and decide again',
    ),
  checkpointExists: (jobId: string, checkpointId: number, status: string) =>
    refused(
      'createCheckpoint',
      `no ${checkpoint(jobId, checkpointId)}`,
      `one in status ${status}`,
      'allocate a fresh id with allocateCheckpointId',
    ),
  checkpointMissing: (operation: string, jobId: string, checkpointId: number) =>
    missing(operation, checkpoint(jobId, checkpointId), 'create it with createCheckpoint'),
  checkpointStatus: (jobId: string, checkpointId: number, from: string, found: string) =>
    refused(
      'transitionCheckpoint',
      `${checkpoint(jobId, checkpointId)} in status ${from}`,
      `status ${found}`,
      'another writer moved it first: re-read it and decide again',
    ),
  ledgerVersion: (jobId: string, expectedVersion: number, foundVersion: number) =>
    refused(
      'commitLedger',
      `${job(jobId)} at version ${expectedVersion}`,
      `version ${foundVersion}`,
      'another coordinator step or job update went first: re-read the ledger and decide again',
    ),
  ledgerCounter: (jobId: string, next: number, found: number) =>
    refused(
      'commitLedger',
      `the checkpoint id counter of ${job(jobId)} below ${next}`,
      `${found}`,
      'ids only move forward: allocate above the stored counter',
    ),
  ledgerLatest: (jobId: string, next: number, found: number) =>
    refused(
      'commitLedger',
      `the latest pointer of ${job(jobId)} at most ${next}`,
      `${found}`,
      'the pointer only moves forward (a restore moves it back with updateJob)',
    ),
  ledgerKind: (jobId: string, checkpointId: number, kind: string) =>
    refused(
      'commitLedger',
      `a record of kind CHECKPOINT for ${checkpoint(jobId, checkpointId)}`,
      `kind ${kind}`,
      'savepoints keep their own items: use createCheckpoint / transitionCheckpoint',
    ),
  slotTaken: (jobId: string, checkpointId: number, shardId: string, newer: number) =>
    refused(
      'putAck',
      `the ack slot of shard ${shardId} free for ${checkpoint(jobId, checkpointId)}`,
      `the ack of the newer checkpoint ${newer}`,
      'this checkpoint was given up long ago: drop the ack',
    ),
  ackExists: (jobId: string, checkpointId: number, shardId: string, sequenceNumber: string) =>
    refused(
      'putAck',
      `no ack yet from shard ${shardId} for ${checkpoint(jobId, checkpointId)}`,
      `an ack at sequence number ${sequenceNumber}`,
      'a shard acks a checkpoint once',
    ),
  cursorExists: (jobId: string, shardId: string, version: number) =>
    refused(
      'createCursor',
      `no ${cursor(jobId, shardId)}`,
      `one at version ${version}`,
      'load it with getCursor',
    ),
  cursorMissing: (operation: string, jobId: string, shardId: string) =>
    missing(operation, cursor(jobId, shardId), 'create it with createCursor'),
  cursorFenced: (
    operation: string,
    jobId: string,
    shardId: string,
    expectedVersion: number,
    found: { version: number; owner?: string },
  ) =>
    refused(
      operation,
      `${cursor(jobId, shardId)} at version ${expectedVersion}`,
      `version ${found.version} (owner ${found.owner ?? 'none'})`,
      'this writer is fenced: discard its state for the shard and reload',
    ),
};
