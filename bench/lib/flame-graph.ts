import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import zeroEks from '0x';
import { profileFilesIn } from './cpu-profile';

/** The flame graph written beside a profile: `x.cpuprofile` → `x.html`. */
export function flameGraphFileOf(cpuProfileFile: string): string {
  return cpuProfileFile.replace(/\.cpuprofile$/, '.html');
}

/**
 * Renders a V8 `.cpuprofile` as an interactive flame graph with 0x: one self-contained HTML page
 * (its scripts are inlined, so it opens offline), written beside the profile.
 */
export async function renderFlameGraph(cpuProfilePath: string, title: string): Promise<string> {
  const outputHtml = flameGraphFileOf(path.resolve(cpuProfilePath));
  await zeroEks({
    visualizeCpuProfile: path.resolve(cpuProfilePath),
    workingDir: path.dirname(outputHtml),
    outputHtml,
    title,
  });
  return outputHtml;
}

/**
 * Renders every profile in `directory` whose name starts with `prefix`. A profile that cannot be
 * rendered (a service killed mid-write leaves a truncated file) is reported, not thrown: the
 * figures of the run stand without it.
 */
export async function renderFlameGraphs(
  directory: string,
  prefix: string,
): Promise<{ rendered: string[]; failed: Array<{ file: string; error: string }> }> {
  const rendered: string[] = [];
  const failed: Array<{ file: string; error: string }> = [];
  for (const file of profileFilesIn(directory, prefix)) {
    try {
      rendered.push(
        path.basename(await renderFlameGraph(path.join(directory, file), file.replace(/\.\d+\.cpuprofile$/, ''))),
      );
    } catch (error) {
      failed.push({ file, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { rendered, failed };
}

/** Removes the flame graphs of an earlier run (`prefix*.html`), as the runner removes its profiles. */
export function removeFlameGraphs(directory: string, prefix: string): void {
  for (const file of readdirSync(directory)) {
    if (file.startsWith(prefix) && file.endsWith('.html')) rmSync(path.join(directory, file));
  }
}
