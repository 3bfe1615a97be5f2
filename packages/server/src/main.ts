import cluster from 'node:cluster';
import os from 'node:os';
import { runPrimary } from './cluster/primary.js';
import { WorkerLink } from './cluster/worker.js';
import { ConfigError, loadConfig } from './config.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { createGatehouse } from './gatehouse.js';
import { warmCommonPasswords } from './users/password-policy.js';

/**
 * `npm start`: read the environment, open the database, serve until a signal. With
 * GATEHOUSE_WORKERS > 1 (server mode) this process becomes the primary of that many workers, each
 * of which runs this same module as a full instance (cluster/primary.ts).
 */
async function main(): Promise<void> {
  const { config, warnings } = loadConfig();
  if (cluster.isPrimary && config.workers > 1) return runPrimary(config, warnings);
  const worker = cluster.isWorker ? new WorkerLink() : undefined;
  // A worker asked to stop while it is still starting stops as soon as it has started (the
  // primary waits for every worker; a signal's default action would count as a crash).
  let requested: string | null = null;
  let drain = (why: string): void => {
    requested ??= why;
  };
  if (worker) {
    process.on('SIGINT', () => drain('SIGINT'));
    process.on('SIGTERM', () => drain('SIGTERM'));
    process.on('disconnect', () => drain('primary gone'));
  }
  const gatehouse = await createGatehouse({
    config,
    ...(worker ? { worker } : {}),
    // Fail fast and loudly: an unusable embedded database would otherwise hang every request.
    // One line, then a non-zero exit for the supervisor to restart us (EX_SOFTWARE).
    onFatalDbError: (err) => {
      process.stderr.write(`gatehouse: fatal embedded database error, exiting for a restart: ${String((err as Error)?.message ?? err).slice(0, 300)}\n`);
      process.exit(70);
    },
    logger: {
      level: config.logLevel,
      // Which worker wrote a line (GATEHOUSE_WORKERS > 1); a single process has no such field.
      ...(worker ? { base: { pid: process.pid, hostname: os.hostname(), worker: worker.id } } : {}),
      // Defence in depth: request logs carry no headers, but if one ever does, these never print.
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.client_secret', '*.clientSecret'],
        censor: '[redacted]',
      },
    },
  });
  const { app, bootstrap } = gatehouse;
  if (!worker) for (const w of warnings) app.log.warn(w); // the primary printed them once
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
  if (worker) {
    // The primary decides: a signal sent to the whole group (Ctrl-C, systemd) and the primary's
    // own request are one drain, never the "second signal" that skips it.
    drain = (why) => {
      if (!stopping) void stop(why);
    };
    if (requested) drain(requested);
    worker.onShutdownRequest((now) => (now ? process.exit(130) : drain('primary')));
    return;
  }
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
