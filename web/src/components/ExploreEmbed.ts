// vega-embed, fitted to the app's Content-Security-Policy: expressions are interpreted rather than compiled with
// `new Function` (script-src has no 'unsafe-eval'), and no <style> elements are injected (style-src 'self');
// explore.css styles the tooltip instead. Imported only by the Explore page, so the main bundle does not carry vega.
import embed, { type Result, type VisualizationSpec } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';

export type { Result as EmbedResult } from 'vega-embed';

/** Draws `spec` into `el` as SVG (sharp at any zoom, scaled to the panel by CSS), with hover tooltips. */
export function drawChart(el: HTMLElement, spec: Record<string, unknown>): Promise<Result> {
  return embed(el, spec as VisualizationSpec, {
    actions: false,
    renderer: 'svg',
    defaultStyle: false,
    ast: true,
    expr: expressionInterpreter,
    tooltip: { theme: 'segue', disableDefaultStyle: true, offsetX: 12, offsetY: 12 },
  });
}
