import {
  boundsBetween,
  boundsOutline,
  boundsSpanning,
  continuousLongitudes,
  fitProjection,
  projectBounds,
} from '../../gateway/dashboard/src/map/projection';

/** The dashboard's map geometry with boxes and tracks across the antimeridian (pure: no browser, no stack use). */
describe('the dashboard map across the antimeridian', () => {
  const crossingTrack = [179.9985, 179.9995, -179.9995, -179.9985].map((lon) => ({ lat: 0.5, lon }));
  const crossingArea = { minLat: -1, maxLat: 1, minLon: 170, maxLon: -170 };

  it('keeps the drawn width of a box dragged across 180: 170..190 is minLon 170, maxLon -170', () => {
    expect(boundsSpanning(-1, 1, 170, 20)).toEqual(crossingArea);
    expect(boundsSpanning(-1, 1, -190, 20)).toEqual(crossingArea);
    expect(boundsSpanning(-1, 1, 170, 10)).toEqual({ minLat: -1, maxLat: 1, minLon: 170, maxLon: 180 });
    expect(boundsSpanning(-1, 1, 180, 10)).toEqual({ minLat: -1, maxLat: 1, minLon: -180, maxLon: -170 });
    expect(boundsSpanning(-1, 1, -200, 400)).toEqual({ minLat: -1, maxLat: 1, minLon: -180, maxLon: 180 });
  });

  it('fits a crossing track by its short arc, not the whole world', () => {
    const projection = fitProjection(crossingTrack, 1000, 600, 20);
    const xs = crossingTrack.map((point) => projection.project(point).x);
    // In order, one piece, filling the drawing's width (about 111 m per step, not 360°).
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(Math.min(...xs)).toBeCloseTo(20, 6);
    expect(Math.max(...xs)).toBeCloseTo(980, 6);
  });

  it('turns a rectangle dragged across 180 on the drawn map into a crossing box', () => {
    const projection = fitProjection(boundsOutline(crossingArea), 1000, 600, 20);
    const west = projection.project({ lat: 1, lon: 170 });
    const east = projection.project({ lat: -1, lon: -170 });
    expect(east.x).toBeGreaterThan(west.x);
    const drawn = boundsBetween(projection, east, west);
    expect(drawn.minLon).toBeCloseTo(170, 9);
    expect(drawn.maxLon).toBeCloseTo(-170, 9);
    expect(drawn.minLat).toBeCloseTo(-1, 9);
    expect(drawn.maxLat).toBeCloseTo(1, 9);
  });

  it('draws a crossing area eastward from its west edge, filling the fitted view', () => {
    const projection = fitProjection(boundsOutline(crossingArea), 1000, 600, 20);
    const rect = projectBounds(projection, crossingArea);
    expect(rect.width).toBeGreaterThan(0);
    expect(rect.x).toBeCloseTo(20, 6);
    expect(rect.x + rect.width).toBeCloseTo(980, 6);
  });

  it('outlines a crossing box so that its shortest arc is the box, even when wider than half the world', () => {
    const wide = { minLat: 0, maxLat: 1, minLon: 10, maxLon: -10 };
    const place = continuousLongitudes(boundsOutline(wide).map((point) => point.lon));
    expect(place(10)).toBe(10);
    expect(place(-10)).toBe(350);
    expect(place(-90)).toBe(270);
    expect(place(90)).toBe(90);
  });

  it('leaves longitudes of content away from the antimeridian unchanged', () => {
    const place = continuousLongitudes([12.33, 12.36, -5]);
    for (const lon of [12.33, 12.36, -5, 100]) expect(place(lon)).toBe(lon);
  });
});
