import {
  formatFigure,
  injectBetweenMarkers,
  ratio,
  renderReport,
  renderTable,
  REPORT_BEGIN_MARKER,
  REPORT_END_MARKER,
} from './report';

describe('bench report', () => {
  it('formats integers with separators and fractions with bounded decimals', () => {
    expect(formatFigure(1234567)).toBe('1,234,567');
    expect(formatFigure(3.14159)).toBe('3.14');
    expect(formatFigure(3.14159, 3)).toBe('3.142');
    expect(formatFigure(null)).toBe('—');
    expect(formatFigure('x')).toBe('x');
  });

  it('renders a markdown table and escapes pipes in cells', () => {
    const markdown = renderTable({ columns: ['a', 'b'], rows: [[1, 'x|y']] });
    expect(markdown).toBe('| a | b |\n|---|---|\n| 1 | x\\|y |');
  });

  it('replaces the block between the markers and keeps the rest', () => {
    const document = `# Title\n\nintro\n\n${REPORT_BEGIN_MARKER}\nold\n${REPORT_END_MARKER}\n\noutro\n`;
    const updated = injectBetweenMarkers(document, 'new');
    expect(updated).toBe(`# Title\n\nintro\n\n${REPORT_BEGIN_MARKER}\nnew\n${REPORT_END_MARKER}\n\noutro\n`);
  });

  it('appends the markers to a document that has none', () => {
    const updated = injectBetweenMarkers('# Title\n', 'new');
    expect(updated).toBe(`# Title\n\n${REPORT_BEGIN_MARKER}\nnew\n${REPORT_END_MARKER}\n`);
  });

  it('computes a ratio only against a positive divisor', () => {
    expect(ratio(80, 100)).toBe(0.8);
    expect(ratio(1, 0)).toBeNull();
  });

  it('renders the summary row of each scenario with its outcome', () => {
    const markdown = renderReport({
      machine: {
        date: 'D',
        nproc: 2,
        cpuModel: 'CPU',
        memoryGiB: 24,
        loadAverageAtStart: '1 1 1',
        node: 'v20',
        versions: { Redis: '7' },
      },
      options: {},
      caveats: ['shared machine'],
      scenarios: [
        {
          id: 's',
          title: 'S',
          goal: 'G',
          outcome: 'missed',
          headline: 'H',
          tables: [],
          notes: ['n'],
          data: {},
          durationSeconds: 3,
        },
      ],
    });
    expect(markdown).toContain('| S | H | G | ❌ missed |');
    expect(markdown).toContain('> shared machine');
    expect(markdown).toContain('- n');
  });
});
