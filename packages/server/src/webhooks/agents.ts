import http from 'node:http';
import https from 'node:https';
import type { Resolved } from './destination.js';

/** Connections kept open to one destination: a busy stream reuses them, a flood cannot grow them. */
const MAX_SOCKETS = 4;
/** A destination unused for this long has its connections closed. */
export const AGENT_IDLE_MS = 30_000;

interface Entry {
  key: string;
  agent: http.Agent;
  lastUsed: number;
}

/**
 * Keep-alive connection pools, one per destination and checked address. [E5] pins every
 * connection to the address checked for that attempt: a pool is keyed by that address (and the
 * URL's scheme, host and port), so a reused socket is always one opened to the checked address;
 * when a destination resolves elsewhere, its old pool is closed and a new one opened.
 */
export class DestinationAgents {
  private readonly byEndpoint = new Map<string, Entry>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  agentFor(endpointId: string, dest: Resolved): http.Agent {
    const key = `${dest.url.protocol}//${dest.url.host}@${dest.address}`;
    const found = this.byEndpoint.get(endpointId);
    if (found && found.key === key) {
      found.lastUsed = this.now();
      return found.agent;
    }
    if (found) found.agent.destroy();
    const options = { keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_SOCKETS, timeout: AGENT_IDLE_MS };
    const agent = dest.url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    this.byEndpoint.set(endpointId, { key, agent, lastUsed: this.now() });
    return agent;
  }

  /** The destination was deleted or switched off: its connections go. */
  drop(endpointId: string): void {
    this.byEndpoint.get(endpointId)?.agent.destroy();
    this.byEndpoint.delete(endpointId);
  }

  /** Closes the pools of destinations idle for AGENT_IDLE_MS. */
  sweep(): void {
    const now = this.now();
    for (const [id, e] of this.byEndpoint) if (now - e.lastUsed >= AGENT_IDLE_MS) this.drop(id);
  }

  closeAll(): void {
    for (const id of [...this.byEndpoint.keys()]) this.drop(id);
  }

  endpointIds(): string[] {
    return [...this.byEndpoint.keys()];
  }

  /** Open pools (for tests). */
  get size(): number {
    return this.byEndpoint.size;
  }
}
