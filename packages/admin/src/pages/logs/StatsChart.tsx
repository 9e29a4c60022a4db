import type { Bucket } from './logs-query.ts';

/** Bars are drawn in a unit box stretched to the figure; labels are HTML so they stay legible at any width. */
const WIDTH = 1000;
const HEIGHT = 100;

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
  const slot = WIDTH / buckets.length;
  const barW = Math.max(1, slot * 0.8);
  const h = (n: number) => (n / max) * (HEIGHT - 2);
  const total = buckets.reduce((n, b) => n + b.total, 0);
  const errors = buckets.reduce((n, b) => n + b.errors, 0);
  const per = buckets[0].hours === 1 ? 'hour' : `${buckets[0].hours} hours`;
  const first = buckets[0].start;
  const last = buckets[buckets.length - 1].start;
  return (
    <figure className="logs-chart">
      <div className="logs-chart-plot">
        <div className="logs-chart-y" aria-hidden="true">
          <span>{max}</span>
          <span>0</span>
        </div>
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`Requests per ${per}: ${total} in total, ${errors} errors, from ${label(first, 1)} to ${label(last, 1)}.`}
        >
          {buckets.map((b, i) => {
            const x = i * slot + (slot - barW) / 2;
            return (
              <g key={b.start.getTime()}>
                <title>{`${label(b.start, 1)}: ${b.total} requests, ${b.errors} errors`}</title>
                <rect className="bar-total" x={x} y={HEIGHT - h(b.total)} width={barW} height={h(b.total)} />
                {b.errors > 0 && <rect className="bar-errors" x={x} y={HEIGHT - h(b.errors)} width={barW} height={h(b.errors)} />}
              </g>
            );
          })}
        </svg>
      </div>
      <div className="logs-chart-x" aria-hidden="true">
        <span>{label(first, buckets[0].hours)}</span>
        <span>{label(last, buckets[0].hours)}</span>
      </div>
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
