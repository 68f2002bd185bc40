// A time-series chart (uPlot): mean line with a min/max band when the series is aggregated; points can be appended live.
(() => {
  'use strict';
  const { t, lang } = window.bn;
  const locale = lang === 'en' ? 'en-GB' : 'vi-VN';
  const fmt = (options) => new Intl.DateTimeFormat(locale, { timeZone: 'Asia/Ho_Chi_Minh', hour12: false, ...options });
  const hourFormat = fmt({ hour: '2-digit', minute: '2-digit' });
  const secondFormat = fmt({ hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const dayFormat = fmt({ day: '2-digit', month: '2-digit' });
  const fullFormat = fmt({ day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });

  window.bn.chart = (container, label, points) => {
    const width = () => Math.max(320, container.clientWidth || 800);
    const data = [
      points.map(p => new Date(p.t).getTime() / 1000),
      points.map(p => p.mean ?? null),
      points.map(p => p.min ?? null),
      points.map(p => p.max ?? null)
    ];
    const plot = new uPlot({
      width: width(), height: 320,
      scales: { x: { time: true } },
      series: [
        { label: t('col.time'), value: (u, v) => v === null ? '--' : fullFormat.format(new Date(v * 1000)) },
        { label, stroke: '#1565c0', width: 2, spanGaps: false },
        { label: t('chart.min'), stroke: '#90caf9', width: 1 },
        { label: t('chart.max'), stroke: '#90caf9', width: 1 }
      ],
      axes: [
        {
          // Vietnam time, 24-hour clock; dates once the axis spans more than a day.
          values: (u, splits) => {
            const span = (u.scales.x.max ?? 0) - (u.scales.x.min ?? 0);
            const format = span > 2 * 86400 ? dayFormat : span < 900 ? secondFormat : hourFormat;
            return splits.map(v => format.format(new Date(v * 1000)));
          }
        },
        { size: 60 }
      ]
    }, data, container);
    window.addEventListener('resize', () => plot.setSize({ width: width(), height: 320 }));
    return {
      plot,
      append(at, value) {
        data[0].push(new Date(at).getTime() / 1000);
        data[1].push(value); data[2].push(null); data[3].push(null);
        plot.setData(data);
      },
      get count() { return data[0].length; },
      destroy() { plot.destroy(); }
    };
  };
})();
