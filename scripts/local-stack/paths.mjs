// Where the stack's files are, and the one address every process binds.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const COLLECTOR_CONFIG = join(ROOT, 'collector-config.yaml');
export const LOADBALANCING_CONFIG = join(ROOT, 'collector-config.loadbalancing.yaml');
export const JAEGER_CONFIG = join(ROOT, 'stack', 'jaeger-config.yaml');
export const BUILD_SCRIPT = join(ROOT, 'scripts', 'build-stack.sh');
export const LOOPBACK = '127.0.0.1';
