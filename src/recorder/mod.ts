/**
 * @module
 * The failover flight recorder: one fsynced JSON line per leader change in
 * `<raft.meta-datadir>/history.jsonl` (rotated), with each phase's timing, both leaders'
 * positions and the loss verdict; `mergeHistories` combines what several nodes recorded.
 */
export {
  type FailoverDraft,
  type FailoverOutcome,
  FlightRecorder,
  type FlightRecorderOptions,
  MAX_READ_RECORDS,
  MAX_RECORD_BYTES,
} from "./flight_recorder.ts";
export { HISTORY_FILE } from "./history_file.ts";
export { lossVerdict } from "./loss.ts";
export { mergeHistories } from "./merge.ts";
export {
  failoverId,
  type FailoverRecord,
  type IntermediateTerm,
  type LossVerdict,
  type PhaseName,
  PHASES,
  type PhaseTiming,
} from "./record.ts";
