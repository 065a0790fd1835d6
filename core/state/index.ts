export type { OnTimerContext, ProcessContext, RecordMetadata } from './context.js';
export {
  type AnyOperatorDefinition,
  decodeJson,
  defineOperator,
  type OperatorDefinition,
  type OperatorSpec,
} from './define-operator.js';
export {
  type AggregateFunction,
  type AggregatingStateDescriptor,
  aggregatingState,
  type KeyedStates,
  type ListStateDescriptor,
  listState,
  type MapStateDescriptor,
  mapState,
  type ReducingStateDescriptor,
  reducingState,
  type StateDescriptor,
  type StateDescriptors,
  type StateKind,
  type ValueStateDescriptor,
  valueState,
} from './descriptors.js';
export { BadRecordError, NoKeyedContextError, OperatorUsageError, StateRestoreError } from './errors.js';
export type {
  AggregatingState,
  ListState,
  MapState,
  MapStateKey,
  ReducingState,
  ValueState,
} from './keyed-state.js';
export {
  OperatorRuntime,
  type OperatorRuntimeOptions,
  type OperatorRuntimeStats,
} from './operator-runtime.js';
export type { OperatorState, OperatorStateValues } from './operator-state.js';
export { OutputCollector, type OutputHandler } from './output-collector.js';
export {
  emptySnapshotContent,
  type SnapshotMetadata,
  type StateSnapshotContent,
  type TimerEntry,
} from './snapshot-content.js';
export type { TimeDomain, TimerService } from './timer-service.js';
