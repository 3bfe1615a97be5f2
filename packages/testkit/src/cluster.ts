/** Real server processes on one PostgreSQL (postgres project only), for multi-instance tests. */
export {
  ADMIN,
  MASTER_KEY,
  baseUrl,
  scratchDatabase,
  startServer,
  consoleSession,
  token,
  msUntil,
  type ServerProcess,
} from '../../server/test/cluster/processes.js';
