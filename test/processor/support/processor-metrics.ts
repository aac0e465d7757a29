/** Sum of the processor's `xray_processor_messages_total` samples matching `labels`, read from /metrics. */
export async function processedTotal(processorUrl: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${processorUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^xray_processor_messages_total\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const present = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) total += Number(match[2]);
  }
  return total;
}

/** Value of a counter without labels, read from /metrics. */
export async function counterValue(processorUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${processorUrl}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}
