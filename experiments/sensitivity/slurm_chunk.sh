#!/bin/bash
# One chunk of a sensitivity-analysis stage, as one task of a SLURM job array (see README.md).
#
#   sbatch --array=0-$((N-1)) --export=ALL,FOLDER=results/sensitivity/NAME,STAGE=morris,N=$N \
#          experiments/sensitivity/slurm_chunk.sh
#
# Task i evaluates rows i*R/N .. (i+1)*R/N of FOLDER/STAGE/samples.csv on the task's CPUs and writes
# FOLDER/STAGE/chunks/chunk-i-of-N.parquet. A task whose file exists does nothing, so re-submitting
# the same array after a failure redoes only the missing chunks.
#SBATCH --job-name=sa-chunk
#SBATCH --cpus-per-task=8
#SBATCH --mem-per-cpu=1G
#SBATCH --time=02:00:00
#SBATCH --output=slurm-%x-%A_%a.out

set -euo pipefail
: "${FOLDER:?set FOLDER to the folder --sample-only wrote}" "${STAGE:?set STAGE to morris or sobol}" "${N:?set N to the array size}"
cd "${SLURM_SUBMIT_DIR:-.}"
exec .venv/bin/python experiments/sensitivity/run.py --evaluate-chunk "${SLURM_ARRAY_TASK_ID}/${N}" \
    --folder "$FOLDER" --stage "$STAGE" --jobs "${SLURM_CPUS_PER_TASK:-1}"
