import { ConfigError, loadConfig } from './config.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { createGatehouse } from './gatehouse.js';
import { warmCommonPasswords } from './users/password-policy.js';

/** `npm start`: read the environment, open the database, serve until a signal. */
async function main(): Promise<void> {
  const { config, warnings } = loadConfig();
  const gatehouse = await createGatehouse({
    config,
    // Fail fast and loudly: an unusable embedded database would otherwise hang every request.
    // One line, then a non-zero exit for the supervisor to restart us (EX_SOFTWARE).
    onFatalDbError: (err) => {
      process.stderr.write(`gatehouse: fatal embedded database error, exiting for a restart: ${String((err as Error)?.message ?? err).slice(0, 300)}\n`);
      process.exit(70);
    },
    logger: {
      level: config.logLevel,
      // Defence in depth: request logs carry no headers, but if one ever does, these never print.
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.client_secret', '*.clientSecret'],
        censor: '[redacted]',
      },
    },
  });
  const { app, bootstrap } = gatehouse;
  for (const w of warnings) app.log.warn(w);
  if (bootstrap) {
    // Printed to the terminal once, on purpose, and never to the structured log.
    process.stdout.write(
      `\nGatehouse: created the first owner ${bootstrap.email} and organization ${bootstrap.orgId}.\n` +
        (bootstrap.generatedPassword
          ? `One-time password (shown only now, to be changed at first sign-in; set GATEHOUSE_ADMIN_PASSWORD to choose one): ${bootstrap.generatedPassword}\n\n`
          : '\n'),
    );
  }
  await app.listen({ host: config.host, port: config.port });
  warmCommonPasswords(); // [R4] read once serving; a password check made sooner waits for it
  const mode = config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`;
  app.log.info({ issuer: config.issuer, database: mode }, 'Gatehouse is ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A second signal: the operator does not want to wait for the drain.
      app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    app.log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
    // Drain in-flight requests and queued audit rows, but within a bound: then exit anyway.
    setTimeout(() => {
      app.log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out: exiting without a complete drain');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    try {
      await gatehouse.close();
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError) {
    process.stderr.write(`gatehouse: ${err.message}\n`);
  } else {
    process.stderr.write(`gatehouse: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(1);
});
