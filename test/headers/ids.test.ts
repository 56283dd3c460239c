/**
 * Id conversions between the OTel world (hex trace/span ids) and the
 * LangSmith one (run and trace UUIDs); the rules are numbered in ids.ts.
 */
import { RunTree } from 'langsmith';
import { describe, expect, it } from 'vitest';
import { isPaddedSpanRunId, isUuid, lsTraceIdFromTraceId, runIdFromSpanId, spanIdFromRunId, traceIdFromLsTraceId } from '../../src/headers/ids.js';

describe('isUuid', () => {
  it.each([
    ['a lowercase v7 UUID', '019424f8-632e-7000-8000-008074abbf4d', true],
    ['a lowercase v4 UUID', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', true],
    ['the max UUID', 'ffffffff-ffff-ffff-ffff-ffffffffffff', true],
    ['a padded span id', '00000000-0000-0000-0102-030405060708', true],
    ['the nil UUID', '00000000-0000-0000-0000-000000000000', false],
    ['uppercase hex', 'F47AC10B-58CC-4372-A567-0E02B2C3D479', false],
    ['braces', '{f47ac10b-58cc-4372-a567-0e02b2c3d479}', false],
    ['no dashes', 'f47ac10b58cc4372a5670e02b2c3d479', false],
    ['misplaced dashes', 'f47ac10b5-8cc-4372-a567-0e02b2c3d479', false],
    ['one character short', 'f47ac10b-58cc-4372-a567-0e02b2c3d47', false],
    ['one character long', 'f47ac10b-58cc-4372-a567-0e02b2c3d4790', false],
    ['a non-hex digit', 'g47ac10b-58cc-4372-a567-0e02b2c3d479', false],
    ['the empty string', '', false],
  ])('%s', (_name, value, valid) => {
    expect(isUuid(value)).toBe(valid);
  });
});

describe('runIdFromSpanId (rule 1: the OTLP ingest rule)', () => {
  it.each([
    ['the ingest example', '0102030405060708', '00000000-0000-0000-0102-030405060708'],
    ['all ones', 'ffffffffffffffff', '00000000-0000-0000-ffff-ffffffffffff'],
    ['uppercase input is lowercased', 'ABCDEF0123456789', '00000000-0000-0000-abcd-ef0123456789'],
  ])('%s', (_name, spanId, runId) => {
    expect(runIdFromSpanId(spanId)).toBe(runId);
    expect(isUuid(runId)).toBe(true);
    expect(isPaddedSpanRunId(runId)).toBe(true);
  });
});

describe('isPaddedSpanRunId', () => {
  it.each([
    ['a padded span id', '00000000-0000-0000-0102-030405060708', true],
    ['a JS UUIDv7', '019424f8-632e-7000-8000-008074abbf4d', false],
    ['a UUID with only the first four bytes zero', '00000000-0001-0000-0102-030405060708', false],
  ])('%s', (_name, runId, padded) => {
    expect(isPaddedSpanRunId(runId)).toBe(padded);
  });
});

describe('spanIdFromRunId (rule 3)', () => {
  it.each([
    // name, run id, span id
    ['a: a padded span id gives back the span id (inverse of rule 1)', '00000000-0000-0000-0102-030405060708', '0102030405060708'],
    ['b: a JS UUIDv7 (7000-8000) takes the random tail', '019424f8-632e-7000-8000-008074abbf4d', '8000008074abbf4d'],
    ['b: another JS UUIDv7 of the same millisecond differs in the tail', '019424f8-632e-7000-8000-01a3c0de0001', '800001a3c0de0001'],
    ['c: a Python-style random v7 takes the head', '01942513-1c2a-7d4e-9f3a-5b6c7d8e9f01', '019425131c2a7d4e'],
    ['c: a v4 UUID takes the head', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'f47ac10b58cc4372'],
    ['c: a v7 with only rand_a zero is not a JS id', '019424f8-632e-7000-9000-008074abbf4d', '019424f8632e7000'],
    ['zero head falls back to the tail', '00000000-0000-0000-0000-000000000001', '0000000000000001'],
    ['zero tail keeps the head', '01020304-0506-0708-0000-000000000000', '0102030405060708'],
  ])('%s', (_name, runId, spanId) => {
    expect(spanIdFromRunId(runId)).toBe(spanId);
  });

  it.each([
    ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['an uppercase UUID', 'F47AC10B-58CC-4372-A567-0E02B2C3D479'],
    ['a UUID without dashes', 'f47ac10b58cc4372a5670e02b2c3d479'],
    ['a span id', '0102030405060708'],
    ['the empty string', ''],
  ])('gives undefined for %s', (_name, runId) => {
    expect(spanIdFromRunId(runId)).toBeUndefined();
  });

  it('round-trips every padded span id', () => {
    for (const spanId of ['0000000000000001', '0102030405060708', '8000000000000000', 'ffffffffffffffff']) {
      expect(spanIdFromRunId(runIdFromSpanId(spanId))).toBe(spanId);
    }
  });

  it('gives distinct span ids for runs the real langsmith RunTree creates in one millisecond', () => {
    const root = new RunTree({ name: 'root', tracingEnabled: false });
    const runs = [root, ...Array.from({ length: 20 }, (_, i) => root.createChild({ name: `c${i}` }))];
    const spanIds = runs.map((run) => spanIdFromRunId(run.id));
    expect(runs.every((run) => /^[0-9a-f]{8}-[0-9a-f]{4}-7000-8000-/.test(run.id))).toBe(true);
    expect(spanIds.every((id) => id !== undefined && /^[0-9a-f]{16}$/.test(id))).toBe(true);
    expect(new Set(spanIds).size).toBe(runs.length);
    expect(spanIds[0]).toBe(root.id.replace(/-/g, '').slice(16));
  });
});

describe('traceIdFromLsTraceId / lsTraceIdFromTraceId (rule 2)', () => {
  it.each([
    ['a JS UUIDv7', '019424f8-632e-7000-8000-008074abbf4d', '019424f8632e70008000008074abbf4d'],
    ['a v4 UUID', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'f47ac10b58cc4372a5670e02b2c3d479'],
    ['a padded span id', '00000000-0000-0000-0102-030405060708', '00000000000000000102030405060708'],
  ])('%s', (_name, lsTraceId, traceId) => {
    expect(traceIdFromLsTraceId(lsTraceId)).toBe(traceId);
    expect(lsTraceIdFromTraceId(traceId)).toBe(lsTraceId);
  });

  it('lsTraceIdFromTraceId lowercases', () => {
    expect(lsTraceIdFromTraceId('F47AC10B58CC4372A5670E02B2C3D479')).toBe('f47ac10b-58cc-4372-a567-0e02b2c3d479');
  });

  it.each([
    ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['an uppercase UUID', 'F47AC10B-58CC-4372-A567-0E02B2C3D479'],
    ['an OTel trace id', 'f47ac10b58cc4372a5670e02b2c3d479'],
    ['the empty string', ''],
  ])('traceIdFromLsTraceId gives undefined for %s', (_name, lsTraceId) => {
    expect(traceIdFromLsTraceId(lsTraceId)).toBeUndefined();
  });
});
