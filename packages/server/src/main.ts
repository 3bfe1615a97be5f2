import { ConfigError, loadConfig } from './config.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { createGatehouse } from './gatehouse.js';

/** `npm start`: read the environment, open the database, serve until a signal. */
async function main(): Promise<void> {
  const { config, warnings } = loadConfig();
  const gatehouse = await createGatehouse({
    config,
    logger: {
      level: config.logLevel,
      // Defence in depth: request logs carry no headers, but if one ever does, these never print.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.client_secret', '*.clientSecret'], censor: '[redacted]' },
    },
  });
  const { app, bootstrap } = gatehouse;
  for (const w of warnings) app.log.warn(w);
  if (bootstrap) {
    // Printed to the terminal once, on purpose, and never to the structured log.
    process.stdout.write(
      `\nGatehouse: created the first owner ${bootstrap.email} and organization ${bootstrap.orgId}.\n` +
        (bootstrap.generatedPassword
          ? `One-time password (shown only now; set GATEHOUSE_ADMIN_PASSWORD to choose one): ${bootstrap.generatedPassword}\n\n`
          : '\n'),
    );
  }
  await app.listen({ host: config.host, port: config.port });
  const mode = config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`;
  app.log.info({ issuer: config.issuer, database: mode }, 'Gatehouse is ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await gatehouse.close();
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
