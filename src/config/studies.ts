import type { GridAxes, Recipe, StudyName } from '../experiment/grid.js';
import { BUDGET_DEFAULTS, BUDGET_OUT, BUDGET_QUICK } from './budget-defaults.js';
import { EXPERIMENT_DEFAULTS, EXPERIMENT_OUT, EXPERIMENT_QUICK } from './experiment-defaults.js';

/** What a study brings: its default axes and recipe, --quick's overrides, and its output folders. */
export interface StudyDefaults {
  axes: { readonly [K in keyof GridAxes]: readonly GridAxes[K][number][] };
  recipe: { readonly [K in keyof Recipe]: unknown };
  quick: { axes: { readonly [K in keyof GridAxes]?: readonly GridAxes[K][number][] }; recipe: { readonly [K in keyof Recipe]?: unknown } };
  out: { full: string; quick: string };
}

/** The registry of studies: a new study is an entry here (and its outputs in experiment/study-outputs.ts). */
export const STUDY_DEFAULTS: Record<StudyName, StudyDefaults> = {
  'vp-vs-pbm': { axes: EXPERIMENT_DEFAULTS.axes, recipe: EXPERIMENT_DEFAULTS.recipe, quick: EXPERIMENT_QUICK, out: EXPERIMENT_OUT },
  budget: { axes: BUDGET_DEFAULTS.axes, recipe: BUDGET_DEFAULTS.recipe, quick: BUDGET_QUICK, out: BUDGET_OUT },
};

/** A copy of the study's axes and recipe, with --quick's overrides when asked. */
export function studyBase(study: StudyName, quick: boolean): { axes: GridAxes; recipe: Recipe; out: string } {
  const s = STUDY_DEFAULTS[study];
  const clone = <T>(v: T): T => structuredClone(v);
  const axes = clone({ ...s.axes, ...(quick ? s.quick.axes : {}) }) as GridAxes;
  const recipe = clone({ ...s.recipe, ...(quick ? s.quick.recipe : {}) }) as Recipe;
  return { axes, recipe, out: quick ? s.out.quick : s.out.full };
}
