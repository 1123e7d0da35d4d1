/** One metric over the last hour (uPlot), with the thresholds of the alarms on it drawn across. */
import { useEffect, useRef } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SeriesHistory } from './api.ts';

/** The chart's data in uPlot's terms (seconds), and a y range that keeps the thresholds in view. */
export function chartData(series: SeriesHistory): { data: AlignedData; yMax: number } {
  const values = series.values.filter((value): value is number => value !== null);
  const highest = Math.max(0, ...values, ...series.thresholds.map((threshold) => threshold.value));
  return {
    data: [series.times.map((time) => time / 1000), series.values],
    // Headroom above the highest line; a flat zero still gets a visible scale.
    yMax: highest > 0 ? highest * 1.15 : 1,
  };
}

export function latestValue(series: SeriesHistory): string {
  const latest = series.values.findLast((value) => value !== null);
  if (latest === undefined || latest === null) return 'no data';
  const rounded = Math.abs(latest) >= 100 ? latest.toFixed(0) : Number(latest.toPrecision(3)).toString();
  return `${rounded} ${series.unit}`;
}

function thresholdPlugin(series: SeriesHistory): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (plot) => {
          const { ctx, bbox } = plot;
          ctx.save();
          ctx.strokeStyle = '#c62828';
          ctx.fillStyle = '#c62828';
          ctx.lineWidth = devicePixelRatio;
          ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          // Labelled at the right end, clear of the y axis.
          ctx.textAlign = 'right';
          for (const threshold of series.thresholds) {
            const y = plot.valToPos(threshold.value, 'y', true);
            ctx.beginPath();
            ctx.moveTo(bbox.left, y);
            ctx.lineTo(bbox.left + bbox.width, y);
            ctx.stroke();
            ctx.fillText(
              threshold.alarm,
              bbox.left + bbox.width - 4 * devicePixelRatio,
              y - 4 * devicePixelRatio,
            );
          }
          ctx.restore();
        },
      ],
    },
  };
}

export function MetricChart({ series }: { series: SeriesHistory }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const { data, yMax } = chartData(series);
    const options: Options = {
      width: Math.max(260, element.clientWidth),
      height: 160,
      legend: { show: false },
      scales: { x: { time: true }, y: { range: () => [0, yMax] } },
      axes: [{}, { size: 48 }],
      series: [{}, { label: series.title, stroke: '#4f46e5', width: 2, spanGaps: false }],
      plugins: [thresholdPlugin(series)],
    };
    const plot = new uPlot(options, data, element);
    return () => plot.destroy();
  }, [series]);

  return (
    <figure className="console-chart">
      <figcaption>
        <strong>{series.title}</strong> <span className="muted">now {latestValue(series)}</span>
        {series.thresholds.map((threshold) => (
          <span key={threshold.alarm} className="console-threshold">
            {threshold.alarm} above {threshold.value} {series.unit}
          </span>
        ))}
      </figcaption>
      <div ref={container} role="img" aria-label={`${series.title} over the last hour`} />
    </figure>
  );
}
