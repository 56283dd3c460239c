/**
 * Request bodies of the ingest server: read within a size cap (an over-size
 * body is drained so the client reads the 413, then cut), content-encodings
 * removed, JSON parsed with a depth bound. Every rejection is an `HttpError`
 * with the status the server answers.
 */
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { MAX_JSON_DEPTH, parseBoundedJson } from './json-limits.js';

const MAX_CONTENT_ENCODINGS = 4;
/** An over-size body is drained (so the client reads the 413) up to this multiple of the cap, then cut. */
const DRAIN_FACTOR = 4;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Decompress = (buf: Buffer, options: zlib.ZlibOptions) => Promise<Buffer>;

const DECOMPRESSORS: Record<string, Decompress> = {
  gzip: promisify(zlib.gunzip) as Decompress,
  'x-gzip': promisify(zlib.gunzip) as Decompress,
  deflate: promisify(zlib.inflate) as Decompress,
  br: promisify(zlib.brotliDecompress) as Decompress,
};
// zlib has zstd from Node 22.15 / 23.8 only; Node 20 has none.
const zstdDecompress: unknown = Reflect.get(zlib, 'zstdDecompress');
if (typeof zstdDecompress === 'function') {
  DECOMPRESSORS['zstd'] = promisify(zstdDecompress as (b: Buffer, o: object, cb: (e: Error | null, r: Buffer) => void) => void) as Decompress;
}

/** True when this Node can decode `content-encoding: zstd` (22.15+). */
export const ZSTD_AVAILABLE = DECOMPRESSORS['zstd'] !== undefined;

export async function readBody(req: IncomingMessage, maxBodyBytes: number): Promise<{ body: Buffer; encoding: string }> {
  const declared = Number(req.headers['content-length'] ?? '0');
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = Number.isFinite(declared) && declared > maxBodyBytes;
  await new Promise<void>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else if (size > maxBodyBytes * DRAIN_FACTOR) {
        req.destroy();
        resolve();
      }
    });
    req.on('end', () => resolve());
    req.on('error', reject);
  });
  if (tooLarge) throw new HttpError(413, `body larger than ${maxBodyBytes} bytes`);
  let body: Buffer = Buffer.concat(chunks, size);

  const header = headerValue(req.headers['content-encoding'])?.trim().toLowerCase() ?? '';
  const encodings =
    header === ''
      ? []
      : header
          .split(',')
          .map((e) => e.trim())
          .filter((e) => e !== 'identity' && e !== '');
  if (encodings.length > MAX_CONTENT_ENCODINGS) throw new HttpError(415, 'too many content encodings');
  // Applied in order, so they are removed in reverse (RFC 9110 §8.4).
  for (let i = encodings.length - 1; i >= 0; i--) {
    const name = encodings[i]!;
    const decompress = DECOMPRESSORS[name];
    if (decompress === undefined) {
      const hint = name === 'zstd' ? ' (this Node has no zstd: it needs 22.15+; /info does not offer it)' : '';
      throw new HttpError(415, `unsupported content-encoding "${name}"${hint}`);
    }
    try {
      body = await decompress(body, { maxOutputLength: maxBodyBytes });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new HttpError(413, `body larger than ${maxBodyBytes} bytes once decompressed`);
      }
      throw new HttpError(400, `body is not valid ${name}: ${(e as Error).message}`);
    }
  }
  return { body, encoding: encodings.length === 0 ? 'identity' : encodings.join(',') };
}

export function drain(req: IncomingMessage): void {
  req.resume();
}

export function parseJsonObject(body: Buffer, what: string): Record<string, unknown> {
  const parsed = parseBoundedJson(body);
  if (!parsed.ok) {
    throw new HttpError(400, parsed.problem === 'depth' ? `${what} is nested deeper than ${MAX_JSON_DEPTH} levels` : `${what} is not valid UTF-8 JSON`);
  }
  const doc = parsed.value;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new HttpError(400, `${what} is not a JSON object`);
  return doc as Record<string, unknown>;
}

export function jsonList(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new HttpError(400, `"${what}" is not an array`);
  return value;
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
