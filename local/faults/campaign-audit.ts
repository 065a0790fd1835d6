import { sweepOrphans } from '../../core/checkpoint/checkpoint-cleanup.js';
import { jobPrefix } from '../../core/checkpoint/storage-location.js';
import { readVerifiedSnapshot } from '../../core/processing/shard-recovery.js';
import type { ProcessorDependencies } from '../../core/processing/types.js';
import type { PipelineParts } from '../pipeline/parts.js';
import { CAMPAIGN_CHECKPOINTS_PREFIX } from './campaign-scenario.js';

export interface StorageAudit {
  /** Objects under the job's root that no COMPLETED checkpoint's ack references, after an orphan sweep. */
  orphans: number;
  /** Acks of COMPLETED checkpoints whose snapshot fails verification (invariant 2). */
  unverified: number;
  /** Why each unverified ack failed, for the report. */
  unverifiedDetails: string[];
}

/**
 * After a run: every COMPLETED checkpoint must restore from verified bytes, and
 * once the periodic orphan sweep has run, nothing may be left in S3 that no
 * retained checkpoint references (invariant 5).
 */
export async function auditStorage(parts: PipelineParts, jobId: string): Promise<StorageAudit> {
  const deps = { store: parts.store, snapshots: parts.snapshots };
  const root = jobPrefix(CAMPAIGN_CHECKPOINTS_PREFIX, jobId).replace(/\/$/, '');
  await sweepOrphans(deps, jobId, root);

  const referenced = new Set<string>();
  const unverifiedDetails: string[] = [];
  for (const record of await parts.store.listCheckpoints(jobId)) {
    if (record.status !== 'COMPLETED') continue;
    for (const ack of await parts.store.listAcks(jobId, record.checkpointId)) {
      if ('ref' in ack.snapshot) referenced.add(ack.snapshot.ref.key);
      try {
        await readVerifiedSnapshot(deps as unknown as ProcessorDependencies, ack);
      } catch (error) {
        unverifiedDetails.push(
          `checkpoint ${record.checkpointId} shard ${ack.shardId}: ${(error as Error).message}`,
        );
      }
    }
  }
  let orphans = 0;
  for await (const object of parts.snapshots.list(`${root}/`)) if (!referenced.has(object.key)) orphans++;
  return { orphans, unverified: unverifiedDetails.length, unverifiedDetails };
}
