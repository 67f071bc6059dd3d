"""Evidence files' bytes in an S3-compatible object store (对象存储: MinIO, Ceph RGW, AWS S3…),
their facts in PostgreSQL: the option for large deployments (HAZARD_FILE_STORE=s3).

- **What goes where**: the `files` and `file_uploads` rows stay in the event store's schema,
  exactly as `PostgresFileStore` writes them (with `chunks = 0`: no `file_chunks` rows), so
  access checks, citations and `hazard audit verify`'s walk over the files are the same; only
  the bytes go to the bucket, one object per file, keyed `<prefix>ab/cd/<sha256>`.
- **Order**: the object is written (and the server checks its SHA-256) before the file's row is
  inserted, so a row is never visible without its bytes. A row that fails to commit leaves an
  orphan object, harmless: it is named by its content, and the next upload of those bytes
  finds it.
- **Idempotent**: a file whose row exists is not sent again; otherwise a HEAD first, and the
  object is put only when it is missing (or has the wrong size). Concurrent uploads of the same
  bytes may both put it (the same bytes, under the same key); the row's ON CONFLICT DO NOTHING
  makes one file.
- **Streamed**: a PUT from the spool (its first MiB in memory, the rest on disk), or above
  `multipart_above` a multipart upload one part at a time; reads stream the object's body
  `CHUNK` by `CHUNK`.
- Files stored by the PostgreSQL engine before a deployment switched (`chunks > 0`) are still
  read, and verified, from `file_chunks`.

The client is boto3 (the optional extra `hazardledger[s3]`), path-style addressing, SigV4.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError
from eventsourcing.postgres import PostgresDatastore

from infra.files.postgres import PostgresFileStore
from infra.files.spool import CHUNK, Spool
from infra.settings import DEFAULT_FILE_MAX_BYTES, Settings

MULTIPART_ABOVE = 64 * 1024 * 1024  # larger files go up in parts (S3 takes one PUT up to 5 GiB)
PART = 8 * 1024 * 1024  # one part in memory at a time (S3's smallest part but the last: 5 MiB)
MISSING = {"404", "NoSuchKey", "NotFound"}


@dataclass(frozen=True)
class S3Target:
    """Where the objects go (HAZARD_S3_*). No keys: boto3's own chain (AWS_* variables, roles)."""

    endpoint: str
    bucket: str
    access_key: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    region: str = "us-east-1"
    prefix: str = "files/"

    @classmethod
    def of(cls, settings: Settings) -> S3Target:
        if not (settings.s3_endpoint and settings.s3_bucket):
            raise ValueError("the S3 file store needs HAZARD_S3_ENDPOINT and HAZARD_S3_BUCKET")
        return cls(settings.s3_endpoint, settings.s3_bucket, settings.s3_access_key,
                   settings.s3_secret_key, settings.s3_region, settings.s3_prefix)

    def client(self):
        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name=self.region,
            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
            config=BotoConfig(signature_version="s3v4", s3={"addressing_style": "path"},
                              connect_timeout=5, read_timeout=60,
                              retries={"max_attempts": 3, "mode": "standard"},
                              # only the checksums we send: S3-compatible servers differ in the rest
                              request_checksum_calculation="when_required",
                              response_checksum_validation="when_required"))

    def key(self, sha256: str) -> str:
        return f"{self.prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in MISSING


class S3FileStore(PostgresFileStore):
    """`FileStore`: facts and uploaders in PostgreSQL (the datastore's schema), bytes in a bucket
    (created if missing)."""

    def __init__(self, datastore: PostgresDatastore, target: S3Target, *,
                 limit: int = DEFAULT_FILE_MAX_BYTES, multipart_above: int = MULTIPART_ABOVE) -> None:
        super().__init__(datastore, limit=limit)
        self.target = target
        self.multipart_above = max(multipart_above, PART)
        self.s3 = target.client()  # boto3 clients are thread-safe
        self._bucket()

    def _bucket(self) -> None:
        try:
            self.s3.head_bucket(Bucket=self.target.bucket)
        except ClientError as error:
            if not _missing(error):
                raise
            where = ({} if self.target.region == "us-east-1" else
                     {"CreateBucketConfiguration": {"LocationConstraint": self.target.region}})
            try:
                self.s3.create_bucket(Bucket=self.target.bucket, **where)
            except ClientError as raced:
                if raced.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
                    raise

    # -- writing: the object before the row ------------------------------------------------

    def _keep_elsewhere(self, spool: Spool, media_type: str) -> None:
        sha = spool.sha256
        if self.exists(sha) or self._object_size(sha) == spool.size:
            return  # already stored: one object per content
        if spool.size > self.multipart_above:
            self._put_in_parts(spool, media_type)
        else:  # one PUT streamed from the spool; the server checks the bytes hash to the name
            self.s3.put_object(Bucket=self.target.bucket, Key=self.target.key(sha),
                               Body=spool.reader(), ContentLength=spool.size, ContentType=media_type,
                               ChecksumSHA256=base64.b64encode(bytes.fromhex(sha)).decode())

    def _put_in_parts(self, spool: Spool, media_type: str) -> None:
        bucket, key = self.target.bucket, self.target.key(spool.sha256)
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType=media_type)["UploadId"]
        try:
            parts = []
            for number, start in enumerate(range(0, spool.size, PART), start=1):
                part = _Window(spool.reader(), start, min(PART, spool.size - start))
                tag = self.s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number,
                                          Body=part, ContentLength=part.length)["ETag"]
                parts.append({"PartNumber": number, "ETag": tag})
            self.s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload,
                                              MultipartUpload={"Parts": parts})
        except BaseException:
            self.s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload)
            raise

    def _object_size(self, sha256: str) -> int | None:
        try:
            return int(self.s3.head_object(Bucket=self.target.bucket, Key=self.target.key(sha256))
                       ["ContentLength"])
        except ClientError as error:
            if _missing(error):
                return None
            raise

    def _chunk_rows(self, size: int) -> int:
        return 0  # the bytes are in the bucket

    def _write_chunks(self, curs, sha: str, spool: Spool) -> None:
        """Nothing: written to the bucket before the row."""

    # -- reading: streamed from the bucket -------------------------------------------------

    def _chunks(self, sha256: str, count: int) -> Iterator[bytes]:
        if count > 0:  # stored by the PostgreSQL engine before the switch
            yield from super()._chunks(sha256, count)
            return
        key = self.target.key(sha256)
        try:
            body = self.s3.get_object(Bucket=self.target.bucket, Key=key)["Body"]
        except ClientError as error:
            if _missing(error):
                raise LookupError(f"对象存储中没有该文件（{self.target.bucket}/{key}）") from error
            raise
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()


class _Window(io.RawIOBase):
    """A part of the spool as a file (read from disk as it is sent, seekable for a retry)."""

    def __init__(self, file: BinaryIO, start: int, length: int) -> None:
        self.file, self.start, self.length, self.at = file, start, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self.length - self.at if size is None or size < 0 else min(size, self.length - self.at)
        self.file.seek(self.start + self.at)
        block = self.file.read(size)
        self.at += len(block)
        return block

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.at, io.SEEK_END: self.length}[whence]
        self.at = max(0, min(self.length, base + offset))
        return self.at

    def tell(self) -> int:
        return self.at
