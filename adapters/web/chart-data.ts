import type { Wording } from '../../commands/wording/wording.ts';
import type { ComplianceFigures } from '../../src/core/compliance-figures.ts';

/**
 * What a page hands its chart script (in a JSON block): the report's figures as they are, with the
 * words to label them. Nothing is counted here or in the browser.
 */
export interface ProgressChart {
  kind: 'progress';
  rule: string;
  deadline?: string;
  total: number;
  verified?: number;
  points: { date: string; attested: number; settled: number }[];
  labels: { date: string; attested: string; settled: string; total: string; verified?: string };
}

export interface BarChart {
  kind: 'bars';
  categories: string[];
  series: { label: string; values: number[] }[];
  labels: { category: string };
}

export type ChartData = ProgressChart | BarChart;

export function progressChart(f: ComplianceFigures, m: Wording): ProgressChart {
  return {
    kind: 'progress',
    rule: f.rule,
    ...(f.deadline ? { deadline: f.deadline } : {}),
    total: f.total,
    ...(f.verified !== undefined ? { verified: f.verified } : {}),
    points: f.progress,
    labels: {
      date: m.t('web.chart.date'),
      attested: m.t('web.chart.attested'),
      settled: m.t('web.chart.settled'),
      total: m.t('web.chart.total'),
      ...(f.verified !== undefined ? { verified: m.t('web.chart.verified') } : {}),
    },
  };
}

export function unitBars(f: ComplianceFigures, m: Wording, unitName: (id: string) => string): BarChart {
  return {
    kind: 'bars',
    categories: f.units.map((u) => unitName(u.unit)),
    series: [
      { label: m.t('web.chart.attested'), values: f.units.map((u) => u.attested) },
      { label: m.t('web.chart.excepted'), values: f.units.map((u) => u.excepted) },
      { label: m.t('web.chart.open'), values: f.units.map((u) => u.open) },
    ],
    labels: { category: m.t('web.chart.unit') },
  };
}
