#!/bin/sh
# Create the lake bucket in MinIO (idempotent): LAKE_BUCKET, default marketlake.
set -e
mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "local/${LAKE_BUCKET:-marketlake}"
