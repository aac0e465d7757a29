import { useEffect, useState } from 'preact/hooks';
import type { GeoMapProps } from './map-content';
import { SvgMap } from './svg-map';

type TileMapModule = typeof import('./tile-map');

let tileMapModule: Promise<TileMapModule> | undefined;

/** Leaflet is fetched the first time a tile map is shown, so the default (tile-less) page never loads it. */
function loadTileMap(): Promise<TileMapModule> {
  tileMapModule ??= import('./tile-map').catch((error: unknown) => {
    tileMapModule = undefined;
    throw error;
  });
  return tileMapModule;
}

type TileMapState = { status: 'loading' } | { status: 'ready'; module: TileMapModule } | { status: 'failed' };

/**
 * The map of markers, a track and an area. With a tile URL it is a Leaflet map (pan, zoom, tiles)
 * with that drawing on top; without one, the self-contained SVG projection.
 */
export function GeoMap(props: GeoMapProps) {
  const { tileUrl } = props;
  const [tileMap, setTileMap] = useState<TileMapState>({ status: 'loading' });

  useEffect(() => {
    if (!tileUrl) return undefined;
    let current = true;
    loadTileMap().then(
      (module) => current && setTileMap({ status: 'ready', module }),
      () => current && setTileMap({ status: 'failed' }),
    );
    return () => {
      current = false;
    };
  }, [tileUrl]);

  if (!tileUrl || tileMap.status === 'failed') {
    const { tileUrl: _tileUrl, tileAttribution: _tileAttribution, ...drawing } = props;
    return (
      <>
        <SvgMap {...drawing} />
        {tileUrl && (
          <p class="hint" role="status">
            The tile map could not be loaded; showing the map without tiles.
          </p>
        )}
      </>
    );
  }
  if (tileMap.status === 'loading') {
    return (
      <figure
        class="geo-map"
        aria-busy="true"
        aria-label={props.title}
        style={{ aspectRatio: `${props.width ?? 1000} / ${props.height ?? 600}` }}
      />
    );
  }
  const { TileMap } = tileMap.module;
  return <TileMap key={`${tileUrl} ${props.tileAttribution ?? ''}`} {...props} tileUrl={tileUrl} />;
}
