import { useEffect, useState } from 'preact/hooks';
import type { BBoxInput } from '../gql/graphql';
import { hrefOf } from '../router';
import { fromDateTimeInput, toDateTimeInput } from '../ui/format';
import { EMPTY_FILTER_FORM } from './signal-filter';
import type { SignalFilterForm } from './signal-filter';

type BBoxText = Record<keyof BBoxInput, string>;

const BBOX_FIELDS: Array<{ key: keyof BBoxInput; label: string; min: number; max: number }> = [
  { key: 'minLat', label: 'South (min lat)', min: -90, max: 90 },
  { key: 'maxLat', label: 'North (max lat)', min: -90, max: 90 },
  { key: 'minLon', label: 'West (min lon)', min: -180, max: 180 },
  { key: 'maxLon', label: 'East (max lon)', min: -180, max: 180 },
];

function bboxText(bbox: BBoxInput | undefined): BBoxText {
  const text = (value: number | undefined): string => (value === undefined ? '' : String(Number(value.toFixed(6))));
  return {
    minLat: text(bbox?.minLat),
    maxLat: text(bbox?.maxLat),
    minLon: text(bbox?.minLon),
    maxLon: text(bbox?.maxLon),
  };
}

function bboxOf(text: BBoxText): BBoxInput | undefined | 'incomplete' {
  const values = BBOX_FIELDS.map((field) => text[field.key].trim());
  if (values.every((value) => value === '')) return undefined;
  const numbers = values.map(Number);
  if (values.some((value) => value === '') || numbers.some((value) => !Number.isFinite(value))) return 'incomplete';
  const [minLat, maxLat, minLon, maxLon] = numbers as [number, number, number, number];
  // minLon > maxLon is a box across the antimeridian, which the API accepts.
  if (minLat > maxLat) return 'incomplete';
  return { minLat, maxLat, minLon, maxLon };
}

/** The filters of the `signals` query: devices, time range, area, sample count and size. */
export function SignalFilterFields({
  form,
  onApply,
}: {
  form: SignalFilterForm;
  onApply(form: SignalFilterForm): void;
}) {
  const [draft, setDraft] = useState(form);
  const [from, setFrom] = useState(toDateTimeInput(form.from));
  const [to, setTo] = useState(toDateTimeInput(form.to));
  const [bbox, setBbox] = useState<BBoxText>(bboxText(form.bbox));
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    setDraft(form);
    setFrom(toDateTimeInput(form.from));
    setTo(toDateTimeInput(form.to));
    setBbox(bboxText(form.bbox));
  }, [form]);

  const text = (key: 'deviceIds' | 'minDataLength' | 'maxDataLength' | 'minDataVolume' | 'maxDataVolume') => ({
    value: draft[key],
    onInput: (event: Event) => setDraft({ ...draft, [key]: (event.currentTarget as HTMLInputElement).value }),
  });

  function apply(event: Event): void {
    event.preventDefault();
    const area = bboxOf(bbox);
    if (area === 'incomplete') {
      setProblem('The area needs all four bounds, south ≤ north and west ≤ east.');
      return;
    }
    setProblem(null);
    onApply({ ...draft, from: fromDateTimeInput(from), to: fromDateTimeInput(to), bbox: area });
  }

  return (
    <form class="filters card" onSubmit={apply} aria-label="Signal filters">
      <div class="field wide">
        <label for="filter-devices">Devices</label>
        <input id="filter-devices" type="text" placeholder="ids, comma separated" {...text('deviceIds')} />
      </div>
      <div class="field">
        <label for="filter-from">From (UTC)</label>
        <input
          id="filter-from"
          type="datetime-local"
          step={1}
          value={from}
          onInput={(event) => setFrom(event.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="filter-to">To (UTC)</label>
        <input
          id="filter-to"
          type="datetime-local"
          step={1}
          value={to}
          onInput={(event) => setTo(event.currentTarget.value)}
        />
      </div>
      <fieldset class="field-group">
        <legend>
          Area (<a href={hrefOf({ view: 'map' })}>draw on the map</a>)
        </legend>
        {BBOX_FIELDS.map((field) => (
          <div class="field" key={field.key}>
            <label for={`filter-${field.key}`}>{field.label}</label>
            <input
              id={`filter-${field.key}`}
              type="number"
              step="any"
              min={field.min}
              max={field.max}
              value={bbox[field.key]}
              onInput={(event) => setBbox({ ...bbox, [field.key]: event.currentTarget.value })}
            />
          </div>
        ))}
      </fieldset>
      <fieldset class="field-group">
        <legend>Samples and size</legend>
        <div class="field">
          <label for="filter-min-length">Min samples</label>
          <input id="filter-min-length" type="number" min={0} step={1} {...text('minDataLength')} />
        </div>
        <div class="field">
          <label for="filter-max-length">Max samples</label>
          <input id="filter-max-length" type="number" min={0} step={1} {...text('maxDataLength')} />
        </div>
        <div class="field">
          <label for="filter-min-volume">Min bytes</label>
          <input id="filter-min-volume" type="number" min={0} step={1} {...text('minDataVolume')} />
        </div>
        <div class="field">
          <label for="filter-max-volume">Max bytes</label>
          <input id="filter-max-volume" type="number" min={0} step={1} {...text('maxDataVolume')} />
        </div>
      </fieldset>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <div class="filter-actions">
        <button type="submit">Apply filters</button>
        <button type="button" class="secondary" onClick={() => onApply(EMPTY_FILTER_FORM)}>
          Clear
        </button>
      </div>
    </form>
  );
}
