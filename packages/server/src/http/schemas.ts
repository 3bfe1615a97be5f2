/**
 * Schemas shared by several route files. The console API's are written once in the contract
 * package (@gatehouse/contract), which the console and the CLI read their types from.
 */
export {
  ErrorBody,
  NoContent,
  errorResponses,
  Page,
  PageQuery,
  Timestamp,
  NullableTimestamp,
  TimestampInput,
  OrgId,
  OrgParams,
  ScopeName,
} from '@gatehouse/contract';
