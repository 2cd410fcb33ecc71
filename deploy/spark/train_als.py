#!/usr/bin/env python3
"""Train segue's ALS on Spark MLlib from an export, and save the model where segue imports it.

    segue export --parquet /data/segue-export              # on the segue side
    spark-submit deploy/spark/train_als.py /data/segue-export
    segue import-factors --spark /data/segue-export/als-model

Reads <export>/segue-export.json (the manifest) and <export>/interactions/*.parquet (user, item, plays,
strength, confidence, timestamp), trains implicit-feedback ALS with the parameters the manifest gives
(rank, maxIter, regParam, alpha: see its "spark" block and deploy/spark/README.md), and saves it with
ALSModel.save: <out>/metadata/, <out>/userFactors/, <out>/itemFactors/. Beside them it writes
<out>/segue-trained-from.json with the export's data key, so segue refuses the model for other data.

Spark's ALS is given `strength` as its rating, so its confidence 1 + alpha * strength is segue's
confidence (1 + alpha * log1p(plays / eps) with segue's defaults). Any path Spark can read works
(file://, hdfs://, s3a://).
"""
import argparse
import json

from pyspark.ml.recommendation import ALS
from pyspark.sql import SparkSession

TRAINED_FROM = "segue-trained-from.json"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("export", help="directory written by `segue export --parquet`")
    p.add_argument("--out", help="model directory (default: <export>/als-model, where import-factors looks)")
    p.add_argument("--rank", type=int, help="override the manifest's rank (segue's factors)")
    p.add_argument("--max-iter", type=int, help="override the manifest's maxIter")
    p.add_argument("--reg-param", type=float, help="override the manifest's regParam (Spark scales it by each row's count)")
    p.add_argument("--alpha", type=float, help="override the manifest's alpha")
    p.add_argument("--blocks", type=int, default=None, help="numUserBlocks and numItemBlocks (default: Spark's 10)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--checkpoint-dir", help="checkpoint directory; long runs (maxIter > ~20) need one to cut the lineage")
    return p.parse_args()


def read_text(spark, path):
    """A small text file from any file system Spark can read."""
    return spark.sparkContext.wholeTextFiles(path).first()[1]


def write_text(spark, path, text):
    """A small text file on any file system Spark can write (through Hadoop's FileSystem API)."""
    jvm = spark._jvm
    target = jvm.org.apache.hadoop.fs.Path(path)
    fs = target.getFileSystem(spark._jsc.hadoopConfiguration())
    out = fs.create(target, True)
    try:
        out.write(bytearray(text.encode("utf-8")))
    finally:
        out.close()


def main():
    args = parse_args()
    export = args.export.rstrip("/")
    out = (args.out or f"{export}/als-model").rstrip("/")
    spark = SparkSession.builder.appName("segue-train-als").getOrCreate()
    if args.checkpoint_dir:
        spark.sparkContext.setCheckpointDir(args.checkpoint_dir)

    manifest = json.loads(read_text(spark, f"{export}/segue-export.json"))
    if manifest.get("kind") != "segue-spark-export":
        raise SystemExit(f"{export}/segue-export.json: not a segue export manifest")
    s = manifest["spark"]
    rank = args.rank or s["rank"]
    max_iter = args.max_iter or s["maxIter"]
    reg_param = s["regParam"] if args.reg_param is None else args.reg_param
    alpha = s["alpha"] if args.alpha is None else args.alpha

    ratings = spark.read.parquet(f"{export}/interactions").select(s["userCol"], s["itemCol"], s["ratingCol"])
    als = ALS(
        rank=rank, maxIter=max_iter, regParam=reg_param, alpha=alpha, implicitPrefs=True,
        userCol=s["userCol"], itemCol=s["itemCol"], ratingCol=s["ratingCol"],
        nonnegative=False, seed=args.seed, coldStartStrategy="drop",
    )
    if args.blocks:
        als = als.setNumUserBlocks(args.blocks).setNumItemBlocks(args.blocks)
    model = als.fit(ratings)
    model.write().overwrite().save(out)
    write_text(spark, f"{out}/{TRAINED_FROM}", json.dumps({
        "dataKey": manifest["dataKey"], "export": export, "rank": rank, "maxIter": max_iter,
        "regParam": reg_param, "alpha": alpha, "sparkVersion": spark.version,
    }))
    print(f"saved ALS (rank {rank}, {max_iter} iterations, regParam {reg_param}, alpha {alpha}) to {out}")
    print(f"next: segue import-factors --spark {out}")
    spark.stop()


if __name__ == "__main__":
    main()
