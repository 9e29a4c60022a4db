import type { FieldKind } from './field-kind.ts';

interface Point {
  lon: number;
  lat: number;
}

function asPoint(v: unknown): Point {
  const p = (typeof v === 'object' && v !== null ? v : {}) as Partial<Point>;
  return { lon: Number(p.lon ?? 0), lat: Number(p.lat ?? 0) };
}

export const geoPointField: FieldKind = {
  type: 'geoPoint',
  label: 'Geo point',
  defaults: {},
  Settings: () => null,
  Input: ({ value, onChange }) => {
    const p = asPoint(value);
    return (
      <div className="row" role="group">
        <label className="check">
          Lon <input type="number" step="any" min={-180} max={180} value={p.lon} onChange={(e) => onChange({ ...p, lon: Number(e.target.value) })} />
        </label>
        <label className="check">
          Lat <input type="number" step="any" min={-90} max={90} value={p.lat} onChange={(e) => onChange({ ...p, lat: Number(e.target.value) })} />
        </label>
      </div>
    );
  },
  view: (value) => {
    const p = asPoint(value);
    return <span className="mono">{`${p.lon}, ${p.lat}`}</span>;
  },
  empty: () => ({ lon: 0, lat: 0 }),
};
