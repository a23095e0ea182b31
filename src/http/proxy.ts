// The proxy a request goes through, from the environment as curl and most tools read it:
// HTTPS_PROXY for https URLs, HTTP_PROXY for http ones (lower case too), NO_PROXY a comma list of
// hosts, domain suffixes, host:port pairs or `*`. Loopback is never proxied (registries under test,
// a local mirror). HTTPS goes through a CONNECT tunnel; plain HTTP asks the proxy for the absolute
// URL. Written here because node:http has no proxy support of its own and this is all it takes.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';

export type Env = Record<string, string | undefined>;

function envValue(env: Env, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** The proxy URL for `url`, or undefined to connect directly. */
export function proxyFor(url: URL, env: Env = process.env): URL | undefined {
  if (isLoopbackHost(url.hostname)) return undefined;
  const value = envValue(env, url.protocol === 'https:' ? 'https_proxy' : 'http_proxy');
  if (value === undefined) return undefined;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const host = url.hostname.toLowerCase();
  for (const raw of (envValue(env, 'no_proxy') ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return undefined;
    const [name, entryPort] = entry.startsWith('[') ? [entry.slice(0, entry.indexOf(']') + 1), entry.split(']:')[1]] : entry.split(':');
    if (entryPort !== undefined && entryPort !== port) continue;
    const suffix = name!.replace(/^\*?\./, '');
    if (host === suffix || host.endsWith(`.${suffix}`) || `[${host}]` === name) return undefined;
  }
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new Error(`the proxy setting ${JSON.stringify(value)} is not a URL`);
  }
}

/** Proxy-Authorization for a proxy URL carrying user:password. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username) return undefined;
  return `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
}

/** An agent whose connections are TLS over a CONNECT tunnel through `proxy`. */
export function tunnelAgent(proxy: URL, options: https.AgentOptions): https.Agent {
  const agent = new https.Agent(options);
  const auth = proxyAuthorization(proxy);
  // Agent asks createConnection for a socket and waits for the callback when it returns nothing.
  (agent as unknown as { createConnection: unknown }).createConnection = (
    target: tls.ConnectionOptions & { host: string; port: number; servername?: string },
    done: (err: Error | null, socket?: Socket) => void,
  ): undefined => {
    const authority = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    const connect = (proxy.protocol === 'https:' ? https : http).request({
      host: proxy.hostname,
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...(auth ? { 'proxy-authorization': auth } : {}) },
      agent: false,
    });
    connect.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        done(Object.assign(new Error(`the proxy ${proxy.host} refused to tunnel to ${authority}: ${res.statusCode} ${res.statusMessage ?? ''}`.trim()), { code: 'ECONNREFUSED' }));
        return;
      }
      done(null, tls.connect({ ...target, socket, servername: target.servername ?? target.host }));
    });
    connect.once('error', (err) => done(err));
    connect.end();
    return undefined;
  };
  return agent;
}
