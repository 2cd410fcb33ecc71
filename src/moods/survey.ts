import { SegueError } from '../core/errors.js'
import { csvRows } from '../data/csv-rows.js'
import { crossValidate, type CvResult } from './cv.js'
import type { FeatureMatrix } from './features.js'
import { MOODS, SURVEY_MOODS, type Mood } from './moods.js'
import { argmaxRows, fitSoftmax, predictProba } from './softmax.js'

/** The questionnaire's column holding the moods music is used for (several answers, comma-separated). */
export const SURVEY_MOOD_COLUMN = 'music_Influencial_mood'

/** Multi-answer cells separate their answers with this (no single answer contains it). */
const ANSWER_SEPARATOR = ', '

export interface SurveyData {
  /** One-hot answers: rows x features, 0 or 1. */
  x: FeatureMatrix
  /** "column=answer" per feature. */
  features: string[]
  /** Per mood (MOODS order), 1 where the respondent named it. */
  labels: Record<Mood, Int32Array>
}

/** Reads the questionnaire and one-hot encodes every answer except the mood question, which becomes the labels. */
export async function readSurvey(file: string): Promise<SurveyData> {
  const rows: string[][] = []
  let header: string[] | undefined
  for await (const row of csvRows(file, { phase: 'read survey' })) {
    if (header === undefined) header = row.fields.map((h) => h.trim())
    else rows.push(row.fields)
  }
  const target = header?.indexOf(SURVEY_MOOD_COLUMN) ?? -1
  if (header === undefined || target < 0) throw new SegueError('E_INPUT_FORMAT', `${file}: no '${SURVEY_MOOD_COLUMN}' column`, { location: { file, line: 1 } })
  const features = featureNames(header, rows, target)
  const index = new Map(features.map((f, j) => [f, j]))
  const data = new Float64Array(rows.length * features.length)
  rows.forEach((r, i) => header!.forEach((h, c) => {
    if (c !== target) for (const a of answers(r[c] ?? '')) data[i * features.length + index.get(`${h}=${a}`)!] = 1
  }))
  const labels = Object.fromEntries(MOODS.map((m) => [m, new Int32Array(rows.length)])) as Record<Mood, Int32Array>
  rows.forEach((r, i) => { for (const a of answers(r[target] ?? '')) if (SURVEY_MOODS[a] !== undefined) labels[SURVEY_MOODS[a]][i] = 1 })
  return { x: { rows: rows.length, dims: features.length, data, names: [] }, features, labels }
}

function answers(cell: string): string[] {
  return cell.split(ANSWER_SEPARATOR).map((a) => a.trim()).filter((a) => a !== '')
}

function featureNames(header: string[], rows: string[][], target: number): string[] {
  const names = new Set<string>()
  for (const r of rows) header.forEach((h, c) => { if (c !== target) for (const a of answers(r[c] ?? '')) names.add(`${h}=${a}`) })
  return [...names].sort()
}

export interface ListenerMoodReport {
  respondents: number
  features: number
  /** Per mood: CV of a binary logistic regression (named / not named) against always answering the majority. */
  perMood: Record<Mood, { positives: number; cv: CvResult; f1: number; majorityF1: number }>
}

/**
 * The listener-mood model as the design has it: one logistic regression per mood over the one-hot answers
 * (multi-label), each cross-validated with stratified folds. F1 is that of "names the mood" (class 1).
 */
export function crossValidateSurvey(s: SurveyData, folds = 5, seed = 42): ListenerMoodReport {
  const perMood = {} as ListenerMoodReport['perMood']
  for (const mood of MOODS) {
    const y = s.labels[mood]
    const cv = crossValidate(y, 2, folds, seed, (train, test) => {
      const model = fitSoftmax(pick(s.x, train), Int32Array.from(train, (r) => y[r]), 2, { l2: SURVEY_L2 })
      return argmaxRows(predictProba(model, pick(s.x, test)), 2)
    })
    perMood[mood] = { positives: y.reduce((a, b) => a + b, 0), cv, f1: cv.model.f1[1], majorityF1: cv.majority.f1[1] }
  }
  return { respondents: s.x.rows, features: s.x.dims, perMood }
}

/** 520 respondents and 111 one-hot answers: a stronger penalty than the song model's keeps the fit from memorising. */
const SURVEY_L2 = 0.05

function pick(m: FeatureMatrix, rows: Int32Array): FeatureMatrix {
  const data = new Float64Array(rows.length * m.dims)
  rows.forEach((r, k) => data.set(m.data.subarray(r * m.dims, (r + 1) * m.dims), k * m.dims))
  return { ...m, rows: rows.length, data }
}

/** The listener-mood model fitted on every respondent: one logistic regression per mood over the one-hot answers. */
export interface SurveyModel {
  /** "column=answer" per input, as SurveyData.features. */
  features: string[]
  perMood: Record<Mood, ReturnType<typeof fitSoftmax>>
  /** Each question (column) and the answers respondents gave: what an onboarding form may ask. */
  questions: Record<string, string[]>
}

export function fitSurveyModel(s: SurveyData): SurveyModel {
  const perMood = Object.fromEntries(MOODS.map((m) => [m, fitSoftmax(s.x, s.labels[m], 2, { l2: SURVEY_L2 })])) as SurveyModel['perMood']
  const questions: Record<string, string[]> = {}
  for (const f of s.features) {
    const at = f.indexOf('=')
    ;(questions[f.slice(0, at)] ??= []).push(f.slice(at + 1))
  }
  return { features: s.features, perMood, questions }
}

/**
 * Each mood's probability (the model's "names this mood") for one listener's answers: question -> the answers
 * they picked. Answers the questionnaire never saw count as not given.
 */
export function predictSurvey(model: SurveyModel, answers: Readonly<Record<string, readonly string[]>>): Record<Mood, number> {
  const index = new Map(model.features.map((f, j) => [f, j]))
  const data = new Float64Array(model.features.length)
  for (const [q, list] of Object.entries(answers)) for (const a of list) {
    const j = index.get(`${q}=${a}`)
    if (j !== undefined) data[j] = 1
  }
  const x = { rows: 1, dims: data.length, data, names: [] }
  return Object.fromEntries(MOODS.map((m) => [m, predictProba(model.perMood[m], x)[1]])) as Record<Mood, number>
}
