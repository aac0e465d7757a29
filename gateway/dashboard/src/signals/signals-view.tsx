import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { describeError } from '../api/api-error';
import { SignalsPageQuery } from '../api/operations';
import type { SignalFilter, SignalsPageQuery as SignalsPageResult } from '../gql/graphql';
import { useSession } from '../session-context';
import { SignalFilterFields } from './signal-filter-fields';
import {
  compareNewestFirst,
  mergeIntoFirstPage,
  removeFromFirstPage,
  signalFilterOf,
  signalMatchesFilter,
} from './signal-filter';
import { SignalDetail } from './signal-detail';
import { SignalTable } from './signal-table';

type SignalRow = SignalsPageResult['signals']['edges'][number]['node'];

const PAGE_SIZE = 20;
/** Rows the first page may grow to with live signals before it is read afresh (a new end cursor). */
const MAX_FIRST_PAGE_ROWS = PAGE_SIZE * 5;

interface Page {
  /** The request this page answers, so a page of an earlier request never passes for the current one. */
  after: string | null;
  filter: SignalFilter;
  rows: SignalRow[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * Signals, newest first, a page at a time. "Previous" returns to the cursor a page was loaded
 * from (the API pages forwards only), so walking back and forth never skips or repeats a row.
 */
export function SignalsView() {
  const { http, feed, signalFilter, setSignalFilter } = useSession();
  const filter = useMemo(() => signalFilterOf(signalFilter), [signalFilter]);
  /** `after` of each page visited so far; the last one is the page shown. */
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [page, setPage] = useState<Page | null>(null);
  const pageRef = useRef(page);
  pageRef.current = page;
  const [error, setError] = useState<string | null>(null);
  const [freshIds, setFreshIds] = useState<ReadonlySet<string>>(new Set());
  const [openSignalId, setOpenSignalId] = useState<string | null>(null);
  /** Bumped to reload the first page after a reconnect that could not resume. */
  const [reloads, setReloads] = useState(0);
  const after = cursors[cursors.length - 1] ?? null;
  const pageNumber = cursors.length;
  const loading = !error && (page === null || page.after !== after || page.filter !== filter);

  useEffect(() => {
    const abort = new AbortController();
    setError(null);
    http
      .request(SignalsPageQuery, { filter, first: PAGE_SIZE, after }, abort.signal)
      .then((result) => {
        const rows = result.signals.edges.map((edge) => edge.node);
        const previous = pageRef.current;
        // On a reload of the same page, rows that came in above what was shown count as new.
        const newest = previous?.after === after && previous.filter === filter ? previous.rows[0] : undefined;
        setFreshIds(
          newest ? new Set(rows.filter((row) => compareNewestFirst(row, newest) < 0).map((row) => row.id)) : new Set(),
        );
        capReloading.current = false;
        setPage({
          after,
          filter,
          rows,
          hasNextPage: result.signals.pageInfo.hasNextPage,
          endCursor: result.signals.pageInfo.endCursor ?? null,
        });
      })
      .catch((failure: unknown) => {
        if (abort.signal.aborted) return;
        setError(describeError(failure));
      });
    return () => abort.abort();
  }, [http, filter, after, reloads]);

  useEffect(
    () => (pageNumber === 1 ? feed.onResync(() => setReloads((count) => count + 1)) : undefined),
    [feed, pageNumber],
  );

  // A first page left open keeps growing with live signals: past the cap it is read afresh, once
  // (each live signal changes the page; asking again would abort the read under way, forever).
  const capReloading = useRef(false);
  useEffect(() => {
    if (capReloading.current || page?.after !== null || page.rows.length <= MAX_FIRST_PAGE_ROWS) return;
    capReloading.current = true;
    setReloads((count) => count + 1);
  }, [page]);

  useEffect(() => {
    if (pageNumber !== 1) return undefined;
    return feed.onSignal((signal) => {
      if (!signalMatchesFilter(signal, filter)) {
        setPage((current) => {
          if (!current || current.after !== null) return current;
          const rows = removeFromFirstPage(current.rows, signal.id);
          return rows ? { ...current, rows } : current;
        });
        return;
      }
      setPage((current) => {
        if (!current || current.after !== null) return current;
        const rows = mergeIntoFirstPage(current.rows, signal, current.hasNextPage);
        return rows ? { ...current, rows } : current;
      });
      setFreshIds((ids) => new Set(ids).add(signal.id));
    });
  }, [feed, filter, pageNumber]);

  return (
    <section aria-labelledby="signals-heading">
      <div class="view-heading">
        <h1 id="signals-heading">Signals</h1>
      </div>
      <SignalFilterFields
        form={signalFilter}
        onApply={(form) => {
          setSignalFilter(form);
          setCursors([null]);
        }}
      />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <SignalTable
        fleet
        tableClass="signals-table"
        caption={`Signals, newest first, page ${pageNumber}`}
        busy={loading}
        rows={page?.rows ?? []}
        isFresh={(id) => freshIds.has(id)}
        openSignalId={openSignalId}
        onOpenSignal={setOpenSignalId}
      />
      {page && page.rows.length === 0 && !loading && <p class="hint">No signal matches these filters.</p>}
      <nav class="pager" aria-label="Signal pages">
        <button type="button" disabled={pageNumber === 1 || loading} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </button>
        <span aria-live="polite">Page {pageNumber}</span>
        <button
          type="button"
          disabled={!page?.hasNextPage || !page.endCursor || loading}
          onClick={() => page?.endCursor && setCursors([...cursors, page.endCursor])}
        >
          Next
        </button>
      </nav>
      {openSignalId && (
        <SignalDetail key={openSignalId} signalId={openSignalId} onClose={() => setOpenSignalId(null)} />
      )}
    </section>
  );
}
