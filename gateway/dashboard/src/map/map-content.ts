import type { GeoBounds, LatLon } from './projection';

export interface MapMarker extends LatLon {
  id: string;
  label: string;
  online: boolean;
}

/** What a map shows and how it is used: the same for the drawn map and the one over tiles. */
export interface GeoMapProps {
  /** Accessible name of the map. */
  title: string;
  markers: readonly MapMarker[];
  selectedId?: string | undefined;
  /** A track drawn as a line (the selected device's, or one signal's points). */
  track?: readonly LatLon[] | undefined;
  /** An area to outline (e.g. the signals filter's bbox). */
  area?: GeoBounds | undefined;
  onSelect?: ((id: string) => void) | undefined;
  /** While set, dragging on the map draws an area and hands it here. */
  onAreaDrawn?: ((bounds: GeoBounds) => void) | undefined;
  /** `{z}/{x}/{y}` raster tile URL template: set, the map is a pannable, zoomable tile map. */
  tileUrl?: string | undefined;
  tileAttribution?: string | undefined;
  /** Drawing size; the map keeps this aspect ratio at any width. */
  width?: number;
  height?: number;
}

/** The accessible name of a marker, alike on both maps. */
export function markerLabelOf(marker: MapMarker, selected: boolean): string {
  return `${marker.label}, ${marker.online ? 'online' : 'offline'}${selected ? ', selected' : ''}`;
}
