import { listedIssues, validateXRayMessage, type ValidationIssue, type XRayPayload } from '../../schema';
import { BadUserInputError } from '../errors/gateway-errors';
import type { XRayInput } from './xray.input';

const SAMPLE_FIELDS = ['lat', 'lon', 'speed'] as const;

/** Rewrites a wire-format JSON path (`$.dev.data[3][1][0]`) into the input's own (`input.data[3].lat`). */
export function inputPathOf(issuePath: string, deviceId: string): string {
  const prefix = /^[A-Za-z_][A-Za-z0-9_]*$/.test(deviceId) ? `$.${deviceId}` : `$[${JSON.stringify(deviceId)}]`;
  if (issuePath === '$' || issuePath === prefix) return 'input.deviceId';
  const rest = issuePath.startsWith(prefix) ? issuePath.slice(prefix.length) : issuePath;
  return `input${rest
    .replace(/^\.data\[(\d+)\]\[0\]/, '.data[$1].offsetMs')
    .replace(
      /^\.data\[(\d+)\]\[1\]\[(\d)\]/,
      (_m, i: string, f: string) => `.data[${i}].${SAMPLE_FIELDS[Number(f)] ?? f}`,
    )}`;
}

/**
 * The input as the wire payload the processor takes, checked by the same validator ingest uses;
 * BAD_USER_INPUT with its issues (input paths) when it is not acceptable.
 */
export function toXRayPayload(input: XRayInput, nowMs: number): XRayPayload {
  const payload: XRayPayload = {
    data: input.data.map((s) => [s.offsetMs, [s.lat, s.lon, s.speed]]),
    time: input.time.getTime(),
  };
  const result = validateXRayMessage({ [input.deviceId]: payload }, { nowMs });
  if (!result.ok) {
    const issues = result.issues.map((issue: ValidationIssue) => ({
      path: inputPathOf(issue.path, input.deviceId),
      message: issue.message,
    }));
    // `extensions.issues` lists the first ones, `omittedIssues` counts the rest.
    const { listed, omitted } = listedIssues(issues);
    throw new BadUserInputError(
      `invalid x-ray input: ${issues
        .map((i) => `${i.path}: ${i.message}`)
        .slice(0, 3)
        .join('; ')}`,
      omitted > 0 ? { issues: listed, omittedIssues: omitted } : { issues },
    );
  }
  return payload;
}
