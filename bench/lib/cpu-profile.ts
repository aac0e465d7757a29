import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The parts of a V8 `.cpuprofile` (as written by `node --cpu-prof`) this summary reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
  samples?: number[];
}

/** A frame's share of the samples in which it was on top of the stack. */
export interface HotFrame {
  frame: string;
  selfPercent: number;
}

/** Where a frame's code lives: a package name, a project file, or node's own code. */
export function ownerOf(url: string): string {
  if (!url) return '(native/V8)';
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch?.[1]) return packageMatch[1];
  if (url.startsWith('node:')) return 'node core';
  const projectMatch = /\/dist\/(.+)$/.exec(url) ?? /\/(bench|gateway|ingest|processor|schema)\/(.+)$/.exec(url);
  if (projectMatch) return projectMatch[0].replace(/^\/dist\//, '').replace(/^\//, '');
  return path.basename(url);
}

function selfCounts(profile: CpuProfile): Map<number, number> {
  const counts = new Map<number, number>();
  if (profile.samples && profile.samples.length > 0) {
    for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  } else {
    for (const node of profile.nodes) counts.set(node.id, node.hitCount ?? 0);
  }
  return counts;
}

/**
 * Top frames by self time, grouped by `group` ('frame' = function + location, 'owner' = package or
 * project file). Idle and GC samples are reported as their own frames.
 */
export function topFrames(
  profile: CpuProfile,
  limit: number,
  group: 'frame' | 'owner' = 'frame',
  excludeIdle = true,
): HotFrame[] {
  const counts = selfCounts(profile);
  const byKey = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const count = counts.get(node.id) ?? 0;
    if (count === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (excludeIdle && (functionName === '(idle)' || functionName === '(program)')) continue;
    const key =
      group === 'owner'
        ? functionName === '(garbage collector)'
          ? '(garbage collector)'
          : ownerOf(url)
        : `${functionName || '(anonymous)'} ${url ? `${ownerOf(url)}:${lineNumber + 1}` : ''}`.trim();
    byKey.set(key, (byKey.get(key) ?? 0) + count);
    total += count;
  }
  return [...byKey.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([frame, count]) => ({ frame, selfPercent: total > 0 ? Math.round((count / total) * 1000) / 10 : 0 }));
}

/** Busy share of a profile: samples not idle, %. */
export function busyPercent(profile: CpuProfile): number {
  const counts = selfCounts(profile);
  let idle = 0;
  let total = 0;
  for (const node of profile.nodes) {
    const count = counts.get(node.id) ?? 0;
    total += count;
    if (node.callFrame.functionName === '(idle)') idle += count;
  }
  return total > 0 ? Math.round(((total - idle) / total) * 1000) / 10 : 0;
}

/** Names of the `.cpuprofile` files in `directory` whose name starts with `prefix`; none when it does not exist. */
export function profileFilesIn(directory: string, prefix: string): string[] {
  try {
    return readdirSync(directory).filter((file) => file.startsWith(prefix) && file.endsWith('.cpuprofile'));
  } catch {
    return [];
  }
}

/** Summaries of every `.cpuprofile` in `directory` whose name starts with `prefix`. */
export function summarizeProfiles(
  directory: string,
  prefix: string,
  limit = 8,
): Array<{ file: string; busyPercent: number; byOwner: HotFrame[]; byFrame: HotFrame[] }> {
  return profileFilesIn(directory, prefix).map((file) => {
    const profile = JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as CpuProfile;
    return {
      file,
      busyPercent: busyPercent(profile),
      byOwner: topFrames(profile, limit, 'owner'),
      byFrame: topFrames(profile, limit, 'frame'),
    };
  });
}
