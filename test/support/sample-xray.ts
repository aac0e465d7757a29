import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { XRayMessage } from '../../schema';

/** The real device sample: `XRAY_SAMPLE`, else ../shared/fixtures/x-ray.json beside the repository. */
export function sampleXRayPath(): string {
  return process.env.XRAY_SAMPLE ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'fixtures', 'x-ray.json');
}

/** The sample's bytes as the device sent them, parsed, and its one device id. */
export function loadSampleXRay(): { raw: Buffer; message: XRayMessage; deviceId: string } {
  const raw = readFileSync(sampleXRayPath());
  const message = JSON.parse(raw.toString('utf8')) as XRayMessage;
  const deviceId = Object.keys(message)[0];
  if (!deviceId) throw new Error(`${sampleXRayPath()} holds no device`);
  return { raw, message, deviceId };
}
