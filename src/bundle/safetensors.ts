import { BundleError } from './errors.js';
import { elementCount, float32Bytes, readFloat32, type NamedTensor } from './named-tensors.js';

/**
 * safetensors (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length N, an N-byte UTF-8 JSON header
 *   { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__: { string: string } }
 * padded with spaces to a multiple of 8, then the raw little-endian data; offsets
 * are relative to the start of the data section. We write only F32.
 */
const METADATA_KEY = '__metadata__';

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function encodeSafetensors(tensors: NamedTensor[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, HeaderEntry | Record<string, string>> = { [METADATA_KEY]: metadata };
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.data.length * 4;
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const text = new TextEncoder().encode(JSON.stringify(header));
  // Spaces (0x20) pad the header so the data section starts 8-byte aligned.
  const json = new Uint8Array(Math.ceil(text.length / 8) * 8).fill(0x20);
  json.set(text);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const t of tensors) {
    out.set(float32Bytes(t.data), pos);
    pos += t.data.length * 4;
  }
  return out;
}

export interface SafetensorsFile {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

function isHeaderEntry(v: unknown): v is HeaderEntry {
  const e = v as Partial<HeaderEntry> | null;
  return (
    typeof e === 'object' && e !== null && typeof e.dtype === 'string' && Array.isArray(e.shape) &&
    e.shape.every((s) => Number.isInteger(s) && s >= 0) && Array.isArray(e.data_offsets) && e.data_offsets.length === 2 &&
    e.data_offsets.every((o) => Number.isInteger(o) && o >= 0)
  );
}

/** Parses a safetensors file; every defect is a one-line BundleError naming `file`. */
export function decodeSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  const fail = (why: string) => new BundleError(`${file}: ${why}`);
  if (bytes.length < 8) throw fail(`truncated: ${bytes.length} bytes, too short for the 8-byte header length`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + headerLength > bytes.length) {
    throw fail(`truncated: the header claims ${headerLength} bytes but the file has ${bytes.length}`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch {
    throw fail('not a safetensors file (its header is not UTF-8 JSON)');
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors: NamedTensor[] = [];
  let metadata: Record<string, string> = {};
  let end = 0;
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      metadata = value as Record<string, string>;
      continue;
    }
    if (!isHeaderEntry(value)) throw fail(`tensor ${name}: malformed header entry`);
    if (value.dtype !== 'F32') throw fail(`tensor ${name}: dtype ${value.dtype} is not supported (only F32)`);
    const [begin, stop] = value.data_offsets;
    const count = elementCount(value.shape);
    if (stop - begin !== 4 * count) {
      throw fail(`tensor ${name}: data_offsets [${begin}, ${stop}] do not hold shape [${value.shape}] of F32`);
    }
    if (stop > dataLength) {
      throw fail(`truncated: tensor ${name} ends at data byte ${stop} but the data section has ${dataLength} bytes`);
    }
    end = Math.max(end, stop);
    tensors.push({ name, shape: value.shape, data: readFloat32(bytes, dataStart + begin, count) });
  }
  if (end !== dataLength) throw fail(`corrupt: the data section has ${dataLength} bytes, the tensors use ${end}`);
  return { tensors, metadata };
}
