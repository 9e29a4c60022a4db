import type { Bucket } from './logs-query.ts';

const WIDTH = 720;
const HEIGHT = 140;
const PAD_LEFT = 34;
const PAD_BOTTOM = 18;

function label(d: Date, hours: number): string {
  return d.toLocaleString(undefined, hours >= 24 ? { month: 'short', day: 'numeric' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/**
 * Requests and errors per interval as inline SVG bars (no chart library: the CSP allows only our
 * own script, and two series of bars do not need one). Colours come from the theme variables.
 */
export default function StatsChart({ buckets }: { buckets: Bucket[] }) {
  if (buckets.length === 0) return <p className="muted logs-chart-empty">No requests in this range.</p>;
  const max = Math.max(1, ...buckets.map((b) => b.total));
  const plotW = WIDTH - PAD_LEFT;
  const plotH = HEIGHT - PAD_BOTTOM;
  const slot = plotW / buckets.length;
  const barW = Math.max(1, slot * 0.8);
  const y = (n: number) => plotH - (n / max) * (plotH - 6);
  const total = buckets.reduce((n, b) => n + b.total, 0);
  const errors = buckets.reduce((n, b) => n + b.errors, 0);
  const per = buckets[0].hours === 1 ? 'hour' : `${buckets[0].hours} hours`;
  const first = buckets[0].start;
  const last = buckets[buckets.length - 1].start;
  return (
    <figure className="logs-chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Requests per ${per}: ${total} in total, ${errors} errors, from ${label(first, 1)} to ${label(last, 1)}.`}
      >
        <line className="axis" x1={PAD_LEFT} y1={plotH + 0.5} x2={WIDTH} y2={plotH + 0.5} />
        <text className="tick" x={PAD_LEFT - 4} y={10} textAnchor="end">
          {max}
        </text>
        <text className="tick" x={PAD_LEFT - 4} y={plotH} textAnchor="end">
          0
        </text>
        {buckets.map((b, i) => {
          const x = PAD_LEFT + i * slot + (slot - barW) / 2;
          return (
            <g key={b.start.getTime()}>
              <title>{`${label(b.start, 1)}: ${b.total} requests, ${b.errors} errors`}</title>
              <rect className="bar-total" x={x} y={y(b.total)} width={barW} height={plotH - y(b.total)} />
              {b.errors > 0 && <rect className="bar-errors" x={x} y={y(b.errors)} width={barW} height={plotH - y(b.errors)} />}
            </g>
          );
        })}
        <text className="tick" x={PAD_LEFT} y={HEIGHT - 4}>
          {label(first, buckets[0].hours)}
        </text>
        <text className="tick" x={WIDTH} y={HEIGHT - 4} textAnchor="end">
          {label(last, buckets[0].hours)}
        </text>
      </svg>
      <figcaption className="row">
        <span>
          <span className="legend-swatch total" aria-hidden="true" /> Requests per {per} ({total})
        </span>
        <span>
          <span className="legend-swatch errors" aria-hidden="true" /> Errors ({errors})
        </span>
      </figcaption>
    </figure>
  );
}
