// Reading the stack's YAML and text: `${…}` references with their defaults, comments
// versus code, endpoints, image pins. Pure functions over strings and parsed YAML.
import { parse } from 'yaml';

const COLLECTOR_ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
export const COMPOSE_ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?]([^}]*))?\}/g;

export const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
export const asArray = (v) => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
export const typeOf = (componentId) => String(componentId).split('/')[0];

/** A collector value with every `${env:NAME:-default}` replaced by its default ('' without one). */
export function withCollectorDefaults(value) {
  return String(value).replace(COLLECTOR_ENV_REF, (_, _name, def) => def ?? '');
}

export function withComposeDefaults(value) {
  return String(value).replace(COMPOSE_ENV_REF, (_, _name, def) => def ?? '');
}

/** Lines that are not comments, with trailing comments cut (good enough for these files). */
export function codeOf(text) {
  return text
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join('\n');
}

function commentsOf(text) {
  return text
    .split('\n')
    .map((line) => line.match(/(?:^|\s)#(.*)$/)?.[1] ?? '')
    .join('\n');
}

/** Names used as `${env:NAME}` in a collector config, with whether each has a default. */
export function collectorEnvRefs(text) {
  const refs = new Map();
  for (const m of codeOf(text).matchAll(COLLECTOR_ENV_REF)) {
    refs.set(m[1], (refs.get(m[1]) ?? false) || m[2] !== undefined);
  }
  return refs;
}

/** `host:port`, `http://host:port/path` → { host, port }. */
export function hostPort(endpoint) {
  const s = String(endpoint);
  const m = s.match(/^(?:[a-z][a-z0-9+.-]*:\/\/)?(\[[^\]]*\]|[^:/]*)(?::(\d+))?/i);
  return { host: m?.[1] ?? '', port: m?.[2] ?? '' };
}

/** Every `endpoint` value under a component's config, with its key path. */
export function endpointsUnder(node, at, out = []) {
  if (!isObject(node)) return out;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'endpoint' && typeof v === 'string') out.push([`${at}.${k}`, v]);
    else endpointsUnder(v, `${at}.${k}`, out);
  }
  return out;
}

/** `name:tag`, `name:tag@sha256:…` or `name@sha256:…` with a real version, never `latest`. */
export function imagePinProblem(image) {
  const ref = withComposeDefaults(image).trim();
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return null;
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return `image "${image}" has no tag (that means latest): pin a version`;
  const tag = lastSegment.slice(colon + 1);
  if (tag === 'latest' || !/\d/.test(tag)) {
    return `image "${image}" uses the moving tag "${tag}": pin an explicit version`;
  }
  return null;
}

export function undocumented(names, text, file) {
  const comments = commentsOf(text);
  return [...names]
    .filter((name) => !new RegExp(`\\b${name}\\b`).test(comments))
    .map((name) => `${file}: environment variable ${name} is used but not documented in a comment`);
}

export function parseYaml(text) {
  // Merge keys (`<<: *anchor`) as docker-compose resolves them.
  return parse(text, { merge: true });
}
