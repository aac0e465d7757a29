import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { XRayMessage } from '../../schema';
import { signedXRayHeaders } from '../../ingest/simulator/signed-xray.client';

/** The real device sample as bytes, and where its device id and time sit in them. */
export interface SampleTemplate {
  raw: Buffer;
  text: string;
  deviceId: string;
  time: number;
  message: XRayMessage;
}

/** Loads the real sample once. */
export function loadSampleTemplate(samplePath: string): SampleTemplate {
  const raw = readFileSync(samplePath);
  const text = raw.toString('utf8');
  const message = JSON.parse(text) as XRayMessage;
  const deviceId = Object.keys(message)[0];
  if (!deviceId) throw new Error(`${samplePath} holds no device`);
  const time = message[deviceId]?.time;
  if (typeof time !== 'number') throw new Error(`${samplePath} has no time`);
  return { raw, text, deviceId, time, message };
}

/**
 * A bench device id of the sample's id length, so bodies keep the sample's exact byte size:
 * `b<run tag><index>` padded with zeros.
 */
export function benchDeviceId(runTag: string, index: number, length = 24): string {
  const prefix = `b${runTag}`;
  const suffix = String(index);
  if (prefix.length + suffix.length > length)
    throw new Error(`device index ${index} does not fit in ${length} characters`);
  return prefix + suffix.padStart(length - prefix.length, '0');
}

/** A short random tag distinguishing one run's devices from another's. */
export function newRunTag(): string {
  return randomBytes(3).toString('hex');
}

/** The sample's bytes with another device id and time (same length when the ids and times have the same digits). */
export function sampleBodyFor(template: SampleTemplate, deviceId: string, time: number): Buffer {
  const withDevice = template.text.replace(`"${template.deviceId}"`, JSON.stringify(deviceId));
  const timeText = String(template.time);
  const at = withDevice.lastIndexOf(timeText);
  const body = withDevice.slice(0, at) + String(time) + withDevice.slice(at + timeText.length);
  return Buffer.from(body, 'utf8');
}

/** A small message of `samples` samples (for rates the full sample cannot reach). */
export function smallBodyFor(deviceId: string, time: number, samples: number): Buffer {
  const data: Array<[number, [number, number, number]]> = [];
  for (let index = 0; index < samples; index += 1) {
    data.push([index * 1000, [51.3397 + index * 0.00001, 12.3392 + index * 0.00001, 1.2]]);
  }
  return Buffer.from(JSON.stringify({ [deviceId]: { data, time } }), 'utf8');
}

/** The headers of a signed ingest request for `body`, as the device simulator signs them. */
export function signedHeadersFor(fleetSecret: string, deviceId: string, body: Buffer): Record<string, string> {
  return { ...signedXRayHeaders({ fleetSecret, deviceId, body }) };
}
