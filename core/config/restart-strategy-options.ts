import { FLINK_UNLIMITED, integerIn, numberIn, oneOf } from './check.js';
import { flinkDuration, flinkEnum, flinkInteger, flinkNumber } from './flink-values.js';
import type { OptionSpec } from './option-spec.js';
import type { RestartStrategyType } from './types.js';

/**
 * Restart strategies and their parameters, with Flink's documented defaults
 * (RestartStrategyOptions, Flink 1.19+): fixed-delay 1 attempt after 1 s;
 * failure-rate 1 failure per 1 min, 1 s delay; exponential-delay 1 s initial,
 * 1 min max backoff, x1.5, reset after 1 h, jitter 0.1, unlimited attempts.
 * As in Flink, the default is exponential-delay when checkpointing is enabled and
 * none when it is disabled (with nothing to restore from, a restart would start empty).
 */
export const RESTART_STRATEGY_TYPES: readonly RestartStrategyType[] = [
  'none',
  'fixed-delay',
  'failure-rate',
  'exponential-delay',
];

export const RESTART_TYPE_OPTION: OptionSpec = {
  id: 'restartStrategy.type',
  option: 'restartStrategy.type',
  flinkKeys: ['restart-strategy.type', 'restart-strategy'],
  fromFlink: flinkEnum({
    none: 'none',
    off: 'none',
    disable: 'none',
    'fixed-delay': 'fixed-delay',
    fixeddelay: 'fixed-delay',
    'failure-rate': 'failure-rate',
    failurerate: 'failure-rate',
    'exponential-delay': 'exponential-delay',
    exponentialdelay: 'exponential-delay',
  }),
  check: oneOf(RESTART_STRATEGY_TYPES),
  defaultValue: undefined,
  defaultText: 'exponential-delay (none when checkpointing is disabled)',
  meaning: 'How the job restarts after a failure: none, fixed-delay, failure-rate or exponential-delay.',
};

export interface RestartParamSpec extends OptionSpec {
  readonly strategy: Exclude<RestartStrategyType, 'none'>;
  /** Field name in the strategy object, e.g. `delayMs`. */
  readonly field: string;
}

function param(
  strategy: RestartParamSpec['strategy'],
  field: string,
  flinkSuffix: string,
  spec: Pick<OptionSpec, 'fromFlink' | 'check' | 'defaultValue' | 'defaultText' | 'meaning'>,
): RestartParamSpec {
  return {
    ...spec,
    id: `${strategy}.${field}`,
    option: `restartStrategy.${field}`,
    flinkKeys: [`restart-strategy.${strategy}.${flinkSuffix}`],
    strategy,
    field,
    meaning: `(${strategy}) ${spec.meaning}`,
  };
}

const ms = (min: number) => integerIn(min, Number.MAX_SAFE_INTEGER, 'milliseconds');

export const RESTART_PARAM_OPTIONS: readonly RestartParamSpec[] = [
  param('fixed-delay', 'attempts', 'attempts', {
    fromFlink: flinkInteger,
    check: integerIn(0),
    defaultValue: 1,
    defaultText: '1',
    meaning: 'Restarts attempted before the job is declared failed.',
  }),
  param('fixed-delay', 'delayMs', 'delay', {
    fromFlink: flinkDuration,
    check: ms(0),
    defaultValue: 1_000,
    defaultText: '1000 (1 s)',
    meaning: 'Delay between two restart attempts.',
  }),
  param('failure-rate', 'maxFailuresPerInterval', 'max-failures-per-interval', {
    fromFlink: flinkInteger,
    check: integerIn(1),
    defaultValue: 1,
    defaultText: '1',
    meaning: 'Restarts allowed within one interval before the job fails.',
  }),
  param('failure-rate', 'failureRateIntervalMs', 'failure-rate-interval', {
    fromFlink: flinkDuration,
    check: ms(1),
    defaultValue: 60_000,
    defaultText: '60000 (1 min)',
    meaning: 'Interval over which failures are counted.',
  }),
  param('failure-rate', 'delayMs', 'delay', {
    fromFlink: flinkDuration,
    check: ms(0),
    defaultValue: 1_000,
    defaultText: '1000 (1 s)',
    meaning: 'Delay between two restart attempts.',
  }),
  param('exponential-delay', 'initialBackoffMs', 'initial-backoff', {
    fromFlink: flinkDuration,
    check: ms(1),
    defaultValue: 1_000,
    defaultText: '1000 (1 s)',
    meaning: 'First delay between restarts.',
  }),
  param('exponential-delay', 'maxBackoffMs', 'max-backoff', {
    fromFlink: flinkDuration,
    check: ms(1),
    defaultValue: 60_000,
    defaultText: '60000 (1 min)',
    meaning: 'Largest delay between restarts (>= initialBackoffMs).',
  }),
  param('exponential-delay', 'backoffMultiplier', 'backoff-multiplier', {
    fromFlink: flinkNumber,
    check: numberIn(1),
    defaultValue: 1.5,
    defaultText: '1.5',
    meaning: 'The delay is multiplied by this after every failure, up to maxBackoffMs.',
  }),
  param('exponential-delay', 'resetBackoffThresholdMs', 'reset-backoff-threshold', {
    fromFlink: flinkDuration,
    check: ms(1),
    defaultValue: 3_600_000,
    defaultText: '3600000 (1 h)',
    meaning: 'Failure-free running time after which the delay resets to initialBackoffMs.',
  }),
  param('exponential-delay', 'jitterFactor', 'jitter-factor', {
    fromFlink: flinkNumber,
    check: numberIn(0, 1),
    defaultValue: 0.1,
    defaultText: '0.1',
    meaning: 'Random +/- portion of the delay, so many jobs do not restart in lockstep.',
  }),
  param('exponential-delay', 'attemptsBeforeResetBackoff', 'attempts-before-reset-backoff', {
    fromFlink: flinkInteger,
    check: integerIn(1, FLINK_UNLIMITED),
    defaultValue: FLINK_UNLIMITED,
    defaultText: `${FLINK_UNLIMITED} (unlimited)`,
    meaning: 'Restarts attempted before the job fails; the count resets with the backoff.',
  }),
];
