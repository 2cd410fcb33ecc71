/**
 * The Parquet hand-off between segue and Spark MLlib, in one place: what `segue export --parquet` writes,
 * what deploy/spark/train_als.py reads and writes, and what `segue import-factors --spark` reads back.
 *
 * Export directory:
 *   segue-export.json                    manifest (ExportManifest): counts, data key, ALS options, Spark params
 *   interactions/part-00000.parquet ...  user INT, item INT, plays FLOAT, strength FLOAT, confidence FLOAT, timestamp TIMESTAMPTZ
 *   users/part-00000.parquet             user INT, user_id VARCHAR        (dense int <-> raw id)
 *   items/part-00000.parquet             item INT, item_id VARCHAR, name VARCHAR
 *
 * Spark model directory (ALSModel.save(path), Spark's ALSModelWriter):
 *   metadata/part-00000                  one line of JSON: class, timestamp, sparkVersion, uid, paramMap, rank
 *   userFactors/part-*.parquet           id INT, features ARRAY<FLOAT> (rank long)
 *   itemFactors/part-*.parquet           id INT, features ARRAY<FLOAT>
 */
export const EXPORT_MANIFEST = 'segue-export.json'
export const EXPORT_FORMAT = { kind: 'segue-spark-export', version: 1 } as const
export const INTERACTIONS_DIR = 'interactions'
export const USERS_DIR = 'users'
export const ITEMS_DIR = 'items'

export const SPARK_ALS_MODEL_CLASS = 'org.apache.spark.ml.recommendation.ALSModel'
export const SPARK_METADATA_FILE = 'metadata/part-00000'
export const USER_FACTORS_DIR = 'userFactors'
export const ITEM_FACTORS_DIR = 'itemFactors'
/** Written by train_als.py beside Spark's files: the export's data key, so a model of other data is refused. */
export const TRAINED_FROM_FILE = 'segue-trained-from.json'
/** Where train_als.py saves the model unless told otherwise, and where import-factors looks for the export. */
export const DEFAULT_MODEL_SUBDIR = 'als-model'

/** What Spark's ALS should be run with to learn what segue's ALS learns (see ExportManifest.spark). */
export interface SparkAlsParams {
  rank: number
  maxIter: number
  /** Spark multiplies this by each row's interaction count (ALS-WR); see sparkRegParam. */
  regParam: number
  alpha: number
  implicitPrefs: true
  userCol: 'user'
  itemCol: 'item'
  /** The column Spark reads as its rating r, so that Spark's c = 1 + alpha·r is segue's confidence. */
  ratingCol: 'strength'
}

export interface ExportManifest {
  kind: typeof EXPORT_FORMAT.kind
  version: number
  createdAt: string
  /** The listening source the interactions were read from, and its format. */
  source: string
  format: string
  dataKind: 'implicit' | 'explicit'
  itemKind: 'artist' | 'item'
  /** dataKey() of the interactions: import-factors checks its rebuilt matrix against it. */
  dataKey: string
  users: number
  items: number
  interactions: number
  /** Interaction part files, in order, relative to the export directory. */
  parts: string[]
  /** The ALS model segue would train (name 'als', the given params over the defaults). */
  model: { name: 'als'; params: Record<string, unknown>; options: Record<string, unknown> }
  spark: SparkAlsParams
}
