import type { ServiceAccountActivity } from './api';

type Day = ServiceAccountActivity['days'][number];

/** Day labels are UTC days (the server counts grants by UTC day), so they are formatted in UTC. */
const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
export const formatDay = (date: string): string => dayLabel.format(new Date(`${date}T00:00:00Z`));

const BAR = 10;
const HEIGHT = 60;

/**
 * Tokens issued per day (issue 14 item 5): a plain SVG bar chart, one bar per UTC day, scaled to
 * the busiest day. The SVG stretches to its container (no sideways scroll on a phone); each bar
 * names its day and count in a tooltip, and the same figures are in a table for screen readers.
 */
export function GrantsChart({ days }: { days: Day[] }) {
  const max = Math.max(1, ...days.map((d) => d.grants));
  const total = days.reduce((n, d) => n + d.grants, 0);
  const first = days[0];
  const last = days[days.length - 1];
  const tokens = (n: number) => `${n} ${n === 1 ? 'token' : 'tokens'}`;
  return (
    <figure className="activity-chart">
      <svg viewBox={`0 0 ${days.length * BAR} ${HEIGHT}`} preserveAspectRatio="none" aria-hidden="true" focusable="false" data-testid="grants-chart">
        <line x1={0} y1={HEIGHT - 0.5} x2={days.length * BAR} y2={HEIGHT - 0.5} className="baseline" />
        {days.map((d, i) => {
          // A day with grants gets at least a sliver, so one token is visible beside a busy day.
          const h = d.grants === 0 ? 0 : Math.max(2, (d.grants / max) * (HEIGHT - 2));
          return (
            <rect key={d.date} x={i * BAR + 1} y={HEIGHT - h} width={BAR - 2} height={h} data-date={d.date} data-grants={d.grants}>
              <title>{`${formatDay(d.date)}: ${tokens(d.grants)}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption>
        <span>{first ? formatDay(first.date) : ''}</span>
        <span>
          {tokens(total)} in 30 days{total > 0 ? `, at most ${max} a day` : ''}
        </span>
        <span>{last ? formatDay(last.date) : ''}</span>
      </figcaption>
      <table className="visually-hidden">
        <caption>Tokens issued per day (UTC), last 30 days</caption>
        <tbody>
          {days.map((d) => (
            <tr key={d.date}>
              <th scope="row">{d.date}</th>
              <td>{d.grants}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
