import { isPlainObject, sameValue, show } from './check.js';
import { CHECKPOINTING_OPTIONS } from './checkpointing-options.js';
import { closest } from './edit-distance.js';
import { type FlinkValue, flinkBoolean, flinkDuration, flinkString } from './flink-values.js';
import type { ConfigIssue } from './invalid-config-error.js';
import { flinkPath, type OptionSpec, type Sourced, showSourced } from './option-spec.js';
import { RESTART_PARAM_OPTIONS, RESTART_TYPE_OPTION } from './restart-strategy-options.js';

/**
 * Flink configuration keys, so a flink-conf.yaml can be brought over. Every key of
 * Flink's checkpointing page is known, with its newer and older aliases. Anything
 * else is refused with the reason: a typo gets the closest known key, a real Flink
 * key we do not model gets "not supported by flinkless" and why.
 */
const ALL_OPTIONS: readonly OptionSpec[] = [
  ...CHECKPOINTING_OPTIONS,
  RESTART_TYPE_OPTION,
  ...RESTART_PARAM_OPTIONS,
];

export const FLINK_KEY_INDEX: ReadonlyMap<string, OptionSpec> = new Map(
  ALL_OPTIONS.flatMap((spec) => spec.flinkKeys.map((key) => [key, spec] as const)),
);

/** Real Flink keys with no flinkless equivalent; accepted only with the value that matches what we do. */
interface NotModelledKey {
  readonly reason: string;
  readonly harmless: (raw: FlinkValue) => boolean;
}

const NOT_MODELLED_KEYS: ReadonlyMap<string, NotModelledKey> = new Map<string, NotModelledKey>([
  ...notModelled(['execution.checkpointing.unaligned', 'execution.checkpointing.unaligned.enabled'], {
    reason:
      'each flinkless processor reads one Kinesis shard, a single input, so barriers never wait for alignment and unaligned checkpoints would have nothing to skip; only false is accepted',
    harmless: (raw) => isValue(flinkBoolean(raw), false),
  }),
  ...notModelled(
    ['execution.checkpointing.aligned-checkpoint-timeout', 'execution.checkpointing.alignment-timeout'],
    {
      reason: 'it only matters with unaligned checkpoints, which flinkless does not have; only 0 is accepted',
      harmless: (raw) => isValue(flinkDuration(raw), 0),
    },
  ),
  ...notModelled(['execution.checkpointing.storage', 'state.checkpoint-storage'], {
    reason:
      "checkpoint data always goes to S3 under state.checkpoints.dir and metadata to DynamoDB; only 'filesystem' is accepted",
    harmless: (raw) => isValue(flinkString(raw), 'filesystem'),
  }),
]);

/** Namespaces of real Flink keys that have no meaning on Lambda, with the reason. */
const UNSUPPORTED_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['state.backend.rocksdb.', "the 'disk' state backend is not RocksDB, so RocksDB tuning has no effect"],
  ['state.backend.forst.', 'the ForSt disaggregated state backend is not available'],
  ['state.backend.changelog.', 'the changelog state backend is not available'],
  ['state.changelog.', 'the changelog state backend is not available'],
  ['execution.checkpointing.file-merging.', 'checkpoint file merging is not available'],
  ['execution.checkpointing.unaligned.', 'unaligned checkpoints are not available'],
];

/** Prefixes flinkless models: an unknown key here is most likely a typo. */
const MODELLED_PREFIXES = [
  'execution.checkpointing.',
  'execution.state-recovery.',
  'state.',
  'restart-strategy',
  'taskmanager.state.',
  'savepoints.',
];

export function explainUnknownFlinkKey(key: string): string {
  const nearest = closest(key, [...FLINK_KEY_INDEX.keys()]);
  const suggestion = nearest === undefined ? '' : `; the closest known key is ${show(nearest.candidate)}`;
  const unsupported = UNSUPPORTED_PREFIXES.find(([prefix]) => key.startsWith(prefix));
  if (unsupported !== undefined) {
    return `this Flink key is not supported by flinkless: ${unsupported[1]}; remove it`;
  }
  const typo = nearest !== undefined && nearest.distance <= Math.max(2, Math.floor(key.length / 8));
  if (typo || MODELLED_PREFIXES.some((prefix) => key.startsWith(prefix))) {
    return `unknown Flink key${suggestion}. Supported keys are listed by describeConfig()`;
  }
  const namespace = key.split('.')[0] ?? key;
  return `this Flink key is not supported by flinkless: '${namespace}.*' settings configure a Flink cluster, which AWS Lambda replaces; only checkpointing, state and restart-strategy keys apply. Remove it${suggestion}`;
}

/**
 * Reads flinkConf into values per option id, each checked and normalized, with the
 * key it came from. Two keys for one option (aliases) must agree.
 */
export function readFlinkConf(
  conf: unknown,
  issues: ConfigIssue[],
  warnings: string[],
): Map<string, Sourced> {
  const values = new Map<string, Sourced>();
  if (conf === undefined) return values;
  if (!isPlainObject(conf)) {
    issues.push({
      path: 'flinkConf',
      message: `expected an object of Flink keys such as { "execution.checkpointing.interval": "10 s" }, found ${show(conf)}`,
    });
    return values;
  }
  for (const [key, raw] of Object.entries(conf)) {
    const path = flinkPath(key);
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      issues.push({ path, message: `expected a string, number or boolean, found ${show(raw)}` });
      continue;
    }
    const spec = FLINK_KEY_INDEX.get(key);
    if (spec === undefined) {
      const notModelled = NOT_MODELLED_KEYS.get(key);
      if (notModelled === undefined) issues.push({ path, message: explainUnknownFlinkKey(key) });
      else if (!notModelled.harmless(raw)) {
        issues.push({ path, message: `${show(raw)} is not supported by flinkless: ${notModelled.reason}` });
      }
      continue;
    }
    const read = spec.fromFlink(raw);
    const checked = read.ok ? spec.check(read.value) : read;
    if (!checked.ok) {
      issues.push({ path, message: checked.message });
      continue;
    }
    for (const warning of [read.ok ? read.warning : undefined, checked.warning]) {
      if (warning !== undefined) warnings.push(`${path}: ${warning}`);
    }
    const earlier = values.get(spec.id);
    if (earlier === undefined) values.set(spec.id, { value: checked.value, path, raw });
    else if (!sameValue(earlier.value, checked.value)) {
      issues.push({
        path,
        message: `${show(raw)} disagrees with ${showSourced(earlier)}; both set ${spec.option}, keep one of them`,
      });
    }
  }
  return values;
}

function notModelled(keys: readonly string[], entry: NotModelledKey): Array<[string, NotModelledKey]> {
  return keys.map((key) => [key, entry]);
}

function isValue(read: { ok: boolean; value?: unknown }, expected: unknown): boolean {
  return read.ok && read.value === expected;
}
